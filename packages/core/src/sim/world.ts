import type { NodeName, ResourceId } from '@quorate/policy';
import type { ClusterConfig } from '../config/cluster-config.types.js';
import type { ClusterNode } from '../node/cluster-node.js';
import type {
  Clock,
  Ctx,
  FenceAgent,
  FenceOutcome,
  FenceRequest,
  Message,
  QuorumDevice,
  QuorumDisk,
  ResourceAgent,
  ResourceOutcome,
  ResourceRequest,
  SlotState,
  TimerHandle,
  Transport,
} from '../ports.js';
import { qdeviceVote } from '../quorum/qdevice.js';
import type { FenceDeviceBehaviour, WorldConfig } from '../scenario/scenario.types.js';

/** One simulated machine: the truth, apart from what any node believes. */
export interface Machine {
  name: NodeName;
  id: number;
  /** Mains power available (false after `powerLoss` until `powerOn`). */
  mains: boolean;
  /** The machine is powered on. */
  power: boolean;
  software: 'off' | 'booting' | 'running' | 'crashed' | 'hung';
  node: ClusterNode | null;
  /** Bumped on every start of the software; messages to an older incarnation are dropped. */
  incarnation: number;
  /** Resources really running here. */
  running: Set<ResourceId>;
  bootTimer: TimerHandle | undefined;
  /** An administrator confirmed it off (its resources no longer count) until it boots again. */
  confirmedOff: boolean;
  /** The latest configuration this machine applied (it boots with it). */
  config: ClusterConfig;
}

/** Hooks the runner installs to see world changes (timeline, invariants). */
export interface WorldHooks {
  log(source: string, message: string, data?: Record<string, unknown>): void;
  /** A resource action begins on a machine (start: quorum and fencing invariants). */
  actionBegins(machine: NodeName, resource: ResourceId, action: 'start' | 'stop'): void;
  /** A resource became active on a machine. */
  resourceUp(machine: NodeName, resource: ResourceId): void;
  /** A fence device was asked to act by `executor` on `target`. */
  fenceDeviceRun(executor: NodeName, device: string, target: NodeName, action: string): void;
  /** The software of a machine is running again (a node instance exists). */
  nodeBooted(machine: Machine): void;
  /** The machine lost its running software (crash, power, reset). */
  nodeGone(machine: Machine): void;
  /** Power went off (resources gone). */
  powerOff(machine: Machine, cause: string): void;
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const h = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clock.clearTimeout(h);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function hangUntilAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The simulated world: machines with power and software, an in-memory network with partitions
 * and per-ring faults, fence devices that really cut power, resource agents that really start
 * and stop instances, a quorum disk and a qdevice arbiter. Deterministic on the given clock.
 */
export class World {
  readonly machines = new Map<NodeName, Machine>();
  /** Partition groups (null: everybody connected). */
  groups: NodeName[][] | null = null;
  readonly ringDown = new Set<string>();
  readonly qdiskPath = new Map<NodeName, boolean>();
  readonly qdevicePath = new Map<NodeName, boolean>();
  readonly fenceBehaviour: Record<string, FenceDeviceBehaviour>;
  /**
   * Resources whose next monitor fails, with the machine it ran on when the failure was injected
   * (`*`: it ran nowhere then; the next monitor anywhere fails). The failure belongs to that
   * instance: it is forgotten when the instance stops there (a stop, power off).
   */
  readonly pendingFail = new Map<ResourceId, NodeName>();

  /** Injects a `resourceFail`: the next monitor of the resource on the machine it runs on fails. */
  failNextMonitor(rid: ResourceId): void {
    const on = this.ordered().find((m) => m.running.has(rid));
    this.pendingFail.set(rid, on?.name ?? '*');
  }

  /** Forgets injected failures of instances that stopped on `name` (all, or only `rid`). */
  forgetPendingFails(name: NodeName, rid?: ResourceId): void {
    for (const [r, n] of this.pendingFail)
      if (n === name && (rid === undefined || r === rid)) this.pendingFail.delete(r);
  }
  readonly startFailures = new Map<string, number>();
  readonly stopFailures = new Map<string, number>();
  readonly qdiskSlots: Array<SlotState | null> = [];
  /** Machines a fence `off` switched off while powered (the `on` of a multi-device reboot restores them). */
  readonly switchedOff = new Set<NodeName>();
  private readonly reach = new Map<
    NodeName,
    { cb: (peer: NodeName, ring: number, up: boolean) => void; last: Map<string, boolean> }
  >();
  private readonly handlers = new Map<
    NodeName,
    { incarnation: number; fn: (from: NodeName, msg: Message) => void }
  >();
  private readonly qdevRegs = new Map<NodeName, NodeName[]>();
  private readonly qdevWatchers = new Map<NodeName, () => void>();
  private qdevLastWinner: string | null = null;
  private qdevPrevious: number[] | null = null;
  /** Votes waiting for the partitions to settle (qnetd answers once every side has reported). */
  private qdevWaiting: Array<{ id: number; resolve: () => void }> = [];
  messages = 0;

