import type { NodeName, ResourceId } from '@quorate/policy';
import { schedule } from '@quorate/policy';
import { EventEmitter } from 'eventemitter3';
import { type Actor, createActor, fromPromise } from 'xstate';
import { parseClusterConfig } from '../config/cluster.schema.js';
import type { ClusterConfig } from '../config/cluster-config.types.js';
import { checkConfigVersion } from '../config/config-update.js';
import { ConfigError, UsageError } from '../errors.js';
import {
  buildSnapshot,
  type CoordinatorNodeView,
  planCommands,
} from '../machines/coordinator/coordinator.logic.js';
import { provideCoordinator } from '../machines/coordinator/coordinator.machine.js';
import { fencingMachine } from '../machines/fencing/fencing.machine.js';
import type { FenceActionInput, FencingSettings } from '../machines/fencing/fencing.types.js';
import { peerLinkMachine } from '../machines/membership/membership.machine.js';
import { QUORUM_NOT_COMPUTED, quorumMachine } from '../machines/quorum/quorum.machine.js';
import { createMonitorLoop, resourceMachine } from '../machines/resource/resource.machine.js';
import type { ResourceActionInput, ResourceStatus } from '../machines/resource/resource.types.js';
import type { FenceOutcome, Message, ResourceOutcome, SlotState, TimerHandle } from '../ports.js';
import { electQdiskMaster, qdiskLiveNodes, qdiskVotes } from '../quorum/qdisk.js';
import type { QuorumResult, QuorumState } from '../quorum/quorum.types.js';
import { createQuorumState } from '../quorum/votequorum.js';
import { callAdapter } from './call-adapter.js';
import type {
  ApplyConfigResult,
  ClusterNodeEvents,
  ClusterNodeOptions,
  ClusterNodeStatus,
  FenceEvent,
  NodeView,
} from './node.types.js';

/** A cluster node: the library's whole state machine for one machine. See {@link createClusterNode}. */
export interface ClusterNode extends EventEmitter<ClusterNodeEvents> {
  readonly name: NodeName;
  /** Joins the transport, probes the resources and starts taking part. Resolves once joined. */
  start(): Promise<void>;
  /** A crm_mon-like snapshot of what this node knows now. */
  status(): ClusterNodeStatus;
  /** An administrator confirms `node` is off (stonith_admin --confirm); releases its resources. */
  confirmFenced(node: NodeName): void;
  /** An administrator asks the cluster to fence `node` (stonith_admin --reboot). */
  requestFence(node: NodeName): void;
  /** Applies a raw cluster document; refuses a version not higher than the running one; changes nothing on invalid input. */
  applyConfig(doc: unknown): ApplyConfigResult;
  /** Same as {@link applyConfig} for an already normalised configuration. */
  applyClusterConfig(cfg: ClusterConfig): ApplyConfigResult;
  /**
   * The configuration this node runs now, including one synchronised from a peer: persist it
   * (as Pacemaker keeps its CIB) so that the node restarts with it rather than an older one.
   */
  currentConfig(): ClusterConfig;
  /** Puts `node` in standby (its resources move away) or back. */
  standby(node: NodeName, on: boolean): void;
  /** Puts `node` in maintenance (nothing is started, stopped or fenced there) or back. */
  maintenance(node: NodeName, on: boolean): void;
  /** Sets expected votes at runtime for this node's partition (corosync-quorumtool -e). */
  setExpectedVotes(votes: number): void;
  /** Orderly shutdown: resources move away, the node leaves cleanly. Resolves when it has left. */
  shutdown(): Promise<void>;
  /** Stops at once, sending nothing (as a crash of the software); aborts every adapter call. */
  stop(): Promise<void>;
}

interface Report {
  node: NodeName;
  ackSeq: number;
  resources: Record<ResourceId, ResourceStatus>;
  failCounts: Record<ResourceId, { count: number; lastFailureMs: number }>;
  shutdown: boolean;
  quorate: boolean;
  quorateClear: boolean;
  /** Lost, unfenced nodes this node has watched since they were lost (its partition acted throughout). */
  freshLost: NodeName[];
  /** The members it hears silent (their token timeout runs: the membership is about to change). */
  silent: NodeName[];
  /** The nodes it has lost and nobody fenced since (for the coordinator: do the memberships agree?). */
  lost: NodeName[];
  /** It is the quorum disk's live master. */
  qdiskMaster?: boolean;
  /**
   * Its silent members with what they last reported and when it saw them join: a coordinator that
   * never saw such a node (it booted after the node went silent) learns what may still run there.
   * (Lost, unfenced nodes with what they ran reach it in the `sync` message's `states`.)
   */
  silentKnown?: Record<NodeName, { joinedAtMs: number; resources: Record<ResourceId, ResourceStatus> }>;
  /** The coordinator this node recognises (it refuses starts from any other). */
  coordinator: NodeName;
}

interface NodeInfo {
  state: 'member' | 'unclean' | 'offline' | 'unseen';
  lostAtMs: number;
  fencedAtMs: number;
  /** When it last joined this node's membership (a fence older than that is history). */
  joinedAtMs?: number;
}

interface Flag {
  on: boolean;
  at: number;
}

interface LocalResource {
  actor: Actor<typeof resourceMachine> | null;
  status: ResourceStatus;
}

interface FenceRun {
  actor: Actor<typeof fencingMachine>;
  id: string;
}

const RESOURCE_TIMEOUT_MS = 120_000;

/**
 * Creates one cluster node. The node decides; its adapters act. Every adapter call goes through
 * {@link callAdapter} (deadline from the injected clock, rejections become outcomes). Membership
 * follows the transport's reachability reports (`onReachability`, or `onMembership`); quorum is the
 * votequorum arithmetic of `core/quorum`; the lowest-id member of a quorate partition coordinates:
 * it runs `schedule` from `@quorate/policy` and dispatches fence, stop and start commands; fence
 * requests are `fencingMachine` actors and resource instances `resourceMachine` actors.
 * No I/O, no wall clock, no randomness except the injected ones.
 */
