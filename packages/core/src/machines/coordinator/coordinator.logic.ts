import type {
  ClusterSnapshot,
  Constraint,
  FailCount,
  NodeName,
  ResourceId,
  ResourceState,
  SnapshotNode,
} from '@quorate/policy';
import type { ClusterConfig } from '../../config/cluster-config.types.js';
import type { ResourceStatus } from '../resource/resource.types.js';

/** How the coordinator sees one node when it builds a snapshot. */
export interface CoordinatorNodeView {
  name: NodeName;
  state: 'online' | 'offline' | 'unclean';
  standby: boolean;
  maintenance: boolean;
  shutdown: boolean;
}

/** Input of {@link buildSnapshot}. */
export interface SnapshotInput {
  cfg: ClusterConfig;
  nodes: CoordinatorNodeView[];
  coordinator: NodeName;
  /** Per resource, per node: what is known (members' reports; last report of unclean nodes). */
  view: Record<ResourceId, Record<NodeName, ResourceStatus>>;
  failCounts: Record<NodeName, Record<ResourceId, { count: number; lastFailureMs: number }>>;
  hasQuorum: boolean;
  nowMs: number;
}

/** Maps a resource instance status to the scheduler's history status. */
export function historyStatus(s: ResourceStatus): ResourceState['status'] {
  if (s === 'failed') return 'failed';
  if (s === 'blocked') return 'blocked';
  if (s === 'stopped') return 'stopped';
  return 'active';
}

/** The configuration-only parts of a snapshot, built once per configuration object. */
const configParts = new WeakMap<
  ClusterConfig,
  {
    resources: ClusterSnapshot['resources'];
    constraints: Constraint[];
    nodeIndex: Map<NodeName, number>;
    resourceIndex: Map<ResourceId, number>;
  }
>();

function partsOf(cfg: ClusterConfig) {
  let parts = configParts.get(cfg);
  if (parts === undefined) {
    parts = {
      resources: cfg.resources.map((r) => {
        const res: ClusterSnapshot['resources'][number] = {
          id: r.id,
          agent: r.agent,
          priority: r.priority,
          targetRole: r.targetRole,
          migrationThreshold: r.migrationThreshold,
          failureTimeoutMs: r.failureTimeoutMs,
        };
        if (r.stickiness !== undefined) res.stickiness = r.stickiness;
        return res;
      }),
      constraints: cfg.constraints.map((c) =>
        'node' in c
          ? { kind: 'location', id: c.id, resource: c.resource, node: c.node, score: c.score }
          : { kind: 'location', id: c.id, resource: c.resource, rules: [{ ...c.rule, score: c.score }] },
      ),
      nodeIndex: new Map(cfg.nodes.map((n, i) => [n.name, i])),
      resourceIndex: new Map(cfg.resources.map((r, i) => [r.id, i])),
    };
    configParts.set(cfg, parts);
  }
  return parts;
}

/**
 * Builds the scheduler's input from the coordinator's view. Pure; the parts that depend on the
 * configuration only (resources, constraints) are built once per configuration object and shared
 * by the snapshots built from it (the scheduler never changes its input).
 */
