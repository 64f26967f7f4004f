/**
 * Measures `schedule` on a synthetic snapshot: `node --conditions=@quorate/source --import tsx
 * packages/policy/scripts/measure-schedule.ts [nodes] [resources] [--plain]`. Not a test (no timed
 * asserts). `--plain` leaves out groups, colocations and orderings.
 */
import { type ClusterSnapshot, schedule } from '@quorate/policy';

function build(nNodes: number, nRsc: number, plain: boolean): ClusterSnapshot {
  const nodes = Array.from({ length: nNodes }, (_, i) => ({
    name: `node${i + 1}`,
    state: (i % 17 === 5 ? 'offline' : 'online') as 'online' | 'offline',
    attributes: { rack: String(i % 4) },
  }));
  const resources = Array.from({ length: nRsc }, (_, i) => ({
    id: `rsc${i}`,
    priority: i % 3,
    ...(i % 5 === 0 ? { stickiness: 100 } : {}),
  }));
  const constraints = [];
  for (let i = 0; i < nRsc; i += 2) {
    constraints.push({
      kind: 'location' as const,
      id: `l${i}`,
      resource: `rsc${i}`,
      node: `node${(i % nNodes) + 1}`,
      score: 50,
    });
  }
  for (let i = 1; i < nRsc; i += 10) {
    constraints.push({
      kind: 'location' as const,
      id: `r${i}`,
      resource: `rsc${i}`,
      rules: [{ score: 20, expressions: [{ attribute: 'rack', op: 'eq' as const, value: '1' }] }],
    });
  }
  // groups of 4 consecutive resources every 20, and a colocation chain every 10
  const groups = [];
  for (let i = 0; !plain && i + 4 <= nRsc; i += 20) {
    const members = [`rsc${i}`, `rsc${i + 1}`, `rsc${i + 2}`, `rsc${i + 3}`];
    groups.push({ id: `grp${i}`, members });
    for (const m of members) (resources[Number(m.slice(3))] as { group?: string }).group = `grp${i}`;
  }
  for (let i = 5; !plain && i + 1 < nRsc; i += 10) {
    constraints.push({
      kind: 'colocation' as const,
      id: `c${i}`,
      resource: `rsc${i}`,
      withResource: `rsc${i + 1}`,
      score: 500,
    } as never);
    // biome-ignore lint/suspicious/noThenProperty: the OrderConstraint vocabulary names it 'then'
    constraints.push({ kind: 'order' as const, id: `o${i}`, first: `rsc${i + 1}`, then: `rsc${i}` } as never);
  }
  const state = [];
  for (let i = 0; i < nRsc; i += 3)
    state.push({ resource: `rsc${i}`, node: `node${(i % nNodes) + 1}`, status: 'active' as const });
  const failCounts = [];
  for (let i = 0; i < nRsc; i += 50)
    failCounts.push({ resource: `rsc${i}`, node: `node${(i % nNodes) + 1}`, count: 1000000 });
  return {
    nodes,
    resources,
    constraints,
    options: {
      stonithEnabled: false,
      noQuorumPolicy: 'stop',
      symmetricCluster: true,
      resourceStickiness: 0,
      maintenanceMode: false,
      stopAllResources: false,
    },
    hasQuorum: true,
    state,
    failCounts,
    nowMs: 0,
    groups,
  };
}

const plain = process.argv.includes('--plain');
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const nNodes = Number(args[0] ?? 64);
const nRsc = Number(args[1] ?? 10000);
for (const [n, r] of [
  [nNodes / 4, nRsc / 4],
  [nNodes / 2, nRsc / 2],
  [nNodes, nRsc],
] as const) {
  const snap = build(n, r, plain);
  schedule(snap); // warm-up
  const runs = 5;
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) schedule(snap);
  const ms = (performance.now() - t0) / runs;
  console.log(
    `schedule ${n} nodes x ${r} resources${plain ? ' (primitives only)' : ' (with groups, colocations, orders)'}: ${ms.toFixed(1)} ms`,
  );
}