export function createClusterNode(opts: ClusterNodeOptions): ClusterNode {
  const { clock, logger, transport } = opts;
  const self = opts.node;
  let cfg: ClusterConfig = opts.config;
  if (!cfg.nodes.some((n) => n.name === self))
    throw new UsageError(`node '${self}' is not in the configuration`);
  const emitter = new EventEmitter<ClusterNodeEvents>();
  const resourceTimeoutMs = opts.resourceTimeoutMs ?? RESOURCE_TIMEOUT_MS;

  let running = false;
  let stopping = false;
  const ac = new AbortController();
  const unsubs: Array<() => void> = [];
  const timers = new Set<TimerHandle>();
  const after = (ms: number, fn: () => void): TimerHandle => {
    const h = clock.setTimeout(() => {
      timers.delete(h);
      if (running) fn();
    }, ms);
    timers.add(h);
    return h;
  };
  const cancel = (h: TimerHandle | undefined): void => {
    if (h === undefined) return;
    clock.clearTimeout(h);
    timers.delete(h);
  };

  const idOf = (n: NodeName): number => cfg.nodes.find((x) => x.name === n)?.id ?? Number.MAX_SAFE_INTEGER;
  const byId = (a: NodeName, b: NodeName): number => idOf(a) - idOf(b);
  const nameOfId = (id: number): NodeName | undefined => cfg.nodes.find((n) => n.id === id)?.name;

  // ---- membership ------------------------------------------------------------------------------
  const links: Record<NodeName, boolean[]> = {};
  const peerLinks: Record<NodeName, Actor<typeof peerLinkMachine>> = {};
  const ringFaulty: Record<string, boolean> = {};
  let members: NodeName[] = [self];
  const info: Record<NodeName, NodeInfo> = {};
  for (const n of cfg.nodes)
    info[n.name] = { state: n.name === self ? 'member' : 'unseen', lostAtMs: 0, fencedAtMs: -1 };
  const everSeen: Record<NodeName, boolean> = { [self]: true };
  const fenceLog: Record<NodeName, number> = {};
  const standbyFlags: Record<NodeName, Flag> = {};
  const maintFlags: Record<NodeName, Flag> = {};
  let expectedOverride: { votes: number; at: number } | null = null;
  const peerShutdown: Record<NodeName, boolean> = {};

  // ---- quorum ----------------------------------------------------------------------------------
  let qstate: QuorumState = createQuorumState(cfg);
  let qresult: QuorumResult = QUORUM_NOT_COMPUTED;
  let quorate = false;
  let everQuorate = false;
  /** Since when this node's partition may act without a break (quorate, or `ignore` since boot). */
  let actingSinceMs = -1;
  let quorumActor: Actor<typeof quorumMachine> | null = null;
  let watchdogTimer: TimerHandle | undefined;
  /** When `start()` ran: a node never seen since then can only have self-fenced after it. */
  let startedAtMs = 0;
  const qdisk = {
    lastWriteOkMs: null as number | null,
    masterId: null as number | null,
    liveIds: [] as number[],
    slots: [] as Array<SlotState | null>,
    incarnation: 0,
    seq: 0,
  };
  let qdeviceHasVote = false;
  let qdevicePoll = 0;
  /**
   * A membership change is waiting for the arbiter's vote on the new membership (corosync's sync
   * with a qdevice: a vote cast for the previous ring does not count for the new one). Meanwhile
   * quorum is not recomputed and the coordinator does not act: a partition that lost the arbiter
   * to the other side must never act, even for an instant, on the vote it had before the split.
   */
  let qdeviceSync = false;
  const peerQuorateClear: Record<NodeName, boolean> = {};

  // ---- local resources --------------------------------------------------------------------------
  const local: Record<ResourceId, LocalResource> = {};
  const failCounts: Record<ResourceId, { count: number; lastFailureMs: number }> = {};
  let ackSeq = 0;
  let shuttingDown = false;
  let shutdownResolve: (() => void) | null = null;

  // ---- coordinator ---------------------------------------------------------------------------
  const reports: Record<NodeName, Report> = {};
  /**
   * The latest report of a peer that is not (yet) a member here: a peer may see us join before we
   * see it, send its report then and nothing more; it is taken when the peer joins.
   */
  const earlyReports: Record<NodeName, Report> = {};
  const lastKnown: Record<NodeName, Record<ResourceId, ResourceStatus>> = {};
  const sentSeq: Record<NodeName, number> = {};
  let cmdSeq = 0;
  const overlay: Record<NodeName, Record<ResourceId, ResourceStatus>> = {};
  const fenceDispatched: Record<NodeName, NodeName> = {};
  /** When each dispatched fence was due to start, and under which configuration version. */
  const fenceDue: Record<NodeName, { atMs: number; version: number }> = {};
  /** Per lost node: the resources active in this partition when it was lost, and where. */
  const heldAtLoss: Record<NodeName, HeldAtLoss> = {};
  const adminFence: Record<NodeName, string> = {};
  const watchdogWait: Record<NodeName, TimerHandle> = {};
  let lastPlanKey = '';

  // ---- fencing executor ------------------------------------------------------------------------
  const fences: Record<NodeName, FenceRun> = {};
  const finishing = new Set<Actor<typeof fencingMachine>>();
  let fenceCounter = 0;

  const isMember = (n: NodeName): boolean => members.includes(n);
  const coordinatorName = (): NodeName => members[0] ?? self;
  const isCoordinator = (): boolean => coordinatorName() === self;
  const policy = (): ClusterConfig['options']['noQuorumPolicy'] => cfg.options.noQuorumPolicy;
  const acting = (): boolean => quorate || policy() === 'ignore';
  const inMaintenance = (n: NodeName): boolean => maintFlags[n]?.on === true;
  const inStandby = (n: NodeName): boolean => standbyFlags[n]?.on === true;

  const send = (to: NodeName, msg: Message): void => {
    if (!running) return;
    if (to === self) {
      after(0, () => onMessage(self, msg));
      return;
    }
    transport.send(to, msg);
  };
  const broadcastAll = (msg: Message): void => {
    if (!running) return;
    for (const m of members) send(m, msg);
  };

  // ===========================================================================================
  // Membership

  function onLink(peer: NodeName, ring: number, up: boolean, silentForMs?: number): void {
    if (!running || peer === self || !(peer in info)) return;
    if (links[peer] === undefined) links[peer] = [];
    (links[peer] as boolean[])[ring] = up;
    peerLink(peer).send(
      up || silentForMs === undefined
        ? { type: 'link.changed', ring, up }
        : { type: 'link.changed', ring, up, silentForMs },
    );
  }

  /** The peer-link actor of `peer` (created on first use): per-ring reachability and token timeout. */
  function peerLink(peer: NodeName): Actor<typeof peerLinkMachine> {
    const existing = peerLinks[peer];
    if (existing !== undefined) return existing;
    const actor = createActor(peerLinkMachine, {
      clock,
      input: { peer, tokenTimeoutMs: cfg.options.tokenTimeoutMs },
    });
    peerLinks[peer] = actor;
    actor.on('ring.status', (e) => {
      if (!running) return;
      ringFaulty[`${e.peer}:${e.ring}`] = e.status === 'faulty';
      emitter.emit('ring', { peer: e.peer, ring: e.ring, status: e.status });
    });
    actor.on('peer.reachable', () => {
      if (!running) return;
      requestSchedule(); // starts held while the peer was silent may go now
      if (!isMember(peer)) queueMembership(peer);
      else sendReport();
    });
    actor.on('peer.silent', () => {
      if (running && isMember(peer)) sendReport(); // the coordinator holds new starts meanwhile
    });
    actor.on('peer.lost', () => {
      delete earlyReports[peer];
      if (running && isMember(peer)) queueMembership(peer);
    });
    actor.start();
    return actor;
  }

  /** Whether `peer` is a member that went silent on every ring (its token timeout runs). */
  const silentMember = (peer: NodeName): boolean =>
    isMember(peer) && peerLinks[peer]?.getSnapshot().matches('silent') === true;

  /** Membership changes of one instant are applied together (one new membership, as totem forms it). */
  const pendingPeers = new Set<NodeName>();
  let membershipQueued = false;
  function queueMembership(peer: NodeName): void {
    pendingPeers.add(peer);
    if (membershipQueued) return;
    membershipQueued = true;
    after(0, () => {
      membershipQueued = false;
      const joined: NodeName[] = [];
      const lost: NodeName[] = [];
      for (const p of [...pendingPeers].sort(byId)) {
        const up = (links[p] ?? []).some(Boolean);
        if (up && !isMember(p)) joined.push(p);
        if (!up && isMember(p) && !silentMember(p)) lost.push(p);
      }
      pendingPeers.clear();
      if (joined.length > 0 || lost.length > 0) changeMembership(joined, lost, []);
      else recomputeQuorum();
    });
  }

  function onTransportMembership(list: NodeName[]): void {
    for (const n of cfg.nodes) {
      if (n.name === self) continue;
      const up = list.includes(n.name);
      const arr = links[n.name] ?? [];
      if (up !== arr.some(Boolean)) onLink(n.name, 0, up);
    }
  }

  function changeMembership(joined: NodeName[], lost: NodeName[], left: NodeName[]): void {
    const now = clock.now();
    if (lost.length > 0) {
      // What the members that stay ran when these nodes were lost (see `heldSinceLoss`): their
      // reports and this node's pending commands as they are now (reports are never mutated).
      const held: HeldAtLoss = [];
      for (const m of members) {
        if (lost.includes(m)) continue;
        const o = overlay[m];
        held.push({
          node: m,
          resources: reports[m]?.resources,
          overlay: o === undefined ? undefined : { ...o },
        });
      }
      for (const n of lost) heldAtLoss[n] = held;
    }
    for (const n of joined) {
      info[n] = { state: 'member', lostAtMs: 0, fencedAtMs: info[n]?.fencedAtMs ?? -1, joinedAtMs: now };
      everSeen[n] = true;
      delete reports[n];
      delete overlay[n];
      // Commands sent to an earlier membership of it are history (a rebooted node counts its
      // acknowledgements from 0 again; waiting for it to acknowledge them would wait forever).
      delete sentSeq[n];
      // A report it sent while we did not count it as a member yet describes it now.
      const early = earlyReports[n];
      delete earlyReports[n];
      if (early !== undefined) reports[n] = early;
      delete lastKnown[n];
      delete peerShutdown[n];
    }
    for (const n of lost) {
      const i = info[n] as NodeInfo;
      const fenced = i.fencedAtMs >= 0 && (fenceLog[n] ?? -1) >= 0 && i.state === 'offline';
      info[n] = {
        // Only a clean leave (`node.leave`) spares the fence; a node lost while shutting down is unclean.
        state: fenced || !cfg.options.stonithEnabled ? 'offline' : 'unclean',
        lostAtMs: now,
        fencedAtMs: i.fencedAtMs,
      };
      const rep = reports[n];
      if (rep !== undefined) lastKnown[n] = { ...rep.resources, ...(overlay[n] ?? {}) };
      delete reports[n];
      delete earlyReports[n];
      delete overlay[n];
      delete peerQuorateClear[n];
    }
    for (const n of left) {
      info[n] = { state: 'offline', lostAtMs: now, fencedAtMs: info[n]?.fencedAtMs ?? -1 };
      delete reports[n];
      delete earlyReports[n];
      delete overlay[n];
      delete lastKnown[n];
      delete peerQuorateClear[n];
    }
    const set = new Set(members);
    for (const n of joined) set.add(n);
    for (const n of [...lost, ...left]) set.delete(n);
    members = [...set].sort(byId);
    emitter.emit('membership', { members: [...members], joined, lost, left });
    if (cfg.quorum.qdevice !== undefined && opts.quorumDevice !== undefined) qdeviceSync = true;
    recomputeQuorum();
    sendSync();
    sendReport();
    pollQdevice();
    requestSchedule();
  }

  // ===========================================================================================
  // Quorum

  function deviceVotes(): number {
    const q = cfg.quorum;
    if (q.qdisk !== undefined) {
      const memberIds = members.map(idOf);
      const own = qdiskVotes(q.qdisk, {
        members: memberIds,
        masterId: qdisk.masterId,
        liveIds: qdisk.liveIds,
        selfId: idOf(self),
      });
      if (own > 0) return own;
      // This node is dead to the disk itself (its own path is gone): its partition still holds the
      // live master when a member reports being it (SCENARIO-FORMAT: the partition counts the
      // disk's votes while it holds the live master). A node that reads the disk trusts its own
      // reading only.
      if (
        !qdisk.liveIds.includes(idOf(self)) &&
        members.some((m) => m !== self && reports[m]?.qdiskMaster === true)
      )
        return q.qdisk.votes;
      return 0;
    }
    if (q.qdevice !== undefined) return qdeviceHasVote ? q.qdevice.votes : 0;
    return 0;
  }

  function recomputeQuorum(): void {
    // A membership change is about to be applied in this instant; it recomputes then. Or the
    // arbiter has not voted on the new membership yet; it recomputes when it answers.
    if (membershipQueued || quorumActor === null || qdeviceSync) return;
    const view = {
      members: members.map(idOf),
      deviceVotes: deviceVotes(),
      ...(expectedOverride !== null ? { expectedOverride: expectedOverride.votes } : {}),
      ...(members.some((m) => m !== self && peerQuorateClear[m] === true) ? { peerQuorate: true } : {}),
    };
    quorumActor.send({ type: 'quorum.evaluate', view });
  }

  /** Takes a result of the quorum actor (an evaluation, or a last-man-standing expiry). */
  function applyQuorumResult(state: QuorumState, result: QuorumResult): void {
    qstate = state;
    const prev = qresult;
    qresult = result;
    const r = { result };
    const wasQuorate = quorate;
    quorate = r.result.quorate;
    if (
      prev.votes !== qresult.votes ||
      prev.expected !== qresult.expected ||
      prev.quorum !== qresult.quorum ||
      wasQuorate !== quorate
    ) {
      emitter.emit('quorum', {
        quorate,
        votes: qresult.votes,
        expected: qresult.expected,
        quorum: qresult.quorum,
        reason: qresult.reason,
      });
    }
    if (wasQuorate !== quorate) {
      if (quorate) everQuorate = true;
      if (quorate && policy() !== 'ignore') actingSinceMs = clock.now();
      onQuorumChange(wasQuorate);
      sendReport();
    }
  }

  function onQuorumChange(wasQuorate: boolean): void {
    if (quorate) {
      cancel(watchdogTimer);
      watchdogTimer = undefined;
      requestSchedule();
      return;
    }
    // Lost quorum (or still without it).
    if (policy() !== 'ignore') {
      for (const t of Object.keys(fences)) {
        if (adminFence[t] === undefined) cancelFence(t, 'partition lost quorum');
      }
    }
    if (wasQuorate && policy() === 'suicide') {
      selfFence('suicide: partition lost quorum');
      return;
    }
    // Watchdog self-fencing applies whatever the noQuorumPolicy: the quorate side counts this node
    // fenced 2 x timeout after losing it, so the reset must happen even under `ignore` (Pacemaker
    // likewise does not let no-quorum-policy=ignore weaken watchdog fencing). Safer than acting on.
    const wd = watchdogFor(self);
    if (wasQuorate && wd !== null) {
      cancel(watchdogTimer);
      watchdogTimer = after(wd, () => {
        watchdogTimer = undefined;
        if (!quorate) selfFence('watchdog: no quorum');
      });
    }
    enforceNoQuorum();
  }

  function selfFence(reason: string): void {
    emitter.emit('selfFence', { reason });
    logger.warn('self-fence', { node: self, reason });
    opts.onSelfFence?.(reason);
  }

  /** Set while {@link enforceNoQuorum} runs: each stop it sends re-enters it through onLocalChange. */
  let enforcing = false;

  function enforceNoQuorum(): void {
    if (quorate || !running || enforcing) return;
    enforcing = true;
    try {
      enforceNoQuorumNow();
    } finally {
      enforcing = false;
    }
  }

  function enforceNoQuorumNow(): void {
    const p = policy();
    if (p === 'stop' || p === 'demote' || p === 'suicide') {
      if (inMaintenance(self)) return;
      const lines: string[] = [];
      for (const [rid, lr] of Object.entries(local)) {
        if (lr.status === 'started' || lr.status === 'failed') {
          lines.push(`stop '${rid}' on '${self}' (no quorum, noQuorumPolicy ${p})`);
          lr.actor?.send({ type: 'resource.stop' });
        }
      }
      if (lines.length > 0) emitter.emit('transition', { actions: lines, placements: {} });
    }
  }

  /** The watchdog timeout covering `n`, or null when `n` is fenced by devices. */
  function watchdogFor(n: NodeName): number | null {
    const wd = cfg.fencing.devices.find(
      (d) => d.agent === 'watchdog' && (d.hosts.length === 0 || d.hosts.includes(n)),
    );
    if (wd === undefined) return null;
    const levels = cfg.fencing.topology[n] ?? [];
    const nonWd = levels
      .flat()
      .filter((name) => cfg.fencing.devices.find((d) => d.name === name)?.agent !== 'watchdog');
    if (nonWd.length > 0) return null;
    return wd.watchdogTimeoutMs ?? 5000;
  }

  // ---- quorum disk ----------------------------------------------------------------------------
  async function qdiskTick(): Promise<void> {
    const q = cfg.quorum.qdisk;
    const disk = opts.quorumDisk;
    if (q === undefined || disk === undefined || !running) return;
    const now = clock.now();
    const myId = idOf(self);
    const slot: SlotState = {
      nodeId: myId,
      timestampMs: now,
      incarnation: qdisk.incarnation,
      state: qdisk.masterId === myId ? 'master' : 'running',
      score: 1,
      masterId: qdisk.masterId ?? 0,
      seq: ++qdisk.seq,
    };
    const w = await callAdapter(clock, q.intervalMs, ac.signal, (ctx) => disk.write(myId, slot, ctx), {
      timeout: () => ({ ok: false as const, reason: 'timeout', detail: 'write timed out' }),
      aborted: () => ({ ok: false as const, reason: 'aborted', detail: 'aborted' }),
      error: (m) => ({ ok: false as const, reason: 'agent-error', detail: m }),
    });
    if (!running) return;
    if (w.ok) qdisk.lastWriteOkMs = now;
    const r = await callAdapter(clock, q.intervalMs, ac.signal, (ctx) => disk.readAll(ctx), {
      timeout: () => ({ ok: false as const, reason: 'timeout', detail: 'read timed out' }),
      aborted: () => ({ ok: false as const, reason: 'aborted', detail: 'aborted' }),
      error: (m) => ({ ok: false as const, reason: 'agent-error', detail: m }),
    });
    if (!running) return;
    const t = clock.now();
    const selfAlive = qdisk.lastWriteOkMs !== null && t - qdisk.lastWriteOkMs <= q.tko * q.intervalMs;
    if (r.ok) {
      qdisk.slots = r.slots;
      const live = qdiskLiveNodes(r.slots, t, q);
      // The master as the disk says (a live slot in state master), else our previous belief.
      const claimed = r.slots.find((s) => s !== null && s.state === 'master' && live.includes(s.nodeId));
      const prevMaster = claimed?.nodeId ?? qdisk.masterId;
      qdisk.liveIds = live;
      qdisk.masterId = electQdiskMaster(prevMaster, live);
    } else if (!selfAlive) {
      qdisk.liveIds = [];
      qdisk.masterId = null;
    }
    if (!selfAlive) qdisk.liveIds = qdisk.liveIds.filter((id) => id !== myId);
    const before = qresult.votes;
    recomputeQuorum();
    if (before !== qresult.votes) requestSchedule();
    // Members without a disk path of their own learn from the reports who holds the master.
    const claim = qdiskMasterClaim();
    if (claim !== lastQdiskClaim) {
      lastQdiskClaim = claim;
      sendReport();
    }
  }

  let lastQdiskClaim = false;
  /** This node is the quorum disk's live master (it reads the disk and the master is itself). */
  function qdiskMasterClaim(): boolean {
    const myId = idOf(self);
    return cfg.quorum.qdisk !== undefined && qdisk.masterId === myId && qdisk.liveIds.includes(myId);
  }

  function startQdisk(): void {
    const q = cfg.quorum.qdisk;
    if (q === undefined || opts.quorumDisk === undefined) return;
    const loop = (): void => {
      void qdiskTick();
      after(q.intervalMs, loop);
    };
    loop();
  }

  // ---- qdevice ----------------------------------------------------------------------------------
  function pollQdevice(): void {
    const dev = opts.quorumDevice;
    if (cfg.quorum.qdevice === undefined || dev === undefined || !running) return;
    const n = ++qdevicePoll;
    void callAdapter(
      clock,
      cfg.options.tokenTimeoutMs,
      ac.signal,
      (ctx) => dev.vote({ node: self, members: [...members] }, ctx),
      {
        timeout: () => ({ ok: false as const, reason: 'timeout', detail: 'no answer' }),
        aborted: () => ({ ok: false as const, reason: 'aborted', detail: 'aborted' }),
        error: (m) => ({ ok: false as const, reason: 'agent-error', detail: m }),
      },
    ).then((r) => {
      if (!running || n !== qdevicePoll) return;
      const vote = r.ok && r.vote;
      const synced = qdeviceSync;
      qdeviceSync = false;
      if (vote !== qdeviceHasVote || synced) {
        qdeviceHasVote = vote;
        recomputeQuorum();
        requestSchedule();
      }
    });
  }

  // ===========================================================================================
  // Messages

  function onMessage(from: NodeName, msg: Message): void {
    if (!running) return;
    switch (msg.type) {
      case 'report':
        onReport(msg as unknown as Report & Message);
        break;
      case 'report.request':
        // The coordinator lacks our report (one lost in flight, or sent before it counted us).
        sendReport();
        break;
      case 'sync':
        onSync(msg);
        break;
      case 'cmd.resource':
        onResourceCommand(from, msg);
        break;
      case 'cmd.fence':
        onFenceCommand(msg);
        break;
      case 'cmd.fenceDelay':
        fences[String(msg.target)]?.actor.send({
          type: 'fence.reschedule',
          delayMs: Number(msg.delayMs ?? 0),
        });
        break;
      case 'cmd.fenceCancel':
        cancelFence(String(msg.target), String(msg.reason ?? 'cancelled'));
        break;
      case 'fence.request': {
        const target = String(msg.target);
        const reason = String(msg.reason ?? 'requested by an administrator');
        if (isCoordinator() && target !== self) {
          adminFence[target] = reason;
          requestSchedule();
        } else if (coordinatorName() === target && members.find((m) => m !== target) === self) {
          // The coordinator itself is the target: the next member runs the fence.
          adminFence[target] = reason;
          dispatchFence(target, reason, 0);
        }
        break;
      }
      case 'fence.result':
        onFenceResult(String(msg.target), Number(msg.atMs), from);
        break;
      case 'node.leave':
        if (isMember(from) && from !== self) {
          changeMembership([], [], [from]);
        }
        break;
      case 'expected.set':
        if (typeof msg.votes === 'number' && typeof msg.at === 'number') {
          if (expectedOverride === null || msg.at > expectedOverride.at) {
            expectedOverride = { votes: msg.votes, at: msg.at };
            recomputeQuorum();
            requestSchedule();
          }
        }
        break;
      default:
        logger.debug('unknown message', { from, type: msg.type });
    }
  }

  function makeReport(): Report {
    const resources: Record<ResourceId, ResourceStatus> = {};
    for (const [rid, lr] of Object.entries(local)) if (lr.status !== 'stopped') resources[rid] = lr.status;
    return {
      node: self,
      ackSeq,
      resources,
      failCounts: copyFailCounts(failCounts),
      shutdown: shuttingDown,
      quorate,
      freshLost: freshLost(),
      silent: members.filter((m) => silentMember(m)),
      lost: cfg.nodes
        .filter((n) => info[n.name]?.state === 'unclean' && !isMember(n.name))
        .map((n) => n.name),
      qdiskMaster: qdiskMasterClaim(),
      ...silentKnown(),
      quorateClear: quorate && !qstate.waitForAllArmed,
      coordinator: coordinatorName(),
    };
  }

  /** The `silentKnown` part of this node's report (absent when no member is silent). */
  function silentKnown(): Pick<Report, 'silentKnown'> {
    const out: Pick<Report, 'silentKnown'> = {};
    for (const m of members) {
      if (m === self || !silentMember(m)) continue;
      out.silentKnown ??= {};
      out.silentKnown[m] = {
        joinedAtMs: info[m]?.joinedAtMs ?? 0,
        resources: { ...(reports[m]?.resources ?? {}), ...(overlay[m] ?? {}) },
      };
    }
    return out;
  }

  function sendReport(): void {
    if (!running || !joinedOnce) return;
    const rep = makeReport();
    broadcastAll({ type: 'report', ...rep });
  }

  function onReport(rep: Report): void {
    peerQuorateClear[rep.node] = rep.quorateClear;
    if (rep.shutdown) peerShutdown[rep.node] = true;
    if (!isMember(rep.node)) {
      if (rep.node !== self && rep.node in info) earlyReports[rep.node] = rep;
      return;
    }
    if (rep.node !== self && qstate.waitForAllArmed && rep.quorateClear) recomputeQuorum();
    if (rep.ackSeq < (sentSeq[rep.node] ?? 0)) return;
    const claimChanged = (reports[rep.node]?.qdiskMaster === true) !== (rep.qdiskMaster === true);
    reports[rep.node] = rep;
    if (claimChanged && cfg.quorum.qdisk !== undefined) recomputeQuorum();
    delete overlay[rep.node];
    if (isCoordinator()) requestSchedule();
  }

  /**
   * Nodes outside this node's membership that a member still counts as a member (silent, its
   * token timeout running) and that this node never saw: what they last reported may still run.
   * They hold starts of those resources (as an unclean node does) but are not fenced: they are
   * not lost yet for anybody.
   */
  function silentElsewhere(): Map<NodeName, Record<ResourceId, ResourceStatus>> {
    const held = new Map<NodeName, Record<ResourceId, ResourceStatus>>();
    for (const m of members) {
      const sk = m === self ? undefined : reports[m]?.silentKnown;
      if (sk === undefined) continue;
      for (const n in sk) {
        // A member still hears it (silent only for its token timeout): never seen here, or seen
        // going away (lost, fenced) before that member saw it join: it ran this lately.
        const mine = info[n];
        const k = sk[n] as { joinedAtMs: number; resources: Record<ResourceId, ResourceStatus> };
        if (n === self || isMember(n) || mine === undefined) continue;
        const stale =
          mine.state === 'unseen' ||
          (mine.state === 'offline' && mine.lostAtMs < k.joinedAtMs && (fenceLog[n] ?? -1) < k.joinedAtMs);
        if (!stale) continue;
        held.set(n, { ...(held.get(n) ?? {}), ...k.resources });
      }
    }
    return held;
  }
  let heldBySilent = new Map<NodeName, Record<ResourceId, ResourceStatus>>();

  function sendSync(): void {
    broadcastAll({
      type: 'sync',
      config: cfg as unknown as Record<string, unknown>,
      everSeen: { ...everSeen },
      fenceLog: { ...fenceLog },
      standby: { ...standbyFlags },
      maintenance: { ...maintFlags },
      expected: expectedOverride,
      states: Object.fromEntries(
        Object.entries(info).map(([n, i]) => [
          n,
          {
            state: isMember(n) ? 'member' : i.state,
            lostAtMs: i.lostAtMs,
            ...(i.state === 'unclean' && lastKnown[n] !== undefined
              ? { resources: { ...lastKnown[n] } }
              : {}),
          },
        ]),
      ),
    });
  }

  function onSync(msg: Message): void {
    let changed = false;
    const c = msg.config as unknown as ClusterConfig;
    if (c !== undefined && c.configVersion > cfg.configVersion) {
      adopt(c, 'synchronised from a peer');
      changed = true;
    }
    for (const n of Object.keys((msg.everSeen ?? {}) as Record<string, boolean>)) everSeen[n] = true;
    for (const [n, t] of Object.entries((msg.fenceLog ?? {}) as Record<string, number>)) {
      if ((fenceLog[n] ?? -1) < t) {
        noteFenced(n, t);
        changed = true;
      }
    }
    // What the peer knows of nodes outside this node's membership: a node its partition lost and
    // nobody fenced since is unclean here too (with what it ran, so its recovery waits for its
    // fence); a node it has seen go cleanly is offline rather than never seen.
    type PeerState = {
      state: NodeInfo['state'];
      lostAtMs: number;
      resources?: Record<ResourceId, ResourceStatus>;
    };
    for (const [n, st] of Object.entries((msg.states ?? {}) as Record<string, PeerState>)) {
      const mine = info[n];
      if (mine === undefined || isMember(n) || n === self) continue;
      if (st.state === 'unclean') {
        if ((fenceLog[n] ?? -1) >= st.lostAtMs) continue;
        const newer = mine.state === 'unseen' || (mine.state === 'offline' && mine.lostAtMs < st.lostAtMs);
        if (newer) {
          info[n] = { state: 'unclean', lostAtMs: st.lostAtMs, fencedAtMs: mine.fencedAtMs };
          changed = true;
        }
        if (info[n]?.state === 'unclean' && st.resources !== undefined && lastKnown[n] === undefined) {
          lastKnown[n] = { ...st.resources };
          changed = true;
        }
      } else if (st.state === 'offline' && mine.state === 'unseen') {
        info[n] = { state: 'offline', lostAtMs: st.lostAtMs, fencedAtMs: mine.fencedAtMs };
        changed = true;
      }
    }
    const merge = (mine: Record<NodeName, Flag>, theirs: Record<NodeName, Flag>): void => {
      for (const [n, f] of Object.entries(theirs)) {
        if (mine[n] === undefined || f.at > (mine[n] as Flag).at) {
          mine[n] = f;
          changed = true;
        }
      }
    };
    merge(standbyFlags, (msg.standby ?? {}) as Record<NodeName, Flag>);
    merge(maintFlags, (msg.maintenance ?? {}) as Record<NodeName, Flag>);
    const e = msg.expected as { votes: number; at: number } | null;
    if (e && (expectedOverride === null || e.at > expectedOverride.at)) {
      expectedOverride = e;
      recomputeQuorum();
    }
    if (changed) requestSchedule();
  }

  // ===========================================================================================
  // Local resources

  let resourceIndexOf: ClusterConfig | null = null;
  let resourceIndex = new Map<ResourceId, ClusterConfig['resources'][number]>();
  /** The configuration of a resource (indexed once per configuration). */
  function resourceConfig(rid: ResourceId): ClusterConfig['resources'][number] | undefined {
    if (resourceIndexOf !== cfg) {
      resourceIndex = new Map(cfg.resources.map((r) => [r.id, r]));
      resourceIndexOf = cfg;
    }
    return resourceIndex.get(rid);
  }

  function agentFor(rid: ResourceId) {
    const r = resourceConfig(rid);
    return opts.resourceAgents[rid] ?? (r ? opts.resourceAgents[r.agent] : undefined);
  }

  /** How a resource agent call that went wrong reads (one object for every call). */
  const resourceFailures = {
    timeout: (ms: number): ResourceOutcome => ({
      ok: false,
      reason: 'timeout',
      detail: `no answer within ${ms} ms`,
    }),
    aborted: (): ResourceOutcome => ({ ok: false, reason: 'aborted', detail: 'aborted' }),
    error: (m: string): ResourceOutcome => ({ ok: false, reason: 'agent-error', detail: m }),
  };

  function runResource(
    input: ResourceActionInput,
    signal: AbortSignal | undefined,
    probe = false,
  ): Promise<ResourceOutcome> {
    const agent = agentFor(input.resource);
    const r = resourceConfig(input.resource);
    if (agent === undefined) {
      return Promise.resolve({
        ok: false,
        reason: 'not-installed',
        detail: `no agent for resource '${input.resource}'`,
      });
    }
    return callAdapter<ResourceOutcome>(
      clock,
      input.timeoutMs,
      signal,
      (ctx) =>
        agent.run(
          {
            action: input.action,
            resource: input.resource,
            params: r?.params ? { ...r.params } : {},
            meta: probe
              ? { timeout: String(input.timeoutMs), probe: 'true' }
              : { timeout: String(input.timeoutMs) },
          },
          ctx,
        ),
      resourceFailures,
    );
  }

  const providedResourceMachine = resourceMachine.provide({
    actors: {
      runResourceAction: fromPromise<ResourceOutcome, ResourceActionInput>(({ input, signal }) =>
        runResource(input, signal),
      ),
      monitorLoop: createMonitorLoop(clock, (input, signal) => runResource(input, signal)),
    },
  });

  function ensureActor(rid: ResourceId, initial: 'stopped' | 'started'): LocalResource {
    const existing = local[rid];
    if (existing?.actor) return existing;
    const rc = resourceConfig(rid);
    const actor = createActor(providedResourceMachine, {
      clock,
      input: {
        resource: rid,
        node: self,
        initial,
        monitorIntervalMs: rc?.monitorIntervalMs ?? 10_000,
        timeoutMs: resourceTimeoutMs,
      },
    });
    const lr: LocalResource = { actor, status: initial };
    local[rid] = lr;
    actor.on('resource.changed', (e) => {
      if (!running) return;
      if (!e.ok && e.action !== 'stop') {
        if (failCounts[rid] === undefined) failCounts[rid] = { count: 0, lastFailureMs: 0 };
        const fc = failCounts[rid] as { count: number; lastFailureMs: number };
        fc.count += 1;
        fc.lastFailureMs = clock.now();
      }
      emitter.emit('resource', {
        resource: rid,
        action: e.action,
        ok: e.ok,
        status: statusOf(actor),
        detail: e.detail,
      });
    });
    actor.subscribe((snap) => {
      if (!running) return;
      const status = statusFromValue(snap.value);
      if (status !== lr.status) {
        lr.status = status;
        onLocalChange();
      }
    });
    actor.start();
    return lr;
  }

  function statusOf(actor: Actor<typeof resourceMachine>): ResourceStatus {
    return statusFromValue(actor.getSnapshot().value);
  }

  function onLocalChange(): void {
    sendReport();
    if (!quorate) enforceNoQuorum();
    if (shuttingDown) maybeFinishShutdown();
  }

  function onResourceCommand(from: NodeName, msg: Message): void {
    const seq = Number(msg.seq);
    if (seq > ackSeq) ackSeq = seq;
    const rid = String(msg.resource);
    const op = String(msg.op);
    if (resourceConfig(rid) === undefined && !(op === 'stop' && local[rid] !== undefined)) {
      sendReport();
      return;
    }
    if (op === 'start') {
      // A start decided by a coordinator of an earlier membership is refused: the current one
      // may already have placed the resource elsewhere from reports that did not show this start.
      const refuse =
        (!quorate && policy() !== 'ignore') ||
        inMaintenance(self) ||
        shuttingDown ||
        from !== coordinatorName();
      if (!refuse) {
        const lr = ensureActor(rid, 'stopped');
        lr.actor?.send({ type: 'resource.start' });
      }
    } else if (op === 'stop') {
      const lr = local[rid];
      if (lr?.actor && !inMaintenance(self)) lr.actor.send({ type: 'resource.stop' });
    }
    sendReport();
  }

  async function probeAll(): Promise<void> {
    const results = await Promise.all(
      cfg.resources.map(async (r) => {
        const out = await runResource(
          { resource: r.id, action: 'monitor', timeoutMs: resourceTimeoutMs },
          undefined,
          true,
        );
        return { id: r.id, running: out.ok && out.running };
      }),
    );
    if (!running) return;
    for (const p of results) {
      if (p.running) ensureActor(p.id, 'started');
      emitter.emit('resource', {
        resource: p.id,
        action: 'probe',
        ok: true,
        status: p.running ? 'started' : 'stopped',
        detail: p.running ? 'running' : 'not running',
      });
    }
  }

  // ===========================================================================================
  // Coordinator

  /**
   * When the coordinator decides is the coordinator machine's concern (`machines/coordinator`):
   * every change asks it for a run (`coordinator.changed`); it batches the changes of one instant,
   * checks that this node still leads, that its partition may act and that every member's report
   * is in (asking the missing ones again a quarter token timeout later: a report can be lost, a
   * datagram dropped or sent before this node counted the peer as a member), and re-runs when a
   * fail count expires. What it decides is `decide()` below.
   */
  const leadsNow = (): boolean => running && joinedOnce && isCoordinator() && !qdeviceSync;
  const coordinatorActor = createActor(
    provideCoordinator({
      leads: leadsNow,
      acting,
      reportsMissing: () => members.some((m) => reports[m] === undefined),
      nextExpiryInMs: () => {
        const f = nextFailureExpiryInMs();
        let d: number | null = null;
        const now = clock.now();
        for (const n in disputeSince) {
          const due = (disputeSince[n] as number) + cfg.options.tokenTimeoutMs - now;
          if (due > 0 && (d === null || due < d)) d = due;
        }
        return f === null ? d : d === null ? f : Math.min(f, d);
      },
      askIntervalMs: () => Math.max(50, Math.floor(cfg.options.tokenTimeoutMs / 4)),
      decide,
      fenceOnRequestOnly: () => {
        for (const t of Object.keys(adminFence)) dispatchFence(t, adminFence[t] as string, 0);
        // A partition that may no longer act fences nobody on its own account (cman's fenced
        // postpones fencing until quorum; Pacemaker's fencer needs quorum unless `ignore`). The
        // executors cancel on their own quorum loss (`onQuorumChange`); withdrawing here also
        // forgets the dispatch, so the fence is requested again once quorum returns.
        withdrawFences((t) => adminFence[t] === undefined, 'partition lost quorum');
      },
      askForReports: () => {
        const missing = members.filter((m) => reports[m] === undefined);
        logger.debug('asking members for their reports again', { node: self, missing });
        for (const m of missing) send(m, { type: 'report.request' });
      },
    }),
    { clock },
  );

  function coordinatorView(): ClusterNodeStatus['coordinatorMachine'] {
    const snap = coordinatorActor.getSnapshot();
    const v = snap.value as Record<string, string>;
    return {
      role: v.role === 'leading' ? 'leading' : 'follower',
      run: (v.run ?? 'idle') as ClusterNodeStatus['coordinatorMachine']['run'],
      reports: v.reports === 'waiting' ? 'waiting' : 'complete',
      expiry: v.expiry === 'armed' ? 'armed' : 'off',
      decisions: snap.context.decisions,
      waits: snap.context.waits,
    };
  }

  function requestSchedule(): void {
    if (!running) return;
    coordinatorActor.send({ type: 'coordinator.changed', leading: leadsNow() });
  }

  function nodeStateForPolicy(n: NodeName): 'online' | 'offline' | 'unclean' {
    const i = info[n];
    if (i === undefined) return 'offline';
    if (heldBySilent.has(n)) return 'unclean';
    if (cfg.options.stonithEnabled && expelled(n)) return 'unclean';
    if (i.state === 'member')
      return i.fencedAtMs >= 0 && (fenceLog[n] ?? -1) > (i.lostAtMs || -1) && !isMember(n)
        ? 'offline'
        : isMember(n)
          ? 'online'
          : 'offline';
    if (i.state === 'unclean') return 'unclean';
    if (i.state === 'unseen') return startupFenceWanted(n) ? 'unclean' : 'offline';
    return 'offline';
  }

  /** Lost, unfenced nodes lost during this node's current spell of acting (so what they ran is known). */
  function freshLost(): NodeName[] {
    if (!acting()) return [];
    return cfg.nodes
      .filter((n) => info[n.name]?.state === 'unclean' && (info[n.name]?.lostAtMs ?? -1) >= actingSinceMs)
      .map((n) => n.name);
  }

  /** Whether a node never seen since start is to be fenced: startup fencing on and some device can. */
  function startupFenceWanted(n: NodeName): boolean {
    if (!cfg.options.startupFencing || !cfg.options.stonithEnabled || inMaintenance(n)) return false;
    return (cfg.fencing.topology[n] ?? []).some((l) => l.length > 0) || watchdogFor(n) !== null;
  }

  function currentView(): Record<ResourceId, Record<NodeName, ResourceStatus>> {
    const view: Record<ResourceId, Record<NodeName, ResourceStatus>> = {};
    const put = (n: NodeName, rid: ResourceId, s: ResourceStatus): void => {
      if (view[rid] === undefined) view[rid] = {};
      (view[rid] as Record<NodeName, ResourceStatus>)[n] = s;
    };
    for (const m of members) {
      const rep = reports[m];
      if (rep) for (const rid in rep.resources) put(m, rid, rep.resources[rid] as ResourceStatus);
      const o = overlay[m];
      if (o) for (const rid in o) put(m, rid, o[rid] as ResourceStatus);
      // On a node in maintenance, an instance whose monitor failed is known stopped: the resource
      // may start elsewhere (the failed instance itself is left alone until maintenance ends).
      if (inMaintenance(m))
        for (const rid in view)
          if (view[rid]?.[m] === 'failed') delete (view[rid] as Record<NodeName, ResourceStatus>)[m];
    }
    for (const [n, res] of heldBySilent)
      for (const rid in res) if (res[rid] !== 'stopped') put(n, rid, res[rid] as ResourceStatus);
    for (const n in lastKnown) {
      if (nodeStateForPolicy(n) !== 'unclean') continue;
      const res = lastKnown[n] as Record<ResourceId, ResourceStatus>;
      for (const rid in res) if (res[rid] !== 'stopped') put(n, rid, res[rid] as ResourceStatus);
    }
    return view;
  }

  /** One full decision of the coordinator: every member's report is in and the partition may act. */
  function decide(): void {
    heldBySilent = silentElsewhere();
    refreshDisputes();
    const view = currentView();
    const nodes: CoordinatorNodeView[] = cfg.nodes.map((n) => ({
      name: n.name,
      state: nodeStateForPolicy(n.name),
      // A member that reports no quorum while this partition has it sees another membership (a
      // crossed ring fault) and refuses starts: nothing is placed on it (as on a node in standby).
      standby:
        inStandby(n.name) ||
        (n.name !== self && quorate && policy() !== 'ignore' && reports[n.name]?.quorate === false),
      maintenance: inMaintenance(n.name),
      shutdown: reports[n.name]?.shutdown === true,
    }));
    const fc: Record<NodeName, Record<ResourceId, { count: number; lastFailureMs: number }>> = {};
    for (const m of members) if (reports[m]) fc[m] = reports[m].failCounts;
    const snapshot = buildSnapshot({
      cfg,
      nodes,
      coordinator: self,
      view,
      failCounts: fc,
      hasQuorum: quorate,
      nowMs: clock.now(),
    });
    const transition = schedule(snapshot);

    // Fencing.
    decideFencing(view);

    // Nodes never seen since start may run anything: with startup fencing, no start runs before
    // they are fenced (Pacemaker orders starts after the startup fencing).
    // A node never seen that is in maintenance is not fenced, and what it runs is unknown (not
    // "known stopped"): nothing starts until it is seen or its maintenance ends (then it is fenced).
    const unseenPending = cfg.nodes.some(
      (n) =>
        info[n.name]?.state === 'unseen' &&
        !isMember(n.name) &&
        (startupFenceWanted(n.name) ||
          (inMaintenance(n.name) && cfg.options.startupFencing && cfg.options.stonithEnabled)),
    );
    // A lost node this partition has not watched since it was lost (it was lost before our current
    // spell of quorum) may have run anything meanwhile in another partition: like a node never
    // seen, nothing starts until it is fenced.
    const skipLost = cfg.fencing.skipWhenLost !== undefined && lostShare() >= cfg.fencing.skipWhenLost;
    // Under `ignore` every partition acts as if quorate, so a lost node keeps acting on its side
    // too: once it has fenced the nodes it lost, it starts whatever it believes free, including
    // what our side moved or started meanwhile. What it ran when we lost it therefore says nothing
    // of what it runs now: like a node never seen, nothing starts here until it is fenced.
    const fresh = new Set<NodeName>(policy() === 'ignore' ? [] : freshLost());
    if (policy() !== 'ignore')
      for (const m of members) for (const n of reports[m]?.freshLost ?? []) fresh.add(n);
    // A resource that ran in this partition when the stale node was lost, on a node that has
    // stayed a member since, may start again on that same node before the stale node is fenced:
    // the other side may start it only after fencing that node, which kills it there. Anything
    // else (a resource free then, or one moved to another node) may run over there.
    const staleLost =
      cfg.options.stonithEnabled && !skipLost
        ? cfg.nodes
            .map((n) => n.name)
            .filter((n) => {
              const i = info[n];
              return i?.state === 'unclean' && !isMember(n) && !inMaintenance(n) && !fresh.has(n);
            })
        : [];
    const heldSinceLoss = (lostNode: NodeName, rid: ResourceId, on: NodeName): boolean => {
      const holder = holderAtLoss(heldAtLoss[lostNode], rid);
      if (holder !== on) return false;
      const lostAt = info[lostNode]?.lostAtMs ?? Number.POSITIVE_INFINITY;
      if (holder === self) return startedAtMs <= lostAt;
      return isMember(holder) && (info[holder]?.joinedAtMs ?? Number.POSITIVE_INFINITY) <= lostAt;
    };
    // While a member is silent (its token timeout runs), the membership is about to change and
    // messages from its side may be lost: start nothing new until it settles (as corosync delivers
    // nothing while the token is lost). Stops and fencing go on.
    // That matters only if the silent side could be quorate once the membership settles: when the
    // members nobody hears silent hold a strict majority of the expected votes on their own (no
    // quorum device, not `ignore`), it cannot, and starts go on.
    const silentNow = new Set<NodeName>();
    for (const m of members) {
      if (silentMember(m)) silentNow.add(m);
      for (const n of reports[m]?.silent ?? []) silentNow.add(n);
    }
    const settling =
      (silentNow.size > 0 && !majorityWithout(silentNow)) || Object.keys(disputeSince).length > 0;
    const plan = planCommands({
      resources: cfg.resources,
      placements: transition.placements,
      view,
      nodeState: nodeStateForPolicy,
      maintenance: inMaintenance,
      mayStart: (rid, on) => staleLost.every((n) => heldSinceLoss(n, rid, on)),
      canStartOn: (n) =>
        !unseenPending &&
        !settling &&
        isMember(n) &&
        !inMaintenance(n) &&
        reports[n]?.shutdown !== true &&
        // It would refuse a start from a coordinator it does not recognise (views still differ);
        // its next report, once they agree, schedules again.
        reports[n]?.coordinator === self &&
        (reports[n]?.quorate === true || policy() === 'ignore'),
    });
    // Orphans: resources no longer in the configuration are stopped where they run.
    for (const rid in view) {
      if (resourceConfig(rid) !== undefined) continue;
      const per = view[rid] as Record<NodeName, ResourceStatus>;
      for (const n in per) {
        const st = per[n];
        if ((st === 'started' || st === 'failed') && isMember(n) && !inMaintenance(n))
          plan.stops.push({ resource: rid, node: n });
      }
    }
    const lines: string[] = [];
    for (const s of plan.stops) {
      lines.push(`stop '${s.resource}' on '${s.node}'`);
      command(s.node, 'stop', s.resource, 'stopping');
    }
    for (const s of plan.starts) {
      lines.push(`start '${s.resource}' on '${s.node}'`);
      command(s.node, 'start', s.resource, 'starting');
    }
    const key = plan.waiting.map((w) => `${w.resource}>${w.node}|${w.until}`).join(',');
    if (key !== lastPlanKey && plan.waiting.length > 0) {
      for (const w of plan.waiting)
        lines.push(`recover '${w.resource}' on '${w.node}' after fencing '${w.until}'`);
    }
    lastPlanKey = key;
    if (lines.length > 0) emitter.emit('transition', { actions: lines, placements: transition.placements });
  }

  /**
   * Members of this node's membership that another member has lost (their memberships disagree:
   * a node that shares no working ring with some members, as a crossed ring fault makes). While
   * they disagree nothing new starts; when they still disagree a token timeout later, the node is
   * expelled as corosync's membership would: counted lost here too and fenced. `disputeSince`
   * keeps when each disagreement was first seen; `decide()` refreshes it.
   */
  const disputeSince: Record<NodeName, number> = {};
  function disputed(): NodeName[] {
    const lostBy = (a: NodeName, b: NodeName): boolean =>
      (a !== self && reports[a]?.lost.includes(b) === true) ||
      (b !== self && reports[b]?.lost.includes(a) === true);
    if (!members.some((a) => members.some((b) => a !== b && lostBy(a, b)))) return [];
    // Keep one membership everybody in it agrees on, as totem would form it: this node, then each
    // member in node-id order that no member kept so far has lost; the others are disputed.
    const kept: NodeName[] = [self];
    const out: NodeName[] = [];
    for (const n of members) {
      if (n === self) continue;
      if (kept.every((k) => !lostBy(k, n))) kept.push(n);
      else out.push(n);
    }
    return out;
  }
  function refreshDisputes(): void {
    const now = clock.now();
    const current = new Set(disputed());
    for (const n of Object.keys(disputeSince)) if (!current.has(n)) delete disputeSince[n];
    for (const n of current) disputeSince[n] ??= now;
  }
  /** A disputed member that has stayed disputed for a token timeout: lost here too. */
  const expelled = (n: NodeName): boolean =>
    disputeSince[n] !== undefined && clock.now() - (disputeSince[n] as number) >= cfg.options.tokenTimeoutMs;

  /** Whether the members outside `silent` hold a strict majority of the expected votes by themselves. */
  function majorityWithout(silent: ReadonlySet<NodeName>): boolean {
    if (policy() === 'ignore' || cfg.quorum.qdisk !== undefined || cfg.quorum.qdevice !== undefined)
      return false;
    let ours = 0;
    for (const m of members) if (!silent.has(m)) ours += cfg.nodes.find((n) => n.name === m)?.votes ?? 0;
    return 2 * ours > qresult.expected;
  }

  /** Time until the next fail count of a member expires (its resource's `failureTimeout`), or null. */
  function nextFailureExpiryInMs(): number | null {
    let next = Number.POSITIVE_INFINITY;
    const now = clock.now();
    for (const r of cfg.resources) {
      if (r.failureTimeoutMs <= 0) continue;
      for (const m of members) {
        const f = reports[m]?.failCounts[r.id];
        if (f && f.count > 0) {
          // The scheduler counts a failure expired once now > last failure + failureTimeout.
          const due = f.lastFailureMs + r.failureTimeoutMs + 1;
          if (due > now && due < next) next = due;
        }
      }
    }
    return Number.isFinite(next) ? next - now : null;
  }

  function command(node: NodeName, op: 'start' | 'stop', rid: ResourceId, optimistic: ResourceStatus): void {
    const seq = ++cmdSeq;
    sentSeq[node] = seq;
    if (overlay[node] === undefined) overlay[node] = {};
    (overlay[node] as Record<ResourceId, ResourceStatus>)[rid] = optimistic;
    send(node, { type: 'cmd.resource', seq, op, resource: rid });
  }

  function lostShare(): number {
    const lost = cfg.nodes.filter((n) => info[n.name]?.state === 'unclean').length;
    return lost / Math.max(1, cfg.nodes.length);
  }

  function nodePriority(n: NodeName, view: Record<ResourceId, Record<NodeName, ResourceStatus>>): number {
    let p = 0;
    for (const r of cfg.resources) {
      const s = view[r.id]?.[n];
      if (s !== undefined && s !== 'stopped') p += r.priority;
    }
    return p;
  }

  function decideFencing(view: Record<ResourceId, Record<NodeName, ResourceStatus>>): void {
    const wanted: Record<NodeName, { reason: string; delayMs: number }> = {};
    const now = clock.now();
    const skip = cfg.fencing.skipWhenLost !== undefined && lostShare() >= cfg.fencing.skipWhenLost;
    const byIdOrder = [...cfg.nodes].sort((a, b) => a.id - b.id);
    // Nodes with a blocked instance, in one pass over the view (not one pass per node).
    const blockedOn = new Set<NodeName>();
    for (const rid in view) {
      const per = view[rid] as Record<NodeName, ResourceStatus>;
      for (const n in per) if (per[n] === 'blocked') blockedOn.add(n);
    }
    if (cfg.options.stonithEnabled) {
      const pfd = cfg.options.priorityFencingDelayMs;
      const prios = pfd > 0 ? byIdOrder.map((n) => nodePriority(n.name, view)) : [0];
      const allEqual = prios.every((p) => p === prios[0]);
      const top = Math.max(...prios);
      for (const n of byIdOrder) {
        const name = n.name;
        if (name === self || inMaintenance(name) || heldBySilent.has(name)) continue;
        const st = nodeStateForPolicy(name);
        if (st === 'unclean' && (!isMember(name) || expelled(name))) {
          if (skip) continue;
          const i = info[name] as NodeInfo;
          const lostAt = expelled(name)
            ? (disputeSince[name] as number)
            : i.state === 'unseen'
              ? now
              : i.lostAtMs;
          let delay = Math.max(0, lostAt + cfg.options.fenceDelayMs - now);
          if (
            pfd > 0 &&
            members.length * 2 <= cfg.nodes.length &&
            !allEqual &&
            nodePriority(name, view) === top
          )
            delay += pfd;
          wanted[name] = {
            reason: expelled(name)
              ? 'other members lost it (their memberships disagree)'
              : i.state === 'unseen'
                ? 'node was never seen since start'
                : 'peer is no longer part of the cluster',
            delayMs: delay,
          };
        } else if (isMember(name)) {
          if (blockedOn.has(name)) wanted[name] = { reason: 'a stop failed there', delayMs: 0 };
        }
      }
      // A blocked resource on the coordinator itself is fenced by another member.
      if (blockedOn.has(self)) wanted[self] = { reason: 'a stop failed there', delayMs: 0 };
    }
    for (const [t, reason] of Object.entries(adminFence)) wanted[t] ??= { reason, delayMs: 0 };
    for (const [t, w] of Object.entries(wanted)) {
      const ex = fenceDispatched[t];
      if (ex !== undefined && isMember(ex)) {
        // A new configuration (fenceDelay, device delays) moves a fence that still waits.
        const due = fenceDue[t];
        if (due !== undefined && due.version !== cfg.configVersion) {
          if (due.atMs > now && now + w.delayMs !== due.atMs && watchdogWait[t] === undefined)
            send(ex, { type: 'cmd.fenceDelay', target: t, delayMs: w.delayMs });
          fenceDue[t] = { atMs: now + w.delayMs, version: cfg.configVersion };
        }
        continue;
      }
      const wd = watchdogFor(t);
      if (wd !== null && adminFence[t] === undefined && !isMember(t)) {
        // A watchdog fence is only an assumption: "a node that lost quorum resets itself". It holds
        // for a partition that really has quorum (the target's side cannot have it), never for one
        // acting under `ignore` without quorum, where the target may be quorate and alive (as
        // Pacemaker, which counts watchdog self-fencing only with quorum). So it stays pending.
        if (!quorate) continue;
        if (watchdogWait[t] === undefined) {
          const lostAt = Math.max(info[t]?.lostAtMs ?? now, startedAtMs);
          fenceDispatched[t] = self;
          emitter.emit('fence', {
            kind: 'requested',
            target: t,
            executor: self,
            reason: `${w.reason} (watchdog)`,
            delayMs: Math.max(0, lostAt + 2 * wd - now),
          });
          watchdogWait[t] = after(Math.max(0, lostAt + 2 * wd - now), () => {
            delete watchdogWait[t];
            delete fenceDispatched[t];
            if (nodeStateForPolicy(t) === 'unclean' && quorate) {
              emitter.emit('fence', { kind: 'watchdog', target: t });
              announceFenced(t);
            }
          });
        }
        continue;
      }
      dispatchFence(t, w.reason, w.delayMs);
    }
    withdrawFences(
      (t) => wanted[t] === undefined,
      cfg.options.stonithEnabled ? 'no longer needed' : 'fencing disabled',
    );
  }

  /** Cancels the dispatched fences (and pending watchdog counts) whose target `drop` selects. */
  function withdrawFences(drop: (target: NodeName) => boolean, reason: string): void {
    for (const [t, ex] of Object.entries(fenceDispatched)) {
      if (!drop(t)) continue;
      if (watchdogWait[t] !== undefined) {
        cancel(watchdogWait[t]);
        delete watchdogWait[t];
      } else {
        send(ex, { type: 'cmd.fenceCancel', target: t, reason });
      }
      delete fenceDispatched[t];
    }
  }

  function dispatchFence(target: NodeName, reason: string, delayMs: number): void {
    if (fenceDispatched[target] !== undefined && isMember(fenceDispatched[target] as NodeName)) return;
    const executor = members.find((m) => m !== target);
    if (executor === undefined) return;
    fenceDispatched[target] = executor;
    fenceDue[target] = { atMs: clock.now() + delayMs, version: cfg.configVersion };
    send(executor, { type: 'cmd.fence', target, reason, delayMs });
  }

  // ===========================================================================================
  // Fencing executor

  function runFenceDevice(input: FenceActionInput, signal: AbortSignal): Promise<FenceOutcome> {
    const agent = opts.fenceAgents[input.device];
    const dev = cfg.fencing.devices.find((d) => d.name === input.device);
    if (agent === undefined || dev === undefined) {
      return Promise.resolve({
        ok: false,
        reason: 'unreachable',
        detail: `no agent for device '${input.device}'`,
      });
    }
    const port = dev.port[input.target];
    return callAdapter<FenceOutcome>(
      clock,
      input.timeoutMs,
      signal,
      (ctx) =>
        agent.run(
          { action: input.action, target: input.target, ...(port !== undefined ? { port } : {}) },
          ctx,
        ),
      {
        timeout: (ms) => ({ ok: false, reason: 'timeout', detail: `no answer within ${ms} ms` }),
        aborted: () => ({ ok: false, reason: 'aborted', detail: 'aborted' }),
        error: (m) => ({ ok: false, reason: 'agent-error', detail: m }),
      },
    );
  }

  const providedFencing = fencingMachine.provide({
    actors: {
      runFenceAction: fromPromise<FenceOutcome, FenceActionInput>(({ input, signal }) =>
        runFenceDevice(input, signal),
      ),
    },
  });

  /** How this node fences `target` under the current configuration. */
  function fenceSettings(target: NodeName): FencingSettings {
    const levels = (cfg.fencing.topology[target] ?? [])
      .map((l) => l.filter((d) => cfg.fencing.devices.find((x) => x.name === d)?.agent !== 'watchdog'))
      .filter((l) => l.length > 0);
    const deviceDelays: Record<string, number> = {};
    for (const d of cfg.fencing.devices) deviceDelays[d.name] = d.delayMs;
    return {
      action: cfg.options.fenceAction,
      levels,
      deviceDelays,
      stonithTimeoutMs: cfg.options.stonithTimeoutMs,
      maxAttempts: Math.max(1, cfg.fencing.maxAttempts),
      retryIntervalMs: cfg.fencing.retryIntervalMs,
    };
  }

  function onFenceCommand(msg: Message): void {
    const target = String(msg.target);
    const reason = String(msg.reason ?? '');
    const delayMs = Number(msg.delayMs ?? 0);
    if (target === self || fences[target] !== undefined) return;
    const id = `fence:${target}:${++fenceCounter}`;
    const actor = createActor(providedFencing, {
      clock,
      id,
      input: { id, target, startDelayMs: delayMs, ...fenceSettings(target) },
    });
    fences[target] = { actor, id };
    emitter.emit('fence', { kind: 'requested', target, executor: self, reason, delayMs });
    actor.on('fence.device', (e) => {
      if (!running) return;
      emitter.emit('fence', {
        kind: 'device',
        target,
        device: e.device,
        level: e.level,
        action: e.action,
        ok: e.ok,
        detail: e.detail,
      });
    });
    actor.on('fence.succeeded', (e) => {
      if (!running) return;
      // Done: the actor may still switch outlets back on, but the request is no longer pending.
      if (fences[target]?.id === id) {
        delete fences[target];
        finishing.add(actor);
      }
      emitter.emit('fence', { kind: 'succeeded', target, device: e.device, level: e.level });
      announceFenced(target);
    });
    actor.on('fence.attemptFailed', (e) => {
      if (!running) return;
      emitter.emit('fence', { kind: 'attemptFailed', target, attempt: e.attempt, retry: e.retry });
    });
    actor.subscribe({
      complete: () => {
        if (fences[target]?.id === id) delete fences[target];
        finishing.delete(actor);
      },
    });
    actor.start();
  }

  function cancelFence(target: NodeName, reason: string): void {
    const run = fences[target];
    if (run === undefined) return;
    const snap = run.actor.getSnapshot();
    if (snap.status !== 'active') return;
    const ctx = snap.context;
    const early =
      snap.matches('delaying') ||
      (snap.matches({ attempting: 'deviceDelay' }) &&
        ctx.attempt === 1 &&
        ctx.levelIdx === 0 &&
        ctx.devIdx === 0) ||
      snap.matches('waitingRetry') ||
      reason === 'partition lost quorum' ||
      reason === 'target in maintenance';
    if (!early && reason === 'no longer needed') return;
    run.actor.send({ type: 'fence.cancel' });
    delete fences[target];
    emitter.emit('fence', { kind: 'cancelled', target, reason });
  }

  function announceFenced(target: NodeName): void {
    const at = clock.now();
    noteFenced(target, at);
    broadcastAll({ type: 'fence.result', target, atMs: at });
    requestSchedule();
  }

  function onFenceResult(target: NodeName, atMs: number, _from: NodeName): void {
    noteFenced(target, atMs);
    requestSchedule();
  }

  function noteFenced(target: NodeName, atMs: number): void {
    if ((fenceLog[target] ?? -1) < atMs) fenceLog[target] = atMs;
    const i = info[target];
    // A member that joined after that fence is a new incarnation: the fence is history.
    if (isMember(target) && i !== undefined && (i.joinedAtMs ?? 0) > atMs) return;
    // A fence older than the loss this node knows of is history too: the node came back after it.
    if (i !== undefined && i.state === 'unclean' && atMs < i.lostAtMs) return;
    if (i !== undefined) {
      i.fencedAtMs = atMs;
      if (i.state === 'unclean' || i.state === 'unseen') i.state = 'offline';
    }
    delete lastKnown[target];
    delete adminFence[target];
    delete fenceDispatched[target];
    if (isMember(target) && target !== self) {
      // A fenced member is off now whatever the links say; drop it at once.
      changeMembership([], [], [target]);
    }
  }

  // ===========================================================================================
  // Shutdown

  function maybeFinishShutdown(): void {
    if (!shuttingDown || !running) return;
    const busy = Object.values(local).some((lr) => lr.status !== 'stopped');
    if (busy) {
      if (!acting() || members.length === 1) {
        for (const lr of Object.values(local))
          if (lr.status === 'started' || lr.status === 'failed') lr.actor?.send({ type: 'resource.stop' });
      }
      return;
    }
    broadcastAll({ type: 'node.leave' });
    const r = shutdownResolve;
    shutdownResolve = null;
    after(0, () => {
      void api.stop().then(() => r?.());
    });
  }

  // ===========================================================================================
  // Config

  function adopt(next: ClusterConfig, why: string): void {
    const prevVersion = cfg.configVersion;
    cfg = next;
    quorumActor?.send({ type: 'quorum.configure', cfg: next });
    // Fences under way take the new topology, delays and limits at their next attempt.
    for (const [target, run] of Object.entries(fences))
      run.actor.send({ type: 'fence.configure', settings: fenceSettings(target) });
    // Without fencing there is nothing to wait for: a lost node's resources count as stopped.
    if (!cfg.options.stonithEnabled)
      for (const n of cfg.nodes)
        if (info[n.name]?.state === 'unclean')
          info[n.name] = { ...(info[n.name] as NodeInfo), state: 'offline' };
    for (const n of cfg.nodes) info[n.name] ??= { state: 'unseen', lostAtMs: 0, fencedAtMs: -1 };
    emitter.emit('config', {
      version: cfg.configVersion,
      accepted: true,
      message: `configuration version ${cfg.configVersion} applied (was ${prevVersion}; ${why})`,
    });
    recomputeQuorum();
    // A partition already without quorum follows the new noQuorumPolicy at once.
    if (!quorate) enforceNoQuorum();
    requestSchedule();
  }

  let joinedOnce = false;

  const api = Object.assign(emitter, {
    name: self,
    async start(): Promise<void> {
      startedAtMs = clock.now();
      if (running) return;
      running = true;
      qdisk.incarnation = clock.now();
      actingSinceMs = clock.now();
      quorumActor = createActor(quorumMachine, { clock, input: { cfg } });
      quorumActor.subscribe((snap) => {
        if (running && snap.context.result !== qresult)
          applyQuorumResult(snap.context.state, snap.context.result);
      });
      quorumActor.start();
      coordinatorActor.start();
      const joined = await callAdapter<{ ok: true } | { ok: false; detail: string }>(
        clock,
        cfg.options.tokenTimeoutMs * 10,
        ac.signal,
        async (ctx) => {
          await transport.join(self, (from, msg) => onMessage(from, msg), ctx);
          return { ok: true };
        },
        {
          timeout: (ms) => ({ ok: false, detail: `transport join took more than ${ms} ms` }),
          aborted: () => ({ ok: false, detail: 'aborted' }),
          error: (m) => ({ ok: false, detail: m }),
        },
      );
      if (!joined.ok)
        logger.error('transport join failed; the node keeps trying through reachability reports', {
          node: self,
          detail: joined.detail,
        });
      await probeAll();
      if (!running) return;
      joinedOnce = true;
      if (transport.onReachability)
        unsubs.push(transport.onReachability((p, r, up, silentForMs) => onLink(p, r, up, silentForMs)));
      else if (transport.onMembership)
        unsubs.push(transport.onMembership((list) => onTransportMembership(list)));
      if (opts.quorumDevice?.onChange) unsubs.push(opts.quorumDevice.onChange(() => pollQdevice()));
      startQdisk();
      if (!membershipQueued) {
        recomputeQuorum();
        emitter.emit('membership', { members: [...members], joined: [self], lost: [], left: [] });
      }
      sendSync();
      sendReport();
      pollQdevice();
      requestSchedule();
    },
    status(): ClusterNodeStatus {
      const nodes: Record<NodeName, NodeView> = {};
      for (const n of cfg.nodes) {
        const st = info[n.name]?.state ?? 'unseen';
        nodes[n.name] = {
          state: isMember(n.name) ? 'member' : st === 'member' ? 'offline' : st,
          standby: inStandby(n.name),
          maintenance: inMaintenance(n.name),
        };
      }
      const resources: Record<ResourceId, ResourceStatus> = {};
      for (const [rid, lr] of Object.entries(local)) if (lr.status !== 'stopped') resources[rid] = lr.status;
      const pending = new Set<NodeName>(Object.keys(fences));
      if (acting()) {
        for (const t of Object.keys(fenceDispatched)) pending.add(t);
        for (const t of Object.keys(adminFence)) pending.add(t);
        // Every member of an acting partition knows which lost nodes still wait for a fence.
        const skip = cfg.fencing.skipWhenLost !== undefined && lostShare() >= cfg.fencing.skipWhenLost;
        if (cfg.options.stonithEnabled && !skip) {
          for (const n of cfg.nodes) {
            if (info[n.name]?.state === 'unclean' && !isMember(n.name) && !inMaintenance(n.name))
              pending.add(n.name);
          }
        }
      }
      const rings: ClusterNodeStatus['rings'] = [];
      for (const [peer, arr] of Object.entries(links)) {
        arr.forEach((up, ring) => {
          rings.push({ peer, ring, status: up ? 'ok' : ringFaulty[`${peer}:${ring}`] ? 'faulty' : 'down' });
        });
      }
      return {
        node: self,
        running,
        members: [...members],
        coordinator: coordinatorName(),
        isCoordinator: isCoordinator(),
        quorate,
        quorum: {
          votes: qresult.votes,
          expected: qresult.expected,
          quorum: qresult.quorum,
          reason: qresult.reason,
        },
        configVersion: cfg.configVersion,
        nodes,
        resources,
        fencePending: [...pending].sort(byId),
        rings,
        coordinatorMachine: coordinatorView(),
      };
    },
    confirmFenced(node: NodeName): void {
      if (!running) return;
      const run = fences[node];
      if (run) run.actor.send({ type: 'fence.confirm' });
      delete fences[node];
      emitter.emit('fence', { kind: 'confirmed', target: node });
      announceFenced(node);
    },
    requestFence(node: NodeName): void {
      if (!running) return;
      send(coordinatorName() === node ? (members.find((m) => m !== node) ?? self) : coordinatorName(), {
        type: 'fence.request',
        target: node,
        reason: 'requested by an administrator',
      });
    },
    applyConfig(doc: unknown): ApplyConfigResult {
      let next: ClusterConfig;
      try {
        next = parseClusterConfig(doc);
      } catch (e) {
        const message = e instanceof ConfigError ? e.message : 'invalid configuration';
        emitter.emit('config', { version: cfg.configVersion, accepted: false, message });
        return { ok: false, reason: 'invalid', message };
      }
      return api.applyClusterConfig(next);
    },
    currentConfig(): ClusterConfig {
      return cfg;
    },
    applyClusterConfig(next: ClusterConfig): ApplyConfigResult {
      const check = checkConfigVersion(cfg.configVersion, next.configVersion);
      if (!check.ok) {
        emitter.emit('config', { version: next.configVersion, accepted: false, message: check.message });
        return { ok: false, reason: check.reason, message: check.message };
      }
      if (!next.nodes.some((n) => n.name === self)) {
        const message = `configuration version ${next.configVersion} refused: it does not list this node '${self}'`;
        emitter.emit('config', { version: next.configVersion, accepted: false, message });
        return { ok: false, reason: 'invalid', message };
      }
      adopt(next, 'applied by an administrator');
      sendSync();
      return { ok: true, version: next.configVersion };
    },
    standby(node: NodeName, on: boolean): void {
      standbyFlags[node] = { on, at: clock.now() };
      sendSync();
      requestSchedule();
    },
    maintenance(node: NodeName, on: boolean): void {
      maintFlags[node] = { on, at: clock.now() };
      if (on && fences[node]) cancelFence(node, 'target in maintenance');
      sendSync();
      requestSchedule();
    },
    setExpectedVotes(votes: number): void {
      const e = { votes, at: clock.now() };
      expectedOverride = e;
      recomputeQuorum();
      broadcastAll({ type: 'expected.set', ...e });
      requestSchedule();
    },
    shutdown(): Promise<void> {
      if (!running) return Promise.resolve();
      shuttingDown = true;
      const p = new Promise<void>((resolve) => {
        shutdownResolve = resolve;
      });
      sendReport();
      requestSchedule();
      maybeFinishShutdown();
      return p;
    },
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      running = false;
      ac.abort();
      for (const u of unsubs) u();
      for (const h of timers) clock.clearTimeout(h);
      timers.clear();
      for (const lr of Object.values(local)) lr.actor?.stop();
      for (const f of Object.values(fences)) f.actor.stop();
      for (const a of finishing) a.stop();
      for (const a of Object.values(peerLinks)) a.stop();
      quorumActor?.stop();
      coordinatorActor.stop();
    },
  });
  void everQuorate;
  void nameOfId;
  return api as ClusterNode;
}

