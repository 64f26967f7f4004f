/**
 * Measures `schedule` on a snapshot shaped like the coordinator's (`buildSnapshot` in
 * `packages/core/src/machines/coordinator/coordinator.logic.ts`) right after a node is lost:
 * 16 nodes with attributes, 1000 resources all active round-robin, node n1 unclean (so its ~60
 * resources move), stickiness 100, about 60 location constraints (node scores and single-rule
 * constraints on node attributes) and a few fail counts.
 *
 * `node --conditions=@quorate/source --import tsx packages/policy/scripts/measure-schedule-16x1000.ts
 * [nodes] [resources] [runs] [--digest] [--curve]`
 *
 * Prints median and p90 (wall and process CPU time) of `runs` calls (default 200) after a warm-up.
 * `--curve` first prints the times of the first 40 calls of this fresh process, each on its own
 * snapshot (another node lost each time), as the coordinator meets them: the optimising compiler
 * has not seen the code yet. `--digest` also prints a SHA-256 of the full Transition (score rows and
 * reasons materialised) for this shape and a few others, so an optimisation can be checked to leave
 * every output unchanged. Not a test (no timed asserts).
 */
import { createHash } from 'node:crypto';
import { type ClusterSnapshot, type Constraint, schedule, type Transition } from '@quorate/policy';

/** Options that shift the shape (for the digest's extra cases). */
interface ShapeOptions {
  symmetric?: boolean;
  stickiness?: number;
  withGroups?: boolean;
}

/** Builds the coordinator-shaped snapshot. Deterministic. */
export function buildCoordinatorShaped(nNodes: number, nRsc: number, o: ShapeOptions = {}): ClusterSnapshot {
  const nodes: ClusterSnapshot['nodes'] = Array.from({ length: nNodes }, (_, i) => {
    const node: ClusterSnapshot['nodes'][number] = {
      name: `n${i + 1}`,
      id: String(i + 1),
      state: i === 0 ? 'unclean' : 'online',
      standby: false,
      maintenance: false,
      shutdown: false,
      attributes: { rack: `r${i % 4}`, zone: i % 2 === 0 ? 'a' : 'b', ssd: i % 3 === 0 ? 'yes' : 'no' },
      isDc: i === 1,
    };
    if (i === 0) node.uncleanReason = 'peer is no longer part of the cluster';
    return node;
  });
  const resources: ClusterSnapshot['resources'] = Array.from({ length: nRsc }, (_, i) => {
    const r: ClusterSnapshot['resources'][number] = {
      id: `r${i + 1}`,
      agent: 'sim',
      priority: i % 97 === 0 ? 10 : 0,
      targetRole: i % 250 === 7 ? 'stopped' : undefined,
      migrationThreshold: 3,
      failureTimeoutMs: i % 2 === 0 ? 60_000 : 0,
    } as ClusterSnapshot['resources'][number];
    if (i % 53 === 0) r.stickiness = 0;
    return r;
  });
  const constraints: Constraint[] = [];
  const step = Math.max(1, Math.floor(nRsc / 60));
  for (let k = 0, i = 3; i < nRsc; i += step, k++) {
    const rid = `r${i + 1}`;
    if (k % 4 === 3) {
      const attr = k % 8 === 3 ? 'rack' : 'ssd';
      const value = attr === 'rack' ? `r${k % 4}` : 'yes';
      constraints.push({
        kind: 'location',
        id: `loc-rule-${k}`,
        resource: rid,
        rules: [{ expressions: [{ attribute: attr, op: 'eq', value }], score: k % 3 === 0 ? -200 : 150 }],
      });
    } else {
      constraints.push({
        kind: 'location',
        id: `loc-${k}`,
        resource: rid,
        node: `n${(k % nNodes) + 1}`,
        score: k % 5 === 0 ? -1_000_000 : k % 5 === 1 ? 1_000_000 : 50 * (k % 7),
      });
    }
  }
  const state: ClusterSnapshot['state'] = resources.map((r, i) => ({
    resource: r.id,
    node: `n${(i % nNodes) + 1}`,
    status: 'active',
  }));
  const failCounts: ClusterSnapshot['failCounts'] = [];
  for (let i = 11; i < nRsc; i += Math.max(1, Math.floor(nRsc / 6))) {
    failCounts.push({
      resource: `r${i + 1}`,
      node: `n${((i + 3) % nNodes) + 1}`,
      count: 3,
      lastFailureMs: 5_000,
    });
    failCounts.push({
      resource: `r${i + 2}`,
      node: `n${((i + 5) % nNodes) + 1}`,
      count: 1,
      lastFailureMs: 90_000,
    });
  }
  const snap: ClusterSnapshot = {
    nodes,
    resources,
    constraints,
    options: {
      stonithEnabled: true,
      hasFenceDevice: true,
      noQuorumPolicy: 'stop',
      symmetricCluster: o.symmetric ?? true,
      resourceStickiness: o.stickiness ?? 100,
      maintenanceMode: false,
      stopAllResources: false,
      startupFencing: true,
      fenceAction: 'reboot',
      clusterName: 'bench',
    },
    hasQuorum: true,
    state,
    failCounts,
    nowMs: 100_000,
  };
  if (o.withGroups === true) {
    const groups: NonNullable<ClusterSnapshot['groups']> = [];
    for (let i = 20; i + 3 <= nRsc; i += 40) {
      const members = [`r${i + 1}`, `r${i + 2}`, `r${i + 3}`];
      groups.push({ id: `g${i}`, members });
      for (const m of members) (resources[Number(m.slice(1)) - 1] as { group?: string }).group = `g${i}`;
    }
    snap.groups = groups;
    for (let i = 30; i + 1 < nRsc; i += 50) {
      constraints.push({
        kind: 'colocation',
        id: `col-${i}`,
        resource: `r${i + 1}`,
        withResource: `r${i + 2}`,
        score: i % 100 === 30 ? 1_000_000 : 300,
      });
      constraints.push({
        kind: 'order',
        id: `ord-${i}`,
        first: `r${i + 2}`,
        // biome-ignore lint/suspicious/noThenProperty: the OrderConstraint vocabulary names it 'then'
        then: `r${i + 1}`,
      } as Constraint);
    }
  }
  return snap;
}

