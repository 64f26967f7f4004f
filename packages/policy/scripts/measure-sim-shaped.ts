/**
 * Measures `schedule` on a snapshot shaped like the simulator's decision path (every resource
 * known active on one node, one node just lost and unclean, no constraints):
 * `node --conditions=@quorate/source --import tsx packages/policy/scripts/measure-sim-shaped.ts
 * [nodes] [resources] [runs]`. Prints the median of `runs` calls. Not a test.
 */
import { type ClusterSnapshot, schedule } from '@quorate/policy';

/** Builds the snapshot: node 1 unclean, resources round-robin over nodes, stickiness 100. */
export function buildSimShaped(nNodes: number, nRsc: number): ClusterSnapshot {
  const nodes = Array.from({ length: nNodes }, (_, i) => ({
    name: `n${i + 1}`,
    id: String(i + 1),
    state: (i === 0 ? 'unclean' : 'online') as 'unclean' | 'online',
    standby: false,
    maintenance: false,
    shutdown: false,
    attributes: {},
    isDc: i === 1,
    ...(i === 0 ? { uncleanReason: 'peer is no longer part of the cluster' } : {}),
  }));
  const resources = Array.from({ length: nRsc }, (_, i) => ({ id: `r${i + 1}`, agent: 'sim', priority: 0 }));
  const state = resources.map((r, i) => ({
    resource: r.id,
    node: `n${(i % nNodes) + 1}`,
    status: 'active' as const,
  }));
  return {
    nodes,
    resources,
    constraints: [],
    options: {
      stonithEnabled: true,
      hasFenceDevice: true,
      noQuorumPolicy: 'stop',
      symmetricCluster: true,
      resourceStickiness: 100,
      maintenanceMode: false,
      stopAllResources: false,
      clusterName: 'bench',
    },
    hasQuorum: true,
    state,
    failCounts: [],
    nowMs: 0,
  };
}

const args = process.argv.slice(2);
const nNodes = Number(args[0] ?? 16);
const nRsc = Number(args[1] ?? 1000);
const runs = Number(args[2] ?? 30);
const snap = buildSimShaped(nNodes, nRsc);
for (let i = 0; i < 3; i++) schedule(snap);
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  schedule(snap);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(
  `schedule ${nNodes} nodes x ${nRsc} resources (sim-shaped): median ${(times[Math.floor(runs / 2)] as number).toFixed(2)} ms over ${runs}, min ${(times[0] as number).toFixed(2)} ms`,
);
