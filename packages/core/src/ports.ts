/**
 * Adapter interfaces ("ports"): the only way `@quorate/core` touches the world.
 *
 * Rules for every port (see STYLE.md §4):
 * - An operation with an outcome is `(request, ctx) => Promise<Outcome>`; `ctx.signal` is always
 *   given and the adapter must stop promptly and clean up when it aborts.
 * - Expected failures are values (`{ ok: false, reason, detail }`), never rejections. A rejected
 *   promise is a bug; core wraps every call and turns a rejection into `reason: 'agent-error'`.
 * - Deadlines belong to core: core aborts `ctx.signal` when the action's timeout (from the
 *   injected {@link Clock}) runs out. Adapters never read the wall clock for decisions.
 * - Secrets never appear in outcomes, details, errors, events or logs.
 */
import type { NodeName, ResourceId } from '@quorate/policy';

/** Passed to every adapter call. */
export interface Ctx {
  /** Aborted when core gives up on the call (timeout, shutdown, state left). */
  signal: AbortSignal;
}

/** A handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Time source. A superset of xstate's `Clock`: the same object is given to `createActor` and used
 * for every deadline in core. Production passes {@link systemClock}-like real time; tests and the
 * simulator pass `VirtualClock` from `@quorate/core/testing`.
 */
