import type { NodeName } from '@quorate/policy';
import type { FenceOutcome } from '../../ports.js';

/** One device action the fencing machine asks for (input of the `runFenceAction` actor). */
export interface FenceActionInput {
  device: string;
  target: NodeName;
  action: 'off' | 'on' | 'reboot';
  /** Milliseconds the action may take (`stonithTimeout`). */
  timeoutMs: number;
}

/** Input of one fence request actor. */
export interface FencingInput {
  /** Deterministic actor id, e.g. `fence:node3:7`. */
  id: string;
  target: NodeName;
  action: 'reboot' | 'off';
  /** Levels in priority order; each a list of device names, all required. */
  levels: string[][];
  /** Static delay per device (pcmk_delay_base), ms. */
  deviceDelays: Record<string, number>;
  /** Wait before the first attempt (fenceDelay, priority delay), ms. */
  startDelayMs: number;
  stonithTimeoutMs: number;
  maxAttempts: number;
  retryIntervalMs: number;
}

/** What a configuration change may alter in a fence request (see `fence.configure`). */
export type FencingSettings = Pick<
  FencingInput,
  'action' | 'levels' | 'deviceDelays' | 'stonithTimeoutMs' | 'maxAttempts' | 'retryIntervalMs'
>;

/** JSON context of a fence request. */
export interface FencingContext extends FencingInput {
  /** Settings of a newer configuration, taken at the start of the next attempt. */
  pendingSettings: FencingSettings | null;
  /** 1-based attempt of the whole topology in the current round. */
  attempt: number;
  levelIdx: number;
  devIdx: number;
  /** For `reboot` on a level with several devices: all `off`s, then all `on`s. */
  phase: 'single' | 'off' | 'on';
  /** Set once the target counts as fenced. */
  fencedBy: { device: string; level: number } | null;
  lastDetail: string;
}

/**
 * Events a fence request accepts: a manual confirmation, a cancellation, new settings from a
 * configuration change (taken at the start of the next attempt, never in the middle of one), and
 * a new start delay (only while the request still waits for it; counted from now).
 */
export type FencingEvent =
  | { type: 'fence.confirm' }
  | { type: 'fence.cancel' }
  | { type: 'fence.configure'; settings: FencingSettings }
  | { type: 'fence.reschedule'; delayMs: number };

/** What a fence request emits (observed by the node). */
export type FencingEmitted =
  | { type: 'fence.started'; target: NodeName; attempt: number }
  | {
      type: 'fence.device';
      target: NodeName;
      device: string;
      level: number;
      action: 'off' | 'on' | 'reboot';
      ok: boolean;
      detail: string;
    }
  | { type: 'fence.succeeded'; target: NodeName; device: string; level: number }
  | { type: 'fence.attemptFailed'; target: NodeName; attempt: number; retry: boolean }
  | { type: 'fence.confirmed'; target: NodeName };

export type { FenceOutcome };
