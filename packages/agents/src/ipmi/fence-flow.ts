/**
 * The fence actions of an IPMI device, as fence_ipmilan performs them, over any backend that can
 * read the chassis power state and send Chassis Control (our RMCP+ client or `ipmitool`).
 */
import type { FenceOutcome, FenceRequest } from '@quorate/core';
import type { IpmiResult } from './udp-channel.js';

/** Chassis Control operations (IPMI v2.0 §28.3: 0 off, 1 on, 2 cycle, 3 hard reset, 5 soft). */
export type ChassisOp = 'off' | 'on' | 'cycle' | 'reset' | 'soft';

/** What a backend offers inside one session. Calls are sequential. */
export interface PowerControl {
  status(signal: AbortSignal): Promise<IpmiResult<'on' | 'off'>>;
  control(op: ChassisOp, signal: AbortSignal): Promise<IpmiResult<true>>;
}

/** Timing and method of the fence flow (from the agent options). */
export interface FenceFlowOptions {
  method: 'onoff' | 'cycle';
  powerWaitMs: number;
  powerTimeoutMs: number;
  pollIntervalMs: number;
  /** The single plug `list` reports. */
  plug: string;
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    if (ms <= 0) return resolve(true);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type Failure = Extract<FenceOutcome, { ok: false }>;
const abortedOutcome: Failure = { ok: false, reason: 'aborted', detail: 'the fence action was aborted' };

function failure(r: { reason: Failure['reason']; detail: string }): Failure {
  return { ok: false, reason: r.reason, detail: r.detail };
}

/**
 * Polls status until it reads `want`: first after `powerWaitMs`, then every `pollIntervalMs`, at
 * most `ceil(powerTimeoutMs / pollIntervalMs)` polls (counted, so no clock is read).
 */
async function waitForPower(
  ctrl: PowerControl,
  want: 'on' | 'off',
  o: FenceFlowOptions,
  signal: AbortSignal,
): Promise<FenceOutcome> {
  if (!(await sleep(o.powerWaitMs, signal))) return abortedOutcome;
  const polls = Math.max(1, Math.ceil(o.powerTimeoutMs / o.pollIntervalMs));
  for (let i = 0; i < polls; i++) {
    if (i > 0 && !(await sleep(o.pollIntervalMs, signal))) return abortedOutcome;
    const s = await ctrl.status(signal);
    if (!s.ok) return failure(s);
    if (s.value === want) return { ok: true, power: want };
  }
  return {
    ok: false,
    reason: 'timeout',
    detail: `power did not read '${want}' within ${o.powerTimeoutMs}ms after the command`,
  };
}

async function setPower(
  ctrl: PowerControl,
  want: 'on' | 'off',
  o: FenceFlowOptions,
  signal: AbortSignal,
): Promise<FenceOutcome> {
  const s = await ctrl.status(signal);
  if (!s.ok) return failure(s);
  if (s.value === want) return { ok: true, power: want, detail: `already ${want}` };
  const c = await ctrl.control(want, signal);
  if (!c.ok) return failure(c);
  return waitForPower(ctrl, want, o, signal);
}

/**
 * Runs one fence action against one BMC (a single plug). `list` does not touch the device.
 * - `status`: power state read. `monitor`: the session works and status reads.
 * - `off` / `on`: idempotent; sends Chassis Control only if needed, then polls until confirmed.
 * - `reboot` (`onoff`): off, confirmed off, then on. Once off is confirmed the target is fenced,
 *   so a failing power-on still succeeds with `power: 'off'` (as fence-agents do).
 * - `reboot` (`cycle`): one power cycle (power on if it was off), then polls until on; weaker:
 *   the off phase is not observed.
 */
export async function runFenceFlow(
  req: FenceRequest,
  ctrl: PowerControl,
  o: FenceFlowOptions,
  signal: AbortSignal,
): Promise<FenceOutcome> {
  switch (req.action) {
    case 'status': {
      const s = await ctrl.status(signal);
      return s.ok ? { ok: true, power: s.value } : failure(s);
    }
    case 'monitor': {
      const s = await ctrl.status(signal);
      return s.ok ? { ok: true } : failure(s);
    }
    case 'off':
    case 'on':
      return setPower(ctrl, req.action, o, signal);
    case 'reboot': {
      if (o.method === 'cycle') {
        const s = await ctrl.status(signal);
        if (!s.ok) return failure(s);
        const c = await ctrl.control(s.value === 'on' ? 'cycle' : 'on', signal);
        if (!c.ok) return failure(c);
        const on = await waitForPower(ctrl, 'on', o, signal);
        return on.ok ? { ok: true, power: 'on', detail: 'power cycled' } : on;
      }
      const off = await setPower(ctrl, 'off', o, signal);
      if (!off.ok) return off;
      const on = await setPower(ctrl, 'on', o, signal);
      if (on.ok) return { ok: true, power: 'on', detail: 'rebooted: off confirmed, then on' };
      if (on.reason === 'aborted') return on;
      return { ok: true, power: 'off', detail: `fenced (off confirmed) but power on failed: ${on.detail}` };
    }
    case 'list':
      return { ok: true, ports: [{ port: o.plug }] };
  }
}

/** Chassis Control data byte of an operation. */
export const CHASSIS_CONTROL_BYTE: Readonly<Record<ChassisOp, number>> = {
  off: 0,
  on: 1,
  cycle: 2,
  reset: 3,
  soft: 5,
};