  constructor(
    readonly clock: Clock,
    readonly world: WorldConfig,
    readonly cluster: ClusterConfig,
    readonly hooks: WorldHooks,
  ) {
    this.fenceBehaviour = JSON.parse(JSON.stringify(world.fenceDevices)) as Record<
      string,
      FenceDeviceBehaviour
    >;
    for (const [rid, b] of Object.entries(world.resourceAgents)) {
      for (const [n, k] of Object.entries(b.failStart)) this.startFailures.set(`${rid}@${n}`, k);
      for (const [n, k] of Object.entries(b.failStop)) this.stopFailures.set(`${rid}@${n}`, k);
    }
    for (const n of cluster.nodes) this.addMachine(n, cluster);
  }

  /**
   * A powered-off machine for node `n` (mains on: `powerOn` boots it), following `config`. The
   * runner adds one for every node a later `configUpdate` brings into the cluster.
   */
  addMachine(n: { name: NodeName; id: number }, config: ClusterConfig): void {
    if (this.machines.has(n.name)) return;
    this.orderedCache = null;
    this.machines.set(n.name, {
      name: n.name,
      id: n.id,
      mains: true,
      power: false,
      software: 'off',
      node: null,
      incarnation: 0,
      running: new Set(),
      bootTimer: undefined,
      confirmedOff: false,
      config,
    });
    this.qdiskPath.set(n.name, true);
    this.qdevicePath.set(n.name, true);
  }

  machine(name: NodeName): Machine {
    const m = this.machines.get(name);
    if (m === undefined) throw new Error(`unknown machine '${name}'`);
    return m;
  }

  private orderedCache: readonly Machine[] | null = null;

  /** Machines sorted by node id (the machines are fixed at construction; one shared array). */
  ordered(): readonly Machine[] {
    this.orderedCache ??= [...this.machines.values()].sort((a, b) => a.id - b.id);
    return this.orderedCache;
  }

  rings(): number {
    return Math.max(1, this.world.rings);
  }

  private sameGroup(a: NodeName, b: NodeName): boolean {
    if (this.groups === null) return true;
    return this.groups.some((g) => g.includes(a) && g.includes(b));
  }

  /** Whether `a` hears `b` on `ring` now. */
  hears(a: NodeName, b: NodeName, ring: number): boolean {
    const ma = this.machines.get(a);
    const mb = this.machines.get(b);
    if (!ma || !mb || ma.software !== 'running' || mb.software !== 'running') return false;
    if (!this.sameGroup(a, b)) return false;
    if (this.ringDown.size === 0) return true;
    return !this.ringDown.has(`${a}:${ring}`) && !this.ringDown.has(`${b}:${ring}`);
  }

  linked(a: NodeName, b: NodeName): boolean {
    for (let r = 0; r < this.rings(); r++) if (this.hears(a, b, r)) return true;
    return false;
  }

  /** Reports every link change to the nodes (node-id order, then peer order, then ring). */
  refreshLinks(): void {
    for (const ma of this.ordered()) {
      const sub = this.reach.get(ma.name);
      if (sub === undefined || ma.software !== 'running') continue;
      for (const mb of this.ordered()) {
        if (mb.name === ma.name) continue;
        for (let r = 0; r < this.rings(); r++) {
          const key = `${mb.name}:${r}`;
          const up = this.hears(ma.name, mb.name, r);
          if ((sub.last.get(key) ?? false) !== up) {
            sub.last.set(key, up);
            sub.cb(mb.name, r, up);
          }
        }
      }
    }
    this.notifyQdevice();
  }

  // ---- adapters --------------------------------------------------------------------------------