export function buildSnapshot(input: SnapshotInput): ClusterSnapshot {
  const { cfg } = input;
  const byName = new Map(input.nodes.map((n) => [n.name, n]));
  const nodes: SnapshotNode[] = cfg.nodes.map((n) => {
    const v = byName.get(n.name);
    const node: SnapshotNode = {
      name: n.name,
      id: String(n.id),
      state: v?.state ?? 'offline',
      standby: v?.standby ?? false,
      maintenance: v?.maintenance ?? false,
      shutdown: v?.shutdown ?? false,
      attributes: { ...n.attributes },
      isDc: n.name === input.coordinator,
    };
    if (v?.state === 'unclean') node.uncleanReason = 'peer is no longer part of the cluster';
    return node;
  });
  const parts = partsOf(cfg);
  const { constraints, nodeIndex, resourceIndex } = parts;
  // Only the few nodes each resource is known on are visited (in configuration order), not every
  // node for every resource.
  const byNodeOrder = (a: string, b: string): number =>
    (nodeIndex.get(a) ?? Number.MAX_SAFE_INTEGER) - (nodeIndex.get(b) ?? Number.MAX_SAFE_INTEGER);
  const state: ResourceState[] = [];
  for (const r of cfg.resources) {
    const per = input.view[r.id];
    if (per === undefined) continue;
    const where = Object.keys(per).filter((n) => nodeIndex.has(n));
    if (where.length > 1) where.sort(byNodeOrder);
    for (const n of where) {
      const s = per[n];
      if (s === undefined || s === 'stopped') continue;
      state.push({ resource: r.id, node: n, status: historyStatus(s) });
    }
  }
  const failCounts: FailCount[] = [];
  for (const n of cfg.nodes) {
    const fc = input.failCounts[n.name];
    if (fc === undefined) continue;
    const rids = Object.keys(fc).filter((rid) => resourceIndex.has(rid));
    rids.sort((a, b) => (resourceIndex.get(a) ?? 0) - (resourceIndex.get(b) ?? 0));
    for (const rid of rids) {
      const f = fc[rid];
      if (f !== undefined && f.count > 0) {
        failCounts.push({ resource: rid, node: n.name, count: f.count, lastFailureMs: f.lastFailureMs });
      }
    }
  }
  return {
    nodes,
    resources: parts.resources,
    constraints,
    options: {
      stonithEnabled: cfg.options.stonithEnabled,
      hasFenceDevice: true,
      noQuorumPolicy: cfg.options.noQuorumPolicy,
      symmetricCluster: cfg.options.symmetricCluster,
      resourceStickiness: cfg.options.resourceStickiness,
      maintenanceMode: cfg.options.maintenanceMode,
      stopAllResources: cfg.options.stopAllResources,
      startupFencing: cfg.options.startupFencing,
      fenceAction: cfg.options.fenceAction,
      clusterName: cfg.name,
    },
    hasQuorum: input.hasQuorum,
    state,
    failCounts,
    nowMs: input.nowMs,
  };
}

/** Commands the coordinator sends for one scheduling run. */
export interface Plan {
  stops: Array<{ resource: ResourceId; node: NodeName }>;
  starts: Array<{ resource: ResourceId; node: NodeName }>;
  /** Recoveries held until the named unclean node is fenced. */
  waiting: Array<{ resource: ResourceId; node: NodeName; until: NodeName }>;
}

/**
 * Turns placements into commands against what runs now: stop every instance that is not where
 * the resource belongs (or that failed), start it on its node once it is active nowhere else.
 * A move is therefore stop, then (on the next run, after the stop is reported) start. Instances on
 * unclean nodes wait for their fence; instances on maintenance nodes are left alone; blocked
 * instances wait for fencing; instances still starting or stopping are waited for. Pure.
 */
export function planCommands(args: {
  resources: ReadonlyArray<{ id: ResourceId }>;
  placements: Record<ResourceId, NodeName | null>;
  view: Record<ResourceId, Record<NodeName, ResourceStatus>>;
  nodeState: (n: NodeName) => 'online' | 'offline' | 'unclean';
  maintenance: (n: NodeName) => boolean;
  /** Nodes that must not receive new starts (not members, inquorate). */
  canStartOn: (n: NodeName) => boolean;
  /** Whether this resource may start on this node now (it may run in a partition we cannot see). */
  mayStart?: (resource: ResourceId, node: NodeName) => boolean;
}): Plan {
  const plan: Plan = { stops: [], starts: [], waiting: [] };
  const locs: Array<[NodeName, ResourceStatus]> = [];
  for (const r of args.resources) {
    if (!(r.id in args.placements)) continue;
    const target = args.placements[r.id] ?? null;
    const per = args.view[r.id];
    locs.length = 0;
    let inMaintenance = false;
    if (per !== undefined)
      for (const n in per) {
        const s = per[n] as ResourceStatus;
        if (s === 'stopped') continue;
        if (args.maintenance(n)) inMaintenance = true;
        locs.push([n, s]);
      }
    if (inMaintenance) continue;
    let healthyOnTarget = false;
    let blockers = 0;
    for (const [n, s] of locs) {
      const st = args.nodeState(n);
      if (n === target && (s === 'started' || s === 'starting')) {
        healthyOnTarget = true;
        continue;
      }
      blockers++;
      if (st === 'unclean') {
        if (target !== null && target !== n) plan.waiting.push({ resource: r.id, node: target, until: n });
        continue;
      }
      if (st !== 'online') continue;
      if (s === 'started' || s === 'failed') plan.stops.push({ resource: r.id, node: n });
    }
    if (
      target !== null &&
      !healthyOnTarget &&
      blockers === 0 &&
      args.canStartOn(target) &&
      (args.mayStart === undefined || args.mayStart(r.id, target))
    ) {
      plan.starts.push({ resource: r.id, node: target });
    }
  }
  return plan;
}
