import type { NodeName, ResourceId } from '@quorate/policy';
import type { ClusterConfig } from '../config/cluster-config.types.js';
import { type ClusterNode, createClusterNode } from '../node/cluster-node.js';
import type { ClusterNodeOptions } from '../node/node.types.js';
import type { FenceAgent, Logger, ResourceAgent } from '../ports.js';
import type {
  AtTime,
  Expectation,
  InvariantName,
  Scenario,
  ScenarioEvent,
} from '../scenario/scenario.types.js';
import { createSeededRandom } from '../testing/prng.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { type Machine, World } from './world.js';

/** One line of a simulation timeline. */
export interface TimelineEntry {
  /** Virtual time in ms from t = 0. */
  atMs: number;
  /** Who: `world`, `scenario`, `check`, or `<node>/<concern>` (membership, quorum, coordinator, fencing, resource, config). */
  source: string;
  /** One sentence, ids in quotes. */
  message: string;
  /** Machine-readable kind, e.g. `fence.device`, `resource.start`, `event`. */
  type: string;
  data?: Record<string, unknown>;
}

/** A failed expectation or invariant. */
export interface ScenarioFailure {
  atMs: number;
  message: string;
}

/** What {@link runScenario} returns. */
export interface ScenarioResult {
  ok: boolean;
  failures: ScenarioFailure[];
  timeline: TimelineEntry[];
  /** Counters for benchmarks (messages sent, steps). */
  stats: { messages: number; endMs: number };
}

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Seed of the simulator's PRNG (default 1). Same scenario + seed = same timeline. */
  seed?: number;
  /** Called for every timeline entry as it is produced (streaming output). */
  onEntry?: (e: TimelineEntry) => void;
  /** Keep timeline entries (default true; benchmarks switch it off). */
  keepTimeline?: boolean;
  /**
   * Builds each simulated machine's node (default {@link createClusterNode}). Only for tests of the
   * simulator itself, e.g. a deliberately faulty node that shows the invariant checker catches it.
   */
  createNode?: (options: ClusterNodeOptions) => ClusterNode;
}

/** Formats a virtual time as `   63.000s`. */
export function formatTime(ms: number): string {
  return `${(ms / 1000).toFixed(3)}s`.padStart(9);
}

/** One timeline line in pve's log style: `  63.000s  node1/coordinator  fence 'node3': ...`. */
export function formatTimelineEntry(e: TimelineEntry): string {
  return `${formatTime(e.atMs)}  ${e.source}  ${e.message}`;
}