  transportFor(name: NodeName): Transport {
    const world = this;
    const m = this.machine(name);
    const incarnation = m.incarnation;
    const deliver = (to: NodeName, msg: Message): void => {
      if (!world.linked(name, to)) return;
      const target = world.machines.get(to);
      const h = world.handlers.get(to);
      if (!target || !h) return;
      const inc = h.incarnation;
      world.messages++;
      world.clock.setTimeout(() => {
        const h2 = world.handlers.get(to);
        if (h2 && h2.incarnation === inc && target.software === 'running' && world.linked(name, to))
          h2.fn(name, msg);
      }, 0);
    };
    return {
      async join(self, onMessage) {
        world.handlers.set(self, { incarnation, fn: onMessage });
      },
      send(to, msg) {
        deliver(to, msg);
      },
      broadcast(msg) {
        for (const mb of world.ordered()) if (mb.name !== name) deliver(mb.name, msg);
      },
      rings() {
        const out = [];
        for (let r = 0; r < world.rings(); r++)
          out.push({
            ring: r,
            status: world.ringDown.has(`${name}:${r}`) ? ('faulty' as const) : ('ok' as const),
          });
        return out;
      },
      onReachability(cb) {
        const last = new Map<string, boolean>();
        world.reach.set(name, { cb, last });
        for (const mb of world.ordered()) {
          if (mb.name === name) continue;
          for (let r = 0; r < world.rings(); r++) {
            const up = world.hears(name, mb.name, r);
            last.set(`${mb.name}:${r}`, up);
            if (up) cb(mb.name, r, true);
          }
        }
        return () => {
          if (world.reach.get(name)?.last === last) world.reach.delete(name);
        };
      },
      async close() {
        world.handlers.delete(name);
      },
    };
  }

  /** Drops the network handlers of a machine whose software stopped. */
  detach(name: NodeName): void {
    this.handlers.delete(name);
    this.reach.delete(name);
    this.qdevRegs.delete(name);
    this.qdevWatchers.delete(name);
    this.releaseQdevVotes();
  }

  fenceAgentFor(executor: NodeName, device: string): FenceAgent {
    const world = this;
    return {
      async run(req: FenceRequest, ctx: Ctx): Promise<FenceOutcome> {
        world.hooks.fenceDeviceRun(executor, device, req.target, req.action);
        const b = world.fenceBehaviour[device] ?? { result: 'ok', afterMs: 1000 };
        const dark = (): boolean =>
          b.poweredBy !== undefined && world.machines.get(b.poweredBy)?.power !== true;
        if (dark() || b.result === 'timeout') {
          await hangUntilAbort(ctx.signal);
          return {
            ok: false,
            reason: 'timeout',
            detail: dark() ? 'device does not answer (no power)' : 'device does not answer',
          };
        }
        const done = await sleep(world.clock, b.afterMs, ctx.signal);
        if (!done) return { ok: false, reason: 'aborted', detail: 'aborted' };
        if (dark()) {
          await hangUntilAbort(ctx.signal);
          return { ok: false, reason: 'timeout', detail: 'device does not answer (no power)' };
        }
        if (b.result === 'fail') return { ok: false, reason: 'refused', detail: 'device refused the action' };
        const target = world.machines.get(req.target);
        if (target === undefined) return { ok: false, reason: 'agent-error', detail: 'unknown plug' };
        if (req.action === 'off') {
          // Remember that fencing switched a powered machine off, so the `on` half of a reboot
          // brings it back; a machine that was already off stays off.
          if (target.power) world.switchedOff.add(target.name);
          world.powerOff(target, `fenced off by '${device}'`);
          return { ok: true, power: 'off' };
        }
        if (req.action === 'on') {
          if (world.switchedOff.delete(target.name)) world.powerOnByDevice(target, device);
          return { ok: true, power: target.power ? 'on' : 'off' };
        }
        if (req.action === 'reboot') {
          if (!target.power) return { ok: true, power: 'off' };
          world.powerOff(target, `fenced (reboot) by '${device}'`);
          world.powerOnByDevice(target, device);
          return { ok: true, power: target.power ? 'on' : 'off' };
        }
        return { ok: true, power: target.power ? 'on' : 'off' };
      },
    };
  }