export interface Clock {
  /** Milliseconds; monotonic for deadlines. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Injected randomness (fence delay jitter). Returns a float in [0, 1). */
export interface Random {
  next(): number;
}

/** Structured logger. `fields` never hold secrets. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

// ---------------------------------------------------------------------------------------------
// Fencing

/** Fence actions, as the fence-agents API names them. */
export type FenceAction = 'off' | 'on' | 'reboot' | 'status' | 'monitor' | 'list';

export interface FenceRequest {
  action: FenceAction;
  /** The node to act on (ignored for `monitor` and `list`). */
  target: NodeName;
  /** Plug / port / blade slot of the target on this device, when the device has several. */
  port?: string;
}

/**
 * Outcome of one fence action.
 * - `ok: true`: the action is done; `power` is the target's power state afterwards (for
 *   `status`, the state read). For `list`, `ports` holds the plugs the device knows.
 *   For `monitor`, `power` is omitted.
 * - `ok: false`: `timeout` (no answer in time), `unreachable` (network or device down),
 *   `refused` (authentication or permission), `aborted` (ctx.signal), `agent-error`
 *   (garbage, unexpected exit, bug).
 */
export type FenceOutcome =
  | { ok: true; power?: 'on' | 'off'; ports?: Array<{ port: string; name?: string }>; detail?: string }
  | {
      ok: false;
      reason: 'timeout' | 'unreachable' | 'refused' | 'aborted' | 'agent-error';
      detail: string;
    };

/**
 * A fence device. Called by the fencing machine of the node that executes the fence (never the
 * target itself). `reboot` must only succeed once the target was confirmed off.
 * Idempotent: `off` on an off target succeeds.
 */
export interface FenceAgent {
  run(req: FenceRequest, ctx: Ctx): Promise<FenceOutcome>;
  /** Releases sockets or sessions an agent keeps. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Resources

export type ResourceActionName = 'start' | 'stop' | 'monitor' | 'meta-data' | 'validate-all';

export interface ResourceRequest {
  action: ResourceActionName;
  resource: ResourceId;
  params: Record<string, string>;
  /** Meta attributes (`OCF_RESKEY_CRM_meta_*`), e.g. `timeout` in ms. */
  meta?: Record<string, string>;
}

/**
 * Outcome of one resource action, in OCF terms.
 * - `ok: true` with `running`: start/stop/monitor succeeded; for monitor, whether it runs.
 * - `ok: false`: `not-running` (monitor found it stopped when it should run, OCF 7),
 *   `failed` (OCF 1 generic error), `args` (2), `unimplemented` (3), `perm` (4),
 *   `not-installed` (5), `not-configured` (6), `timeout`, `aborted`, `agent-error`.
 *   `exitCode` carries the raw OCF code when there was one.
 */
export type ResourceOutcome =
  | { ok: true; running: boolean; detail?: string; output?: string }
  | {
      ok: false;
      reason:
        | 'not-running'
        | 'failed'
        | 'args'
        | 'unimplemented'
        | 'perm'
        | 'not-installed'
        | 'not-configured'
        | 'timeout'
        | 'aborted'
        | 'agent-error';
      detail: string;
      exitCode?: number;
    };

export interface ResourceAgent {
  run(req: ResourceRequest, ctx: Ctx): Promise<ResourceOutcome>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Transport

/** A message between nodes: plain JSON with a `type`. */
export interface Message {
  type: string;
  [key: string]: unknown;
}

export interface RingStatus {
  ring: number;
  /** `faulty` while the ring is silent and another ring still works (rrp_mode passive). */
  status: 'ok' | 'faulty';
  detail?: string;
}

/**
 * Node-to-node messaging on one or more rings. Heartbeats and membership detection may live in the
 * transport (`onMembership`) or in core (heartbeat messages); a transport that reports membership
 * itself (etcd leases) implements `onMembership`.
 * `send`/`broadcast` are fire-and-forget: a lost message shows up as a membership timeout.
 */
export interface Transport {
  join(self: NodeName, onMessage: (from: NodeName, msg: Message) => void, ctx: Ctx): Promise<void>;
  send(to: NodeName, msg: Message): void;
  broadcast(msg: Message): void;
  rings(): RingStatus[];
  /** Optional: the transport tells core who is reachable (etcd leases). Returns unsubscribe. */
  onMembership?(cb: (members: NodeName[]) => void): () => void;
  /**
   * Optional: the transport tells core, per peer and ring, when the link starts or stops carrying
   * traffic (the simulator models reachability this way instead of heartbeats). On subscription
   * it reports the current state of every link, then every change, synchronously or later; core
   * starts its `tokenTimeout` timer when the last ring to a peer goes silent and marks a ring
   * faulty while another ring to the peer still works. A transport that notices silence only after
   * some time (heartbeats) passes `silentForMs` with a down report: how long that link had
   * already been silent, so the token timeout counts from the last packet heard, as corosync's
   * does, not from the report. Returns unsubscribe.
   */
  onReachability?(cb: (peer: NodeName, ring: number, up: boolean, silentForMs?: number) => void): () => void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Quorum disk

/** One node's slot on the quorum disk (cman qdiskd). */
export interface SlotState {
  /** Node id = slot number (1-based). */
  nodeId: number;
  /** Clock time of the write, ms. */
  timestampMs: number;
  /** Changes on every start of the node, so a restart is visible. */
  incarnation: number;
  state: 'none' | 'init' | 'running' | 'master' | 'evicted';
  score: number;
  /** Node id this node sees as master (0 = none). */
  masterId: number;
  /** Counter bumped on every write. */
  seq: number;
}

export interface QuorumDisk {
  /** Writes this node's slot. Rejects never; throws only on a bug. */
  write(
    slot: number,
    state: SlotState,
    ctx: Ctx,
  ): Promise<{ ok: true } | { ok: false; reason: string; detail: string }>;
  /** Reads every slot (index = node id - 1; empty slots are `null`). */
  readAll(
    ctx: Ctx,
  ): Promise<{ ok: true; slots: Array<SlotState | null> } | { ok: false; reason: string; detail: string }>;
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Quorum device (corosync-qdevice / qnetd arbiter)

/**
 * A network arbiter (corosync-qnetd) that gives its vote to one partition. Core calls `vote`
 * whenever its membership changes (and when `onChange` fires) with the node's current partition;
 * the arbiter answers whether this node's partition holds its vote now. An unreachable arbiter
 * answers `{ ok: false }` (no vote). Time limit: `tokenTimeout`; idempotent.
 */
export interface QuorumDevice {
  vote(
    req: { node: NodeName; members: NodeName[] },
    ctx: Ctx,
  ): Promise<{ ok: true; vote: boolean } | { ok: false; reason: string; detail: string }>;
  /** Optional: the arbiter asks every node to call `vote` again (another partition changed). Returns unsubscribe. */
  onChange?(cb: () => void): () => void;
  close?(): Promise<void>;
}
