/**
 * Simulator benchmark (`npm run bench:sim`): wall time to simulate one hour of a 16-node cluster
 * with 1000 resources and a fault every minute, and the coordinator's decision time from "node
 * lost" to the transition being dispatched at 16 x 1000 (median over the faults).
 * Prints figures; asserts nothing.
 */
import {
  type Clock,
  type ClusterNodeOptions,
  createClusterNode,
  parseScenarioDocument,
  runScenario,
  type Transport,
} from '@quorate/core';
import { schedule } from '@quorate/policy';

const NODES = Number(process.env.BENCH_NODES ?? 16);
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? 1000);
const HOURS = Number(process.env.BENCH_HOURS ?? 1);

function scenarioDoc(): Record<string, unknown> {
  const nodes = Array.from({ length: NODES }, (_, i) => ({ name: `n${i + 1}`, id: i + 1 }));
  const names = nodes.map((n) => n.name);
  const resources = Array.from({ length: RESOURCES }, (_, i) => ({ id: `r${i + 1}`, agent: 'sim' }));
  const running: Record<string, string> = {};
  resources.forEach((r, i) => {
    running[r.id] = names[i % NODES] as string;
  });
  const events: Array<Record<string, unknown>> = [];
  const minutes = 60 * HOURS;
  for (let m = 1; m < minutes; m++) {
    // a rotating fault: crash one node (it is fenced and reboots), alternating with a network
    // isolation of another node that heals 30 s later
    const victim = names[(m * 5) % NODES] as string;
    if (m % 2 === 1) events.push({ at: `${m}m`, crash: victim });
    else {
      events.push({ at: `${m}m`, partition: [names.filter((n) => n !== victim), [victim]] });
      events.push({ at: `${m * 60 + 30}s`, heal: 'all' });
    }
  }
  return {
    name: 'bench-16x1000',
    cluster: {
      name: 'bench',
      configVersion: 1,
      nodes,
      options: { resourceStickiness: 100 },
      fencing: { devices: [{ name: 'pdu', agent: 'sim', hosts: names }] },
      resources,
    },
    world: { start: { running }, bootTime: '20s' },
    events,
    until: `${minutes}m`,
    invariants: 'default',
  };
}

const scenario = parseScenarioDocument(scenarioDoc());
const decisions: number[] = [];
const decisionsCpu: number[] = [];
const lostAt = new Map<string, { wall: number; cpu: number }>();
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// Per-node busy time. All simulated nodes share this one thread, so the wall time between a
// coordinator's "lost" and its decision also holds the other 15 nodes' work of that instant. In a
// real cluster each node is its own process: its decision latency is its own work (plus message
// round trips). So every callback the simulator runs for a node (its timers, its messages, its
// reachability reports) is timed and charged to that node.
/** Busy time of one node: closed callbacks, and the start of the one running now (or -1). */
interface Busy {
  total: number;
  open: number;
}
const busy = new Map<string, Busy>();
function busyOf(node: string): Busy {
  let b = busy.get(node);
  if (b === undefined) {
    b = { total: 0, open: -1 };
    busy.set(node, b);
  }
  return b;
}
function runCharged<R>(b: Busy, fn: () => R): R {
  if (b.open >= 0) return fn();
  const t = performance.now();
  b.open = t;
  try {
    return fn();
  } finally {
    b.open = -1;
    b.total += performance.now() - t;
  }
}
function charged<A extends unknown[], R>(node: string, fn: (...args: A) => R): (...args: A) => R {
  const b = busyOf(node);
  return (...args: A): R => runCharged(b, () => fn(...args));
}
function busyNow(node: string): number {
  const b = busyOf(node);
  return b.total + (b.open >= 0 ? performance.now() - b.open : 0);
}
function chargedNode(o: ClusterNodeOptions) {
  const n = o.node;
  const b = busyOf(n);
  const clock: Clock = {
    now: () => o.clock.now(),
    // the simulator's most frequent callback: no per-call closure beyond the timer's own
    setTimeout: (fn, ms) => o.clock.setTimeout(() => runCharged(b, fn), ms),
    clearTimeout: (h) => o.clock.clearTimeout(h),
  };
  const t = o.transport;
  const transport: Transport = {
    join: (self, onMessage, ctx) => t.join(self, charged(n, onMessage), ctx),
    send: (to, msg) => t.send(to, msg),
    broadcast: (msg) => t.broadcast(msg),
    rings: () => t.rings(),
    close: () => t.close(),
    ...(t.onReachability ? { onReachability: (cb) => t.onReachability!(charged(n, cb)) } : {}),
    ...(t.onMembership ? { onMembership: (cb) => t.onMembership!(charged(n, cb)) } : {}),
  };
  return createClusterNode({ ...o, clock, transport });
}
const ownDecisions: number[] = [];
const lostBusy = new Map<string, number>();