  resourceAgentFor(name: NodeName, rid: ResourceId): ResourceAgent {
    const world = this;
    const m = this.machine(name);
    return {
      async run(req: ResourceRequest, ctx: Ctx): Promise<ResourceOutcome> {
        const b = world.world.resourceAgents[rid] ?? {
          startMs: 1000,
          stopMs: 1000,
          monitorMs: 0,
          failStart: {},
          failStop: {},
        };
        if (req.action === 'monitor') {
          if (req.meta?.probe === 'true') return { ok: true, running: m.running.has(rid) };
          if (b.monitorMs > 0 && !(await sleep(world.clock, b.monitorMs, ctx.signal)))
            return { ok: false, reason: 'aborted', detail: 'aborted' };
          const failOn = world.pendingFail.get(rid);
          if (m.running.has(rid) && (failOn === name || failOn === '*')) {
            world.pendingFail.delete(rid);
            m.running.delete(rid);
            world.hooks.log(`world`, `resource '${rid}' failed on '${name}'`);
            return { ok: false, reason: 'not-running', detail: 'monitor found it not running', exitCode: 7 };
          }
          return m.running.has(rid)
            ? { ok: true, running: true }
            : { ok: false, reason: 'not-running', detail: 'not running', exitCode: 7 };
        }
        if (req.action === 'start') {
          world.hooks.actionBegins(name, rid, 'start');
          if (!(await sleep(world.clock, b.startMs, ctx.signal)))
            return { ok: false, reason: 'aborted', detail: 'aborted' };
          const key = `${rid}@${name}`;
          const k = world.startFailures.get(key) ?? 0;
          if (k > 0) {
            world.startFailures.set(key, k - 1);
            return { ok: false, reason: 'failed', detail: 'start failed', exitCode: 1 };
          }
          if (!m.running.has(rid)) {
            m.running.add(rid);
            world.hooks.resourceUp(name, rid);
          }
          return { ok: true, running: true };
        }
        if (req.action === 'stop') {
          world.hooks.actionBegins(name, rid, 'stop');
          if (!(await sleep(world.clock, b.stopMs, ctx.signal)))
            return { ok: false, reason: 'aborted', detail: 'aborted' };
          const key = `${rid}@${name}`;
          const k = world.stopFailures.get(key) ?? 0;
          if (k > 0) {
            world.stopFailures.set(key, k - 1);
            return { ok: false, reason: 'failed', detail: 'stop failed', exitCode: 1 };
          }
          m.running.delete(rid);
          world.forgetPendingFails(name, rid);
          return { ok: true, running: false };
        }
        return { ok: false, reason: 'unimplemented', detail: `action '${req.action}'`, exitCode: 3 };
      },
    };
  }

  quorumDiskFor(name: NodeName): QuorumDisk {
    const world = this;
    const m = this.machine(name);
    return {
      async write(slot, state) {
        if (m.software !== 'running' || world.qdiskPath.get(name) !== true)
          return { ok: false, reason: 'unreachable', detail: 'no path to the disk' };
        world.qdiskSlots[slot - 1] = { ...state };
        return { ok: true };
      },
      async readAll() {
        if (m.software !== 'running' || world.qdiskPath.get(name) !== true)
          return { ok: false, reason: 'unreachable', detail: 'no path to the disk' };
        const slots: Array<SlotState | null> = [];
        for (let i = 0; i < world.qdiskSlots.length; i++) slots.push(world.qdiskSlots[i] ?? null);
        return { ok: true, slots };
      },
    };
  }

  quorumDeviceFor(name: NodeName): QuorumDevice {
    const world = this;
    return {
      async vote(req) {
        const m = world.machines.get(name);
        if (m?.software !== 'running' || world.qdevicePath.get(name) !== true) {
          world.qdevRegs.delete(name);
          return { ok: false, reason: 'unreachable', detail: 'arbiter unreachable' };
        }
        world.qdevRegs.set(name, [...req.members].sort());
        // Like qnetd, the arbiter decides a split only once every side has reported its new
        // membership: a vote on a mix of new and stale memberships could go to both sides.
        // Votes released together are answered in node-id order (same-instant order).
        if (!world.qdevSettled() || world.qdevWaiting.length > 0) {
          const answered = new Promise<void>((resolve) => world.qdevWaiting.push({ id: m.id, resolve }));
          world.releaseQdevVotes();
          await answered;
          if (m.software !== 'running' || world.qdevicePath.get(name) !== true)
            return { ok: false, reason: 'unreachable', detail: 'arbiter unreachable' };
        }
        const winner = world.qdevWinner();
        world.notifyQdevice();
        return { ok: true, vote: winner?.includes(name) === true };
      },
      onChange(cb) {
        world.qdevWatchers.set(name, cb);
        return () => {
          if (world.qdevWatchers.get(name) === cb) world.qdevWatchers.delete(name);
        };
      },
    };
  }

