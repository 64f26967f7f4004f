import type { NodeName, ResourceId } from '@quorate/policy';
import type { ResourceOutcome } from '../../ports.js';

/** Where one resource instance stands on one node. */
export type ResourceStatus = 'stopped' | 'starting' | 'started' | 'stopping' | 'failed' | 'blocked';

/** Input of the `runResourceAction` actor. */
export interface ResourceActionInput {
  resource: ResourceId;
  action: 'start' | 'stop' | 'monitor';
  timeoutMs: number;
}

/** Input of the `monitorLoop` actor (one per stay in `started`). */
export interface ResourceMonitorInput {
  resource: ResourceId;
  /** Time from the start (then from each completed monitor) to the next monitor; 0: none. */
  monitorIntervalMs: number;
  timeoutMs: number;
}

/** Input of one resource instance actor. */
export interface ResourceInput {
  resource: ResourceId;
  node: NodeName;
  initial: 'stopped' | 'started';
  monitorIntervalMs: number;
  timeoutMs: number;
}

/** JSON context of a resource instance. */
export interface ResourceContext extends ResourceInput {
  lastDetail: string;
}

/**
 * Commands a resource instance accepts (`resource.start`, `resource.stop`), and the report of its
 * own `monitorLoop` actor that a monitor did not find it running (internal: only that actor sends it).
 */
export type ResourceEvent =
  | { type: 'resource.start' }
  | { type: 'resource.stop' }
  | { type: 'resource.monitorFailed'; output: ResourceOutcome };

/** Facts a resource instance emits. */
export type ResourceEmitted = {
  type: 'resource.changed';
  resource: ResourceId;
  action: 'start' | 'stop' | 'monitor';
  ok: boolean;
  detail: string;
};

export type { ResourceOutcome };