const t0 = performance.now();
const c0 = cpuMs();
const result = await runScenario(scenario, {
  seed: 1,
  keepTimeline: false,
  createNode: chargedNode,
  onEntry: (e) => {
    // Per node: from its own "lost" to its own first decision (transition or fence request).
    const who = e.source.split('/')[0] as string;
    if (e.type === 'membership' && e.message.includes('lost')) {
      lostAt.set(who, { wall: performance.now(), cpu: cpuMs() });
      lostBusy.set(who, busyNow(who));
    }
    if (e.type === 'transition' || e.type === 'fence.requested') {
      const t = lostAt.get(who);
      if (t !== undefined) {
        decisions.push(performance.now() - t.wall);
        decisionsCpu.push(cpuMs() - t.cpu);
        ownDecisions.push(busyNow(who) - (lostBusy.get(who) ?? 0));
        lostAt.delete(who);
      }
    }
  },
});
const wall = performance.now() - t0;
const cpu = cpuMs() - c0;
decisions.sort((a, b) => a - b);
decisionsCpu.sort((a, b) => a - b);
const median = decisions[Math.floor(decisions.length / 2)] ?? Number.NaN;
const medianCpu = decisionsCpu[Math.floor(decisionsCpu.length / 2)] ?? Number.NaN;
ownDecisions.sort((a, b) => a - b);
const medianOwn = ownDecisions[Math.floor(ownDecisions.length / 2)] ?? Number.NaN;

// The scheduler alone at this size, for comparison.
const snapStart = performance.now();
let runs = 0;
// a synthetic snapshot: every resource running, one node unclean
const snap = {
  nodes: Array.from({ length: NODES }, (_, i) => ({
    name: `n${i + 1}`,
    state: i === 0 ? ('unclean' as const) : ('online' as const),
  })),
  resources: Array.from({ length: RESOURCES }, (_, i) => ({ id: `r${i + 1}`, stickiness: 100 })),
  constraints: [],
  options: {
    stonithEnabled: true,
    hasFenceDevice: true,
    noQuorumPolicy: 'stop' as const,
    symmetricCluster: true,
    resourceStickiness: 100,
    maintenanceMode: false,
    stopAllResources: false,
  },
  hasQuorum: true,
  state: Array.from({ length: RESOURCES }, (_, i) => ({
    resource: `r${i + 1}`,
    node: `n${(i % NODES) + 1}`,
    status: 'active' as const,
  })),
  failCounts: [],
  nowMs: 0,
};
while (performance.now() - snapStart < 1000) {
  schedule(snap);
  runs++;
}
const perSchedule = (performance.now() - snapStart) / runs;

console.log(
  `sim: ${NODES} nodes x ${RESOURCES} resources, ${HOURS} h simulated, ${scenario.events.length} fault events`,
);
console.log(
  `  wall time            ${(wall / 1000).toFixed(2)} s, CPU ${(cpu / 1000).toFixed(2)} s  (${result.stats.messages} messages, ok=${result.ok}, failures=${result.failures.length})`,
);
console.log(
  `  decision time        median ${median.toFixed(2)} ms wall, ${medianCpu.toFixed(2)} ms CPU over ${decisions.length} losses (node lost -> transition dispatched)`,
);
console.log(
  `  decision, own work   median ${medianOwn.toFixed(2)} ms (the coordinator's own callbacks only, as in a process per node)`,
);
console.log(`  schedule() alone     ${perSchedule.toFixed(2)} ms per call at ${NODES} x ${RESOURCES}`);
if (!result.ok) for (const f of result.failures.slice(0, 5)) console.log(`  failure: ${f.message}`);