/** What the members of a partition ran when it lost a node: per member, its report and pending commands. */
type HeldAtLoss = Array<{
  node: NodeName;
  resources: Record<ResourceId, ResourceStatus> | undefined;
  overlay: Record<ResourceId, ResourceStatus> | undefined;
}>;

/** The member on which `rid` was active (not stopped) when the node was lost, if any (the last one listed). */
function holderAtLoss(held: HeldAtLoss | undefined, rid: ResourceId): NodeName | undefined {
  let holder: NodeName | undefined;
  for (const h of held ?? []) {
    const st = h.overlay?.[rid] ?? h.resources?.[rid];
    if (st !== undefined && st !== 'stopped') holder = h.node;
  }
  return holder;
}

/** A copy of fail counts for a report (plain records of numbers). */
function copyFailCounts(
  fc: Record<ResourceId, { count: number; lastFailureMs: number }>,
): Record<ResourceId, { count: number; lastFailureMs: number }> {
  const out: Record<ResourceId, { count: number; lastFailureMs: number }> = {};
  for (const rid in fc) {
    const f = fc[rid] as { count: number; lastFailureMs: number };
    out[rid] = { count: f.count, lastFailureMs: f.lastFailureMs };
  }
  return out;
}

/** Maps a resource machine state value to the instance status. */
function statusFromValue(value: unknown): ResourceStatus {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  switch (top) {
    case 'starting':
      return 'starting';
    case 'started':
      return 'started';
    case 'stopping':
      return 'stopping';
    case 'failed':
      return 'failed';
    case 'blocked':
      return 'blocked';
    default:
      return 'stopped';
  }
}

export type { FenceEvent };