/** The whole timeline as text, one entry per line, newline-terminated. */
export function formatTimeline(entries: readonly TimelineEntry[]): string {
  return entries.map((e) => `${formatTimelineEntry(e)}\n`).join('');
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

interface FenceRecord {
  target: NodeName;
  atMs: number;
  kind: 'device' | 'confirm' | 'watchdog' | 'suicide';
  /** The device whose action completed the fence. */
  device?: string;
  /** Every device of the level that fenced. */
  devices?: readonly string[];
  level?: number;
}

function describeEvent(e: ScenarioEvent): string {
  switch (e.kind) {
    case 'partition':
      return `partition ${e.groups.map((g) => `[${[...g.nodes, ...(g.quorumDevice ? ['quorum device'] : [])].join(', ')}]`).join(' ')}`;
    case 'heal':
      return 'heal all';
    case 'ringDown':
    case 'ringUp':
      return `${e.kind} '${e.node}' ring ${e.ring}`;
    case 'qdiskLost':
    case 'qdeviceLost':
      return `${e.kind} ${e.node === 'all' ? 'all' : `'${e.node}'`}`;
    case 'setExpectedVotes':
      return `setExpectedVotes ${e.votes} on '${e.node}'`;
    case 'fenceDevice':
      return `fence device '${e.device}' now answers ${e.result}`;
    case 'resourceFail':
      return `next monitor of '${e.resource}' fails`;
    case 'standby':
    case 'maintenance':
      return `${e.kind} '${e.node}' ${e.on ? 'on' : 'off'}`;
    case 'configUpdate':
      return `configUpdate to version ${e.config.configVersion}`;
    default:
      return `${e.kind} '${e.node}'`;
  }
}

/**
 * Runs one scenario in the deterministic simulator: one real {@link createClusterNode} per
 * simulated machine, simulated adapters, a virtual clock. Checks every expectation at its time and
 * the invariants as the world changes. The same scenario and seed give a byte-identical timeline.
 */
export async function runScenario(
  scenario: Scenario,
  opts: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const clock = new VirtualClock(0);
  const random = createSeededRandom(opts.seed ?? 1);
  const keep = opts.keepTimeline !== false;
  const timeline: TimelineEntry[] = [];
  const failures: ScenarioFailure[] = [];
  const failureKeys = new Set<string>();
  const cluster = scenario.cluster;
  /** The configuration the running nodes follow (the last one a node accepted). */
  let current = cluster;
  const stonith = (): boolean => current.options.stonithEnabled;
  /**
   * Lost nodes the cluster had no fencing for at some point while they were lost: their loss is
   * the configuration's choice, their resources count as stopped (SCENARIO-FORMAT "World truth"),
   * even once fencing is turned back on (nothing will fence them for that loss).
   */
  const lostWithoutStonith = new Set<NodeName>();
  const unfenceable = (n: NodeName): boolean => !stonith() || lostWithoutStonith.has(n);
  const invariants = new Set<InvariantName>(scenario.invariants);
  const records: FenceRecord[] = [];
  const faultSnap = new Map<NodeName, Set<ResourceId>>();
  const suspect = new Map<NodeName, Set<ResourceId>>();
  const lostInWorld = new Set<NodeName>();
  /**
   * Without stonith, what a lost node kept running when it came back is not charged to the cluster
   * until it is stopped there (the cluster chose not to fence; it resolves the duplicate on rejoin).
   */
  const forgiven = new Map<NodeName, Set<ResourceId>>();
  /** Starts under way per machine (begun, not yet up): a start begun while lost counts as what it ran. */
  const startingOn = new Map<NodeName, Set<ResourceId>>();
  /** What a machine runs or is starting now (what it brings back when it is seen again). */
  const ranBy = (x: NodeName): Set<ResourceId> =>
    new Set([...(world.machines.get(x)?.running ?? []), ...(startingOn.get(x) ?? [])]);
  const lastApplied = new Map<NodeName, number>();
  const lastQuorum = new Map<NodeName, { votes: number; expected: number; quorum: number }>();
  const resourceIds = cluster.resources.map((r) => r.id);

  const log = (source: string, message: string, type = 'log', data?: Record<string, unknown>): void => {
    const e: TimelineEntry =
      data === undefined
        ? { atMs: clock.now(), source, message, type }
        : { atMs: clock.now(), source, message, type, data };
    if (keep) timeline.push(e);
    opts.onEntry?.(e);
  };
  const fail = (key: string, message: string): void => {
    if (failureKeys.has(key)) return;
    failureKeys.add(key);
    failures.push({ atMs: clock.now(), message });
    log('check', `FAILED ${message}`, 'failure');
  };

  const clearSuspect = (n: NodeName): void => {
    suspect.delete(n);
    faultSnap.delete(n);
  };
  const snapFault = (n: NodeName): void => {
    const m = world.machines.get(n);
    if (!m) return;
    faultSnap.set(n, new Set<ResourceId>(m.running));
  };
  const recordFence = (r: FenceRecord): void => {
    records.push(r);
    clearSuspect(r.target);
  };

  /** Members of the partition `machine` is in, as its node sees it (a suspect inside it is known, not lost). */
  const seenBy = (machine: NodeName): string[] =>
    world.machines.get(machine)?.node?.status().members ?? [machine];
  const checkSingleActive = (rid: ResourceId, at: NodeName): void => {
    if (!invariants.has('singleActive')) return;
    const claim = new Set<NodeName>();
    for (const m of world.ordered()) {
      if (!m.running.has(rid) || m.confirmedOff) continue;
      if (unfenceable(m.name) && (lostInWorld.has(m.name) || forgiven.get(m.name)?.has(rid) === true))
        continue;
      claim.add(m.name);
    }
    const members = seenBy(at);
    for (const [n, s] of suspect) if (!unfenceable(n) && s.has(rid) && !members.includes(n)) claim.add(n);
    if (claim.size > 1)
      fail(
        `singleActive:${rid}:${[...claim].join(',')}`,
        `invariant singleActive: '${rid}' is active on ${[...claim].map((n) => `'${n}'`).join(' and ')}`,
      );
  };

  // never-running expectations, checked as resources come up
  const neverRunning = scenario.expect.filter(
    (x): x is Extract<Expectation, { kind: 'neverRunning' }> => x.kind === 'neverRunning',
  );
  const endOf = (t: AtTime): number => (t === 'end' ? scenario.untilMs : t);

  const world: World = new World(clock, scenario.world, cluster, {
    log: (source, message) => log(source, message, 'world'),
    actionBegins(machine, rid, action) {
      if (action !== 'start') return;
      forgiven.get(machine)?.delete(rid);
      if (!startingOn.has(machine)) startingOn.set(machine, new Set());
      startingOn.get(machine)?.add(rid);
      const m = world.machine(machine);
      const cfg = m.config;
      if (
        invariants.has('quorumToStart') &&
        cfg.options.noQuorumPolicy !== 'ignore' &&
        m.node &&
        !m.node.status().quorate
      ) {
        fail(
          `quorumToStart:${rid}:${machine}:${clock.now()}`,
          `invariant quorumToStart: '${machine}' starts '${rid}' without quorum`,
        );
      }
      if (invariants.has('fenceBeforeRecovery') && stonith()) {
        const members = seenBy(machine);
        for (const [n, s] of suspect) {
          if (n !== machine && !unfenceable(n) && s.has(rid) && !members.includes(n)) {
            fail(
              `fenceBeforeRecovery:${rid}:${n}`,
              `invariant fenceBeforeRecovery: '${rid}' started on '${machine}' before lost '${n}' was fenced`,
            );
          }
        }
      }
    },
    resourceUp(machine, rid) {
      startingOn.get(machine)?.delete(rid);
      checkSingleActive(rid, machine);
      const now = clock.now();
      for (const x of neverRunning) {
        if (x.placement[rid] === machine && now >= x.fromMs && now <= endOf(x.toMs)) {
          fail(
            `expect:${x.index}`,
            `expectation ${x.text} failed at ${formatTime(now).trim()}: '${rid}' became active on '${machine}'`,
          );
        }
      }
    },
    fenceDeviceRun(executor, device, target) {
      if (invariants.has('noSelfFence') && executor === target) {
        fail(
          `noSelfFence:${target}`,
          `invariant noSelfFence: '${executor}' fences itself through '${device}'`,
        );
      }
    },
    nodeBooted(m) {
      bootNode(m);
    },
    nodeGone() {},
    powerOff(m, cause) {
      log('world', `'${m.name}' power off (${cause})`, 'world.power', { node: m.name, power: 'off' });
    },
  });
  // Nodes a later configuration brings in are machines too: powered off until `powerOn`.
  for (const e of scenario.events)
    if (e.kind === 'configUpdate') for (const n of e.config.nodes) world.addMachine(n, e.config);

  /** Agents by any key, each made once per node instance (the simulated agents keep no state). */
  const anyAgentProxy = <T extends object>(make: (key: string) => T): Record<string, T> => {
    const made = new Map<string, T>();
    return new Proxy({} as Record<string, T>, {
      get: (_t, key) => {
        if (typeof key !== 'string') return undefined;
        let agent = made.get(key);
        if (agent === undefined) {
          agent = make(key);
          made.set(key, agent);
        }
        return agent;
      },
    });
  };

  /**
   * A partition that may act (quorate, or `ignore`) has lost the machines outside it: from now on
   * (until they are fenced or seen again) they count as running what they ran at their fault, and
   * with stonith disabled their resources count as stopped.
   */
  function noteLostBy(m: Machine, node: ClusterNode): void {
    if (m.node !== node) return;
    const st = node.status();
    // Without fencing a node takes what it loses for cleanly gone, whatever it may do later; so
    // does a node that runs a configuration without fencing (one it kept while it missed the
    // update that turned fencing on: the operator's configuration, not the cluster's choice).
    if (!stonith() || !m.config.options.stonithEnabled)
      for (const mx of world.ordered()) if (!st.members.includes(mx.name)) lostWithoutStonith.add(mx.name);
    if (!st.quorate && m.config.options.noQuorumPolicy !== 'ignore') return;
    // Members of an acting partition are known to it (their reports), not lost.
    for (const x of st.members) {
      if (x === m.name || !lostInWorld.has(x)) continue;
      clearSuspect(x);
      if (unfenceable(x)) forgiven.set(x, ranBy(x));
      lostInWorld.delete(x);
    }
    for (const mx of world.ordered()) {
      const x = mx.name;
      if (x === m.name || st.members.includes(x) || lostInWorld.has(x)) continue;
      lostInWorld.add(x);
      if (!stonith()) lostWithoutStonith.add(x);
      const s = new Set<ResourceId>([...(faultSnap.get(x) ?? []), ...mx.running]);
      faultSnap.delete(x);
      if (mx.confirmedOff) continue;
      if (records.some((r) => r.target === x && r.atMs >= clock.now())) continue;
      if (s.size > 0) suspect.set(x, s);
    }
  }

  function bootNode(m: Machine): void {
    const name = m.name;
    const fenceAgents = anyAgentProxy<FenceAgent>((d) => world.fenceAgentFor(name, d));
    const resourceAgents = anyAgentProxy<ResourceAgent>((rid) => world.resourceAgentFor(name, rid));
    const node = (opts.createNode ?? createClusterNode)({
      config: m.config,
      node: name,
      transport: world.transportFor(name),
      fenceAgents,
      resourceAgents,
      quorumDisk: world.quorumDiskFor(name),
      quorumDevice: world.quorumDeviceFor(name),
      clock,
      logger: silent,
      random,
      onSelfFence: (reason) => {
        clock.setTimeout(() => {
          if (m.node !== node) return;
          log('world', `'${name}' resets itself (${reason})`, 'world.reset', { node: name });
          if (reason.startsWith('suicide')) recordFence({ target: name, atMs: clock.now(), kind: 'suicide' });
          snapFault(name);
          world.killSoftware(m, 'off');
          m.running.clear();
          world.forgetPendingFails(m.name);
          world.refreshLinks();
          world.boot(m);
        }, 0);
      },
    });
    m.node = node;
    if (!lastApplied.has(name)) lastApplied.set(name, m.config.configVersion);
    node.on('membership', (e) => {
      const parts: string[] = [];
      if (e.joined.length > 0 && !(e.joined.length === 1 && e.joined[0] === name))
        parts.push(`joined ${e.joined.map((n) => `'${n}'`).join(', ')}`);
      if (e.lost.length > 0) parts.push(`lost ${e.lost.map((n) => `'${n}'`).join(', ')}`);
      if (e.left.length > 0) parts.push(`left ${e.left.map((n) => `'${n}'`).join(', ')}`);
      const what = parts.length > 0 ? `${parts.join('; ')}; ` : 'started; ';
      log(`${name}/membership`, `${what}members ${e.members.join(', ')}`, 'membership', {
        members: e.members,
        joined: e.joined,
        lost: e.lost,
        left: e.left,
      });
      for (const j of e.joined)
        if (j !== name) {
          clearSuspect(j);
          if (unfenceable(j) && lostInWorld.has(j)) forgiven.set(j, ranBy(j));
          lostInWorld.delete(j);
          lostWithoutStonith.delete(j);
        }
      for (const l of e.left) clearSuspect(l);
      // A node that starts on its own forms a partition too: if it may act, the machines outside
      // it are lost to it (as nodes never seen since its start), just as when a member is lost.
      if (e.lost.length > 0 || e.joined.includes(name)) queueMicrotask(() => noteLostBy(m, node));
    });
    node.on('ring', (e) =>
      log(`${name}/membership`, `ring ${e.ring} to '${e.peer}' ${e.status}`, 'ring', { ...e }),
    );
    node.on('quorum', (e) => {
      lastQuorum.set(name, { votes: e.votes, expected: e.expected, quorum: e.quorum });
      if (e.quorate) queueMicrotask(() => noteLostBy(m, node));
    });
    node.on('quorum', (e) =>
      log(
        `${name}/quorum`,
        `${e.quorate ? 'quorate' : 'inquorate'}: votes ${e.votes}, expected ${e.expected}, quorum ${e.quorum}`,
        'quorum',
        { ...e },
      ),
    );
    node.on('transition', (e) => {
      for (const a of e.actions) log(`${name}/coordinator`, a, 'transition');
    });
    node.on('resource', (e) => {
      if (e.action === 'probe') {
        if (e.status !== 'stopped')
          log(`${name}/resource`, `probe '${e.resource}': running`, 'resource.probe', { ...e });
        return;
      }
      const verdict = e.ok ? 'ok' : `failed (${e.detail})`;
      log(
        `${name}/resource`,
        `${e.action} '${e.resource}' ${verdict}${e.status === 'blocked' ? '; blocked until fenced' : ''}`,
        `resource.${e.action}`,
        { ...e },
      );
    });
    node.on('fence', (e) => {
      const src = `${name}/fencing`;
      switch (e.kind) {
        case 'requested':
          log(
            src,
            `fence '${e.target}' requested (${e.reason})${e.delayMs > 0 ? `, delay ${(e.delayMs / 1000).toFixed(3)}s` : ''}`,
            'fence.requested',
            { ...e },
          );
          break;
        case 'device':
          log(
            src,
            `fence '${e.target}': level ${e.level} device '${e.device}' ${e.action} ${e.ok ? 'ok' : `failed (${e.detail})`}`,
            'fence.device',
            { ...e },
          );
          break;
        case 'succeeded':
          log(
            src,
            `fence '${e.target}' succeeded (level ${e.level}, device '${e.device}')`,
            'fence.succeeded',
            { ...e },
          );
          recordFence({
            target: e.target,
            atMs: clock.now(),
            kind: 'device',
            device: e.device,
            // Every device of the level took part (a multi-device level needs all of them), so
            // `device:` names any of them.
            devices: m.config.fencing.topology[e.target]?.[e.level - 1] ?? [e.device],
            level: e.level,
          });
          break;
        case 'attemptFailed':
          log(
            src,
            `fence '${e.target}': attempt ${e.attempt} failed on every level${e.retry ? '; waiting for the retry interval or a confirmation' : ''}`,
            'fence.attemptFailed',
            { ...e },
          );
          break;
        case 'confirmed':
          log(src, `fence '${e.target}' confirmed off by an administrator`, 'fence.confirmed', { ...e });
          break;
        case 'watchdog':
          log(src, `fence '${e.target}' done by its watchdog (counted)`, 'fence.watchdog', { ...e });
          recordFence({ target: e.target, atMs: clock.now(), kind: 'watchdog' });
          break;
        case 'cancelled':
          log(src, `fence '${e.target}' cancelled (${e.reason})`, 'fence.cancelled', { ...e });
          break;
      }
    });
    node.on('config', (e) => {
      log(`${name}/config`, e.message, 'config', { ...e });
      // The machine keeps what its node accepted (as a CIB on disk): it restarts with it.
      if (e.accepted && m.node === node) m.config = node.currentConfig();
      if (e.accepted) {
        const prev = lastApplied.get(name) ?? 0;
        if (invariants.has('configMonotonic') && e.version <= prev) {
          fail(
            `configMonotonic:${name}:${e.version}`,
            `invariant configMonotonic: '${name}' applied version ${e.version} after ${prev}`,
          );
        }
        lastApplied.set(name, Math.max(prev, e.version));
      }
    });
    node.on('selfFence', (e) => log(`${name}/quorum`, `self-fence: ${e.reason}`, 'selfFence', { ...e }));
    void node.start().then(() => {
      if (m.node === node) world.refreshLinks();
    });
  }

  // ---- scenario events ---------------------------------------------------------------------------
  const runningNodes = () => world.ordered().filter((m) => m.node !== null && m.software === 'running');

  function applyEvent(e: ScenarioEvent): void {
    log('scenario', describeEvent(e), 'event', { kind: e.kind });
    switch (e.kind) {
      case 'crash':
      case 'hang': {
        const m = world.machine(e.node);
        if (m.software !== 'running') break;
        snapFault(m.name);
        const state = e.kind === 'crash' ? 'crashed' : 'hung';
        world.killSoftware(m, state);
        world.refreshLinks();
        // A hardware watchdog nobody pets any more resets the machine `timeout` later: the
        // software that kept it quiet crashed or hangs (what lets the others count it fenced).
        const wd = hardwareWatchdogMs(m.config, m.name);
        if (wd !== null) {
          const incarnation = m.incarnation;
          clock.setTimeout(() => {
            if (m.incarnation !== incarnation || m.software !== state || !m.power) return;
            log('world', `'${m.name}' reset by its watchdog (software ${state})`, 'world.reset', {
              node: m.name,
            });
            snapFault(m.name);
            m.running.clear();
            world.forgetPendingFails(m.name);
            world.refreshLinks();
            world.boot(m);
          }, wd);
        }
        break;
      }
      case 'powerLoss': {
        const m = world.machine(e.node);
        snapFault(m.name);
        m.mains = false;
        world.powerOff(m, 'power loss');
        for (const [dev, b] of Object.entries(world.fenceBehaviour)) {
          if (b.poweredBy === m.name) log('world', `fence device '${dev}' has no power`, 'world');
        }
        break;
      }
      case 'powerOn': {
        const m = world.machine(e.node);
        if (!m.power)
          log('world', `'${m.name}' powered on, booting`, 'world.power', { node: m.name, power: 'on' });
        else if (m.software === 'crashed' || m.software === 'hung')
          log('world', `'${m.name}' reset by its power button, booting`, 'world.power', {
            node: m.name,
            power: 'on',
          });
        world.powerOn(m);
        break;
      }
      case 'reboot': {
        const m = world.machine(e.node);
        if (!m.power) break;
        snapFault(m.name);
        if (m.bootTimer !== undefined) clock.clearTimeout(m.bootTimer);
        world.killSoftware(m, 'off');
        m.running.clear();
        world.forgetPendingFails(m.name);
        world.refreshLinks();
        world.boot(m);
        break;
      }
      case 'shutdown': {
        const m = world.machine(e.node);
        const node = m.node;
        if (!node) break;
        void node.shutdown().then(() => {
          if (m.node !== node) return;
          world.killSoftware(m, 'off');
          m.power = false;
          m.running.clear();
          world.forgetPendingFails(m.name);
          log('world', `'${m.name}' powered off after an orderly shutdown`, 'world.power', {
            node: m.name,
            power: 'off',
          });
          world.refreshLinks();
        });
        break;
      }
      case 'fence': {
        const ex = runningNodes().find((m) => m.name !== e.node);
        ex?.node?.requestFence(e.node);
        break;
      }
      case 'confirmFenced': {
        const m = world.machine(e.node);
        m.confirmedOff = true;
        recordFence({ target: e.node, atMs: clock.now(), kind: 'confirm' });
        for (const r of runningNodes()) if (r.name !== e.node) r.node?.confirmFenced(e.node);
        break;
      }
      case 'partition': {
        for (const n of world.machines.keys()) snapFault(n);
        world.groups = e.groups.map((g) => [...g.nodes]);
        for (const n of world.machines.keys()) {
          const g = e.groups.find((x) => x.nodes.includes(n));
          const dev = g?.quorumDevice === true;
          world.qdiskPath.set(n, dev);
          world.qdevicePath.set(n, dev);
        }
        world.refreshLinks();
        world.notifyQdevice(true);
        break;
      }
      case 'heal': {
        world.groups = null;
        world.ringDown.clear();
        for (const n of world.machines.keys()) {
          world.qdiskPath.set(n, true);
          world.qdevicePath.set(n, true);
        }
        world.refreshLinks();
        world.notifyQdevice(true);
        break;
      }
      case 'ringDown':
      case 'ringUp': {
        if (e.kind === 'ringDown') {
          snapFault(e.node);
          world.ringDown.add(`${e.node}:${e.ring}`);
        } else world.ringDown.delete(`${e.node}:${e.ring}`);
        world.refreshLinks();
        break;
      }
      case 'qdiskLost':
        for (const n of world.machines.keys())
          if (e.node === 'all' || e.node === n) world.qdiskPath.set(n, false);
        break;
      case 'qdeviceLost':
        for (const n of world.machines.keys())
          if (e.node === 'all' || e.node === n) world.qdevicePath.set(n, false);
        world.notifyQdevice(true);
        break;
      case 'setExpectedVotes':
        world.machine(e.node).node?.setExpectedVotes(e.votes);
        break;
      case 'fenceDevice': {
        const b = world.fenceBehaviour[e.device] ?? { result: 'ok', afterMs: 1000 };
        world.fenceBehaviour[e.device] = { ...b, result: e.result };
        break;
      }
      case 'resourceFail':
        world.failNextMonitor(e.resource);
        break;
      case 'standby':
        for (const r of runningNodes()) r.node?.standby(e.node, e.on);
        break;
      case 'maintenance':
        for (const r of runningNodes()) r.node?.maintenance(e.node, e.on);
        break;
      case 'configUpdate':
        for (const r of runningNodes()) {
          const res = r.node?.applyClusterConfig(e.config);
          if (res?.ok) {
            r.config = e.config;
            current = e.config;
          }
        }
        if (!stonith()) for (const n of lostInWorld) lostWithoutStonith.add(n);
        // A new policy may let a partition act that could not: what it lost counts from now.
        for (const r of runningNodes()) {
          const node = r.node;
          if (node) queueMicrotask(() => noteLostBy(r, node));
        }
        break;
    }
  }

  // ---- formation at t = 0 -----------------------------------------------------------------------
  // The cluster forms first (every node of `start.up` joined, quorum computed, initial placement
  // started); the file's events at t = 0 come after that.
  for (const [rid, n] of Object.entries(scenario.world.start.running)) {
    if (scenario.world.start.up.includes(n)) world.machines.get(n)?.running.add(rid);
  }
  for (const m of world.ordered()) {
    if (!scenario.world.start.up.includes(m.name)) continue;
    m.power = true;
    world.startSoftware(m);
  }
  await clock.advanceTo(0);
  for (const e of scenario.events) {
    if (e.atMs > scenario.untilMs) continue;
    clock.setTimeout(() => applyEvent(e), e.atMs);
  }

  // ---- expectations -------------------------------------------------------------------------------
  const placementProblem = (placement: Record<ResourceId, NodeName | null>): string | null => {
    for (const [rid, want] of Object.entries(placement)) {
      const where = world
        .ordered()
        .filter(
          (m) => m.running.has(rid) && !m.confirmedOff && !(unfenceable(m.name) && lostInWorld.has(m.name)),
        )
        .map((m) => m.name);
      if (want === null) {
        if (where.length > 0) return `'${rid}' is active on ${where.map((n) => `'${n}'`).join(', ')}`;
      } else if (where.length !== 1 || where[0] !== want) {
        return where.length === 0
          ? `'${rid}' is active nowhere`
          : `'${rid}' is active on ${where.map((n) => `'${n}'`).join(', ')}`;
      }
    }
    return null;
  };

  function checkAt(x: Expectation, t: number): string | null {
    switch (x.kind) {
      case 'runningBy':
      case 'runningAt':
        return placementProblem(x.placement);
      case 'stopped': {
        const p: Record<ResourceId, null> = {};
        for (const r of x.resources) p[r] = null;
        return placementProblem(p);
      }
      case 'quorate': {
        const q = runningNodes()
          .filter((m) => m.node?.status().quorate === true)
          .map((m) => m.name);
        const want = [...x.nodes].sort();
        const got = [...q].sort();
        return want.join(',') === got.join(',') ? null : `quorate nodes are [${q.join(', ')}]`;
      }
      case 'fencePending': {
        const pending = runningNodes().some((m) => m.node?.status().fencePending.includes(x.node) === true);
        return pending ? null : `no fence of '${x.node}' is pending`;
      }
      case 'quorum': {
        const m = world.machines.get(x.node);
        // A node that is down now is judged on the arithmetic it last computed.
        const q = m?.node && m.software === 'running' ? m.node.status().quorum : lastQuorum.get(x.node);
        if (q === undefined) return `'${x.node}' never computed quorum`;
        const bad: string[] = [];
        if (x.votes !== undefined && q.votes !== x.votes) bad.push(`votes ${q.votes}`);
        if (x.expected !== undefined && q.expected !== x.expected) bad.push(`expected ${q.expected}`);
        if (x.quorum !== undefined && q.quorum !== x.quorum) bad.push(`quorum ${q.quorum}`);
        return bad.length === 0 ? null : `'${x.node}' sees ${bad.join(', ')}`;
      }
      case 'fenceCount': {
        for (const [n, k] of Object.entries(x.counts)) {
          const c = records.filter((r) => r.target === n && r.atMs <= t).length;
          if (c !== k) return `'${n}' was fenced ${c} times`;
        }
        return null;
      }
      case 'power': {
        for (const [n, p] of Object.entries(x.power)) {
          const m = world.machines.get(n);
          const got = m?.power ? 'on' : 'off';
          if (got !== p) return `'${n}' power is ${got}`;
        }
        return null;
      }
      case 'configVersion': {
        const off = runningNodes().filter((m) => m.node?.status().configVersion !== x.version);
        return off.length === 0
          ? null
          : off.map((m) => `'${m.name}' runs version ${m.node?.status().configVersion}`).join(', ');
      }
      default:
        return null;
    }
  }

  function checkAtEnd(x: Expectation): string | null {
    if (x.kind === 'fenced') {
      const ok = records.some(
        (r) =>
          r.target === x.node &&
          r.atMs <= x.byMs &&
          (x.device === undefined || (r.kind === 'device' && (r.devices ?? [r.device]).includes(x.device))) &&
          (x.level === undefined || (r.kind === 'device' && r.level === x.level)),
      );
      if (ok) return null;
      const seen = records.filter((r) => r.target === x.node);
      return seen.length === 0
        ? `'${x.node}' was never fenced`
        : `'${x.node}' was fenced at ${seen.map((r) => `${formatTime(r.atMs).trim()} (${r.kind}${r.device ? ` '${r.device}' level ${r.level}` : ''})`).join(', ')}`;
    }
    if (x.kind === 'neverFenced') {
      const to = endOf(x.toMs);
      const hit = records.find((r) => r.target === x.node && r.atMs >= x.fromMs && r.atMs <= to);
      return hit ? `'${x.node}' was fenced at ${formatTime(hit.atMs).trim()}` : null;
    }
    return null;
  }

  const checkpoints = new Map<number, Expectation[]>();
  const addCheck = (t: number, x: Expectation): void => {
    const list = checkpoints.get(t) ?? [];
    list.push(x);
    checkpoints.set(t, list);
  };
  for (const x of scenario.expect) {
    switch (x.kind) {
      case 'runningBy':
        addCheck(x.byMs, x);
        break;
      case 'neverRunning':
        // "R never becomes active on NODE": only a start that completes inside the window counts
        // (see `resourceUp`); an instance already active when the window opens does not.
        break;
      case 'fenced':
      case 'neverFenced':
        break;
      default:
        addCheck(endOf(x.atMs), x);
    }
  }
  const times = [...new Set([...checkpoints.keys(), scenario.untilMs])]
    .filter((t) => t <= scenario.untilMs)
    .sort((a, b) => a - b);
  const maxSteps = 10_000_000;
  for (const t of times) {
    try {
      await clock.advanceTo(t, { maxSteps });
    } catch (e) {
      fail('runaway', `the simulation did not settle: ${e instanceof Error ? e.message : String(e)}`);
      break;
    }
    for (const x of checkpoints.get(t) ?? []) {
      const problem = checkAt(x, t);
      if (problem !== null)
        fail(`expect:${x.index}`, `expectation ${x.text} failed at ${formatTime(t).trim()}: ${problem}`);
    }
  }
  for (const x of scenario.expect) {
    const problem = checkAtEnd(x);
    if (problem !== null) fail(`expect:${x.index}`, `expectation ${x.text} failed: ${problem}`);
  }
  for (const m of world.ordered()) if (m.node) await m.node.stop();
  void resourceIds;
  return {
    ok: failures.length === 0,
    failures,
    timeline,
    stats: { messages: world.messages, endMs: clock.now() },
  };
}

/** The timeout of the watchdog device covering `node`, if the configuration has one. */
function hardwareWatchdogMs(cfg: ClusterConfig, node: string): number | null {
  const wd = cfg.fencing.devices.find(
    (d) => d.agent === 'watchdog' && (d.hosts.length === 0 || d.hosts.includes(node)),
  );
  return wd === undefined ? null : (wd.watchdogTimeoutMs ?? 5000);
}