/** SHA-256 of a Transition with every score row read (lazy rows included). */
export function digest(t: Transition): string {
  const scores: Record<string, Record<string, number>> = {};
  for (const k of Object.keys(t.scores)) scores[k] = { ...(t.scores[k] as Record<string, number>) };
  const text = JSON.stringify({ ...t, scores });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const isMain = process.argv[1]?.endsWith('measure-schedule-16x1000.ts') === true;
if (isMain) {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const nNodes = Number(args[0] ?? 16);
  const nRsc = Number(args[1] ?? 1000);
  const runs = Number(args[2] ?? 200);
  if (process.argv.includes('--curve')) {
    const snaps = Array.from({ length: 40 }, (_, k) => {
      const s = buildCoordinatorShaped(nNodes, nRsc);
      const first = s.nodes[0] as ClusterSnapshot['nodes'][number];
      const lost = s.nodes[k % nNodes] as ClusterSnapshot['nodes'][number];
      first.state = 'online';
      lost.state = 'unclean';
      return s;
    });
    const curve: string[] = [];
    for (const s of snaps) {
      const t0 = performance.now();
      schedule(s);
      curve.push((performance.now() - t0).toFixed(1));
    }
    console.log(`first 40 calls (ms): ${curve.join(' ')}`);
  }
  if (process.argv.includes('--digest')) {
    const cases: Array<[string, ClusterSnapshot]> = [
      ['16x1000', buildCoordinatorShaped(16, 1000)],
      ['16x1000 asym', buildCoordinatorShaped(16, 1000, { symmetric: false })],
      ['16x1000 groups', buildCoordinatorShaped(16, 1000, { withGroups: true, stickiness: 0 })],
      ['40x2000 groups', buildCoordinatorShaped(40, 2000, { withGroups: true })],
      ['5x50', buildCoordinatorShaped(5, 50, { withGroups: true })],
    ];
    for (const [name, snap] of cases) console.log(`digest ${name}: ${digest(schedule(snap))}`);
  }
  const snap = buildCoordinatorShaped(nNodes, nRsc);
  const first = schedule(snap);
  const moved = first.actions.filter((a) => a.op !== 'fence' && a.op !== 'stop').length;
  for (let i = 0; i < 50; i++) schedule(snap);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    schedule(snap);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const at = (xs: number[], q: number): string =>
    (xs[Math.min(runs - 1, Math.floor(q * runs))] as number).toFixed(3);
  // CPU time (all of the process's threads, GC helpers included) is less disturbed than wall time
  // when other work shares the machine.
  console.log(
    `schedule ${nNodes}x${nRsc} (coordinator-shaped, ${snap.constraints.length} constraints, ${moved} moves) over ${runs}: wall median ${at(times, 0.5)} ms, p90 ${at(times, 0.9)} ms, min ${at(times, 0)} ms; cpu median ${at(cpu, 0.5)} ms, p90 ${at(cpu, 0.9)} ms`,
  );
}