  /** The member list of the partition holding the qdevice vote now, or null. */
  private qdevWinner(): NodeName[] | null {
    const q = this.cluster.quorum.qdevice;
    if (q === undefined) return null;
    const parts: NodeName[][] = [];
    const keys = new Set<string>();
    for (const m of this.ordered()) {
      const reg = this.qdevRegs.get(m.name);
      if (!reg || m.software !== 'running' || this.qdevicePath.get(m.name) !== true) continue;
      const key = reg.join(',');
      if (keys.has(key)) continue;
      keys.add(key);
      parts.push(reg);
    }
    const ids = parts.map((p) => p.map((n) => this.machines.get(n)?.id ?? 0));
    const idx = qdeviceVote(
      ids,
      ids.map(() => true),
      q.algorithm,
      q.tieBreaker,
      this.qdevPrevious,
      this.cluster.nodes.length,
    );
    return idx === null ? null : (parts[idx] ?? null);
  }

  /**
   * Whether the registered memberships agree: every node a registration lists (running, reaching
   * the arbiter, registered) registered that same membership.
   */
  private qdevSettled(): boolean {
    const reaches = (n: NodeName): boolean =>
      this.machines.get(n)?.software === 'running' && this.qdevicePath.get(n) === true;
    for (const [name, reg] of this.qdevRegs) {
      if (!reaches(name)) continue;
      const key = reg.join(',');
      for (const other of reg) {
        const r = this.qdevRegs.get(other);
        if (r !== undefined && reaches(other) && r.join(',') !== key) return false;
      }
    }
    return true;
  }

  /** Answers the votes that waited for the memberships to settle, once they have. */
  private releaseQdevVotes(): void {
    if (this.qdevWaiting.length === 0 || !this.qdevSettled()) return;
    const waiting = this.qdevWaiting.sort((a, b) => a.id - b.id);
    this.qdevWaiting = [];
    for (const w of waiting) w.resolve();
  }

  /** Re-assesses the qdevice vote; asks every node to poll again when the winner changed. */
  notifyQdevice(force = false): void {
    if (this.cluster.quorum.qdevice === undefined) return;
    this.releaseQdevVotes();
    const w = this.qdevWinner();
    const key = w === null ? '' : w.join(',');
    if (!force && key === this.qdevLastWinner) return;
    this.qdevLastWinner = key;
    if (w !== null) this.qdevPrevious = w.map((n) => this.machines.get(n)?.id ?? 0);
    for (const m of this.ordered()) {
      const cb = this.qdevWatchers.get(m.name);
      if (cb) this.clock.setTimeout(cb, 0);
    }
  }

  // ---- power -------------------------------------------------------------------------------

  /** Cuts power: software and resources are gone at once. */
  powerOff(m: Machine, cause: string): void {
    const wasOn = m.power;
    if (m.bootTimer !== undefined) {
      this.clock.clearTimeout(m.bootTimer);
      m.bootTimer = undefined;
    }
    this.killSoftware(m);
    m.power = false;
    m.software = 'off';
    m.running.clear();
    this.forgetPendingFails(m.name);
    if (wasOn) this.hooks.powerOff(m, cause);
    this.refreshLinks();
  }

  /** Stops the node software (crash, hang, reset): no message is sent. */
  killSoftware(m: Machine, state: Machine['software'] = 'off'): void {
    const node = m.node;
    m.node = null;
    m.software = state;
    this.detach(m.name);
    if (node) {
      void node.stop();
      this.hooks.nodeGone(m);
    }
  }

  /** A device switches the outlet back on: the machine boots if mains power is there. */
  powerOnByDevice(m: Machine, device: string): void {
    if (!m.mains || m.power) return;
    m.power = true;
    this.hooks.log('world', `'${m.name}' powered on by '${device}', booting`);
    this.boot(m);
  }

  /** Power returns (operator or mains): boots. */
  powerOn(m: Machine): void {
    m.mains = true;
    if (m.power) {
      // Already powered: a crashed or hung machine is reset by the operator; otherwise nothing.
      if (m.software === 'crashed' || m.software === 'hung') {
        m.running.clear();
        this.boot(m);
      }
      return;
    }
    m.power = true;
    this.boot(m);
  }

  /** Starts the boot timer; the node joins after `bootTime`. */
  boot(m: Machine): void {
    m.software = 'booting';
    m.confirmedOff = false;
    if (m.bootTimer !== undefined) this.clock.clearTimeout(m.bootTimer);
    m.bootTimer = this.clock.setTimeout(() => {
      m.bootTimer = undefined;
      if (!m.power) return;
      this.startSoftware(m);
    }, this.world.bootTimeMs);
  }

  /** Creates and starts the node instance (the runner's factory). */
  startSoftware(m: Machine): void {
    m.incarnation++;
    m.software = 'running';
    this.hooks.nodeBooted(m);
  }
}
