/**
 * The scheduler: one pure function from a {@link ClusterSnapshot} to a {@link Transition},
 * re-implementing Pacemaker 2.1.5's placement rules for primitives (see
 * `PACEMAKER-SEMANTICS.md`): score tables, assignment order, node ranking, quorum policy and when
 * fencing is scheduled.
 */
import { evaluateRule, type NodeAttributes, ruleScore } from './rules.js';
import { addScores, INFINITY } from './score.js';
import type {
  Action,
  ClusterSnapshot,
  LocationConstraint,
  NodeName,
  ResourceId,
  Score,
  SnapshotResource,
  Transition,
} from './types.js';

/** Internal per-node view after unpacking (Pacemaker `node->details`). */
interface NodeInfo {
  name: NodeName;
  /** Running the cluster stack in our partition (`details->online`). */
  online: boolean;
  unclean: boolean;
  uncleanReason: string | undefined;
  pending: boolean;
  standby: boolean;
  maintenance: boolean;
  shutdown: boolean;
  baseScore: Score;
}

/** Internal per-resource view. */
interface RscInfo {
  r: SnapshotResource;
  index: number;
  /** Nodes where it is active (running, failed or blocked), in history order. */
  running: number[];
  failed: boolean;
  managed: boolean;
  /** Node indexes with a failed stop (banned). */
  stopFailedOn: number[];
}

const NO_SCORE = Number.NaN;

/** Default `requires` as Pacemaker derives it (`unpack_requires`). */
function requiresOf(r: SnapshotResource, stonith: boolean, nqp: string): 'nothing' | 'quorum' | 'fencing' {
  if (r.requires) return r.requires;
  if (r.isFenceDevice) return 'quorum';
  if (stonith) return 'fencing';
  if (nqp === 'ignore') return 'nothing';
  return 'quorum';
}

function roleApplies(role: string | undefined): boolean {
  if (role === undefined) return true;
  const r = role.toLowerCase();
  return r === 'started' || r === 'unpromoted' || r === 'slave';
}

/**
 * Decides placements and actions for one scheduler run, as Pacemaker 2.1.5 would.
 *
 * Contract: pure and deterministic; reads only `snapshot` (time comes from `snapshot.nowMs`);
 * never throws on well-typed input (constraints naming unknown resources or nodes are ignored, as
 * Pacemaker ignores unknown nodes). Cost is O(nodes × resources + constraints + history).
 *
 * Output: `placements` is the node each resource will run on after the transition (null when it
 * will be stopped or stays stopped; an unmanaged or blocked resource keeps its current node);
 * `actions` lists fences first, then stops, then starts, moves, recoveries and restarts, with
 * `blocked` on actions that are needed but cannot run; `fence` the nodes to fence; `scores` each
 * resource's allocation scores (nodes absent from an asymmetric cluster's table are omitted);
 * `reasons` one sentence per resource.
 */
export function schedule(snapshot: ClusterSnapshot): Transition {
  const opts = snapshot.options;
  const stonith = opts.stonithEnabled;
  const hasDevice = opts.hasFenceDevice ?? snapshot.resources.some((r) => r.isFenceDevice === true);
  const fencingPossible = stonith && hasDevice;
  const nothingManaged = stonith && !hasDevice;
  const hasQuorum = snapshot.hasQuorum;
  let policy: string = opts.noQuorumPolicy;
  if (policy === 'suicide' && !(stonith && (hasQuorum || opts.noQuorumPanic === true))) policy = 'stop';
  if (hasQuorum) policy = 'ignore';
  if (policy === 'demote') policy = 'stop';

  // --- nodes -------------------------------------------------------------------------------
  const nodes: NodeInfo[] = [];
  const nodeIndex = new Map<NodeName, number>();
  for (const n of snapshot.nodes) {
    if (nodeIndex.has(n.name)) continue;
    nodeIndex.set(n.name, nodes.length);
    const unclean = n.state === 'unclean';
    nodes.push({
      name: n.name,
      online: n.state === 'online' || n.state === 'pending' || (unclean && n.inMembership === true),
      unclean,
      uncleanReason: unclean ? n.uncleanReason : undefined,
      pending: n.state === 'pending',
      standby: n.standby === true,
      maintenance: n.maintenance === true,
      shutdown: n.shutdown === true,
      baseScore: n.baseScore ?? 0,
    });
  }
  const N = nodes.length;
  const markUnclean = (i: number, reason: string): void => {
    const node = nodes[i] as NodeInfo;
    if (node.unclean) return;
    node.unclean = true;
    node.uncleanReason = reason;
  };
  if (policy === 'suicide' && !hasQuorum) {
    for (let i = 0; i < N; i++) if ((nodes[i] as NodeInfo).online) markUnclean(i, 'cluster does not have quorum');
  }

  // --- resources and their history ---------------------------------------------------------
  const rscs: RscInfo[] = [];
  const rscIndex = new Map<ResourceId, number>();
  for (const r of snapshot.resources) {
    if (rscIndex.has(r.id)) continue;
    rscIndex.set(r.id, rscs.length);
    rscs.push({
      r,
      index: rscs.length,
      running: [],
      failed: false,
      managed: r.managed !== false && !opts.maintenanceMode,
      stopFailedOn: [],
    });
  }
  const pendingNodes: number[] = [];
  for (let i = 0; i < N; i++) if ((nodes[i] as NodeInfo).pending) pendingNodes.push(i);
  // Resources whose state is known on pending nodes (probes there cannot run).
  const knownOnPending = new Set<string>();
  for (const s of snapshot.state) {
    const ri = rscIndex.get(s.resource);
    const ni = nodeIndex.get(s.node);
    if (ri === undefined || ni === undefined) continue;
    if (pendingNodes.length > 0 && (nodes[ni] as NodeInfo).pending) knownOnPending.add(`${ri} ${ni}`);
    if (s.status === 'stopped') continue;
    const info = rscs[ri] as RscInfo;
    const node = nodes[ni] as NodeInfo;
    // Without fencing, Pacemaker does not read the history of nodes that are not online.
    if (!stonith && !node.online) continue;
    if (!info.running.includes(ni)) info.running.push(ni);
    if (node.maintenance) info.managed = false;
    if (!node.online && !node.maintenance && info.managed && stonith) {
      markUnclean(ni, `${info.r.id} is thought to be active there`);
    }
    if (s.stopFailed === true) info.stopFailedOn.push(ni);
    // Failures on a node that is already unclean need no recovery of their own: fencing it
    // stops everything there (Pacemaker treats on-fail as "ignore" then).
    if (node.unclean) continue;
    if (s.status === 'blocked') {
      info.managed = false;
    } else if (s.status === 'failed') {
      if ((s.stopFailed === true || s.fenceOnFail === true) && stonith) {
        markUnclean(ni, `${info.r.id} failed there`);
      } else if (s.stopFailed === true) {
        info.managed = false; // a failed stop without fencing blocks the resource
      }
      info.failed = true;
    }
  }
  if (nothingManaged) for (const info of rscs) info.managed = false;

  const available = (i: number): boolean => {
    const n = nodes[i] as NodeInfo;
    return n.online && !n.unclean && !n.shutdown && !n.standby && !n.maintenance && !n.pending;
  };

  // --- constraints indexed by resource ------------------------------------------------------
  const locsByRsc = new Map<ResourceId, LocationConstraint[]>();
  for (const c of snapshot.constraints) {
    if (c.kind !== 'location') continue;
    let list = locsByRsc.get(c.resource);
    if (!list) {
      list = [];
      locsByRsc.set(c.resource, list);
    }
    list.push(c);
  }
  let attrTables: NodeAttributes[] | undefined;
  const nodeAttrs = (): NodeAttributes[] => {
    if (attrTables) return attrTables;
    attrTables = snapshot.nodes
      .filter((n, i, all) => all.findIndex((m) => m.name === n.name) === i)
      .map((n) => {
        const m = new Map<string, string>(Object.entries(n.attributes ?? {}));
        m.set('#uname', n.name);
        m.set('#id', n.id ?? n.name);
        m.set('#kind', 'cluster');
        m.set('#is_dc', n.isDc === true ? 'true' : 'false');
        if (opts.clusterName !== undefined) m.set('#cluster-name', opts.clusterName);
        return m;
      });
    return attrTables;
  };

  // --- fail counts --------------------------------------------------------------------------
  const failByRsc = new Map<ResourceId, Map<number, { count: number; last: number }>>();
  for (const f of snapshot.failCounts) {
    const ni = nodeIndex.get(f.node);
    if (ni === undefined || !rscIndex.has(f.resource)) continue;
    let m = failByRsc.get(f.resource);
    if (!m) {
      m = new Map();
      failByRsc.set(f.resource, m);
    }
    const prev = m.get(ni);
    const last = f.lastFailureMs ?? 0;
    if (prev) {
      prev.count = addScores(prev.count, f.count);
      prev.last = Math.max(prev.last, last);
    } else m.set(ni, { count: addScores(0, f.count), last });
  }

  // --- score tables (apply_node_criteria) ----------------------------------------------------
  const tables: Float64Array[] = new Array(rscs.length);
  for (const info of rscs) {
    const r = info.r;
    const t = new Float64Array(N);
    if (opts.symmetricCluster) for (let i = 0; i < N; i++) t[i] = (nodes[i] as NodeInfo).baseScore;
    else t.fill(NO_SCORE);
    const add = (i: number, s: Score): void => {
      const cur = t[i] as number;
      t[i] = Number.isNaN(cur) ? s : addScores(cur, s);
    };
    for (const i of info.stopFailedOn) add(i, -INFINITY);
    const locs = locsByRsc.get(r.id);
    if (locs) {
      // Each constraint (and each rule of a rule-based one) becomes one entry, applied in reverse
      // document order (Pacemaker prepends every new location to its list).
      const entries: Array<Array<[number, Score]>> = [];
      for (const c of locs) {
        if (!roleApplies(c.role)) continue;
        if (c.rules && c.rules.length > 0) {
          const attrs = nodeAttrs();
          for (const rule of c.rules) {
            const e: Array<[number, Score]> = [];
            for (let i = 0; i < N; i++) {
              const a = attrs[i] as NodeAttributes;
              if (evaluateRule(rule, a)) e.push([i, ruleScore(rule, a)]);
            }
            entries.push(e);
          }
        } else if (c.node !== undefined) {
          const ni = nodeIndex.get(c.node);
          if (ni !== undefined) entries.push([[ni, c.score ?? 0]]);
        }
      }
      for (let k = entries.length - 1; k >= 0; k--) for (const [i, s] of entries[k] as Array<[number, Score]>) add(i, s);
    }
    const stickiness = r.stickiness ?? opts.resourceStickiness;
    if (info.managed && stickiness >= 1 && info.running.length === 1) {
      const cur = info.running[0] as number;
      if (!Number.isNaN(t[cur] as number)) t[cur] = addScores(t[cur] as number, stickiness);
    }
    const fails = failByRsc.get(r.id);
    if (fails) {
      let threshold = r.migrationThreshold ?? INFINITY;
      if (threshold < 0) threshold = 1;
      const timeout = r.failureTimeoutMs ?? 0;
      if (threshold > 0) {
        for (const [i, f] of fails) {
          const expired = timeout > 0 && snapshot.nowMs > f.last + timeout;
          const count = expired ? 0 : f.count;
          if (count > 0 && threshold - count <= 0) add(i, -INFINITY);
        }
      }
    }
    tables[info.index] = t;
  }

  // --- assignment -----------------------------------------------------------------------------
  const order = rscs.slice().sort((a, b) => (b.r.priority ?? 0) - (a.r.priority ?? 0) || a.index - b.index);
  const numAssigned = new Int32Array(N);
  const assigned: Array<number | null> = new Array(rscs.length).fill(null);
  const reasons: Record<ResourceId, string> = {};
  const scores: Record<ResourceId, Record<NodeName, Score>> = {};
  for (const info of order) {
    const r = info.r;
    const t = tables[info.index] as Float64Array;
    if (r.targetRole === 'stopped') for (let i = 0; i < N; i++) if (!Number.isNaN(t[i] as number)) t[i] = -INFINITY;
    const sc: Record<NodeName, Score> = {};
    for (let i = 0; i < N; i++) {
      const v = t[i] as number;
      if (!Number.isNaN(v)) sc[(nodes[i] as NodeInfo).name] = v;
    }
    scores[r.id] = sc;
    const current = info.running.length > 0 ? (info.running[0] as number) : -1;
    let chosen = -1;
    if (!info.managed) {
      chosen = current;
      reasons[r.id] =
        current < 0 ? 'unmanaged and inactive: left stopped' : `unmanaged: left on '${(nodes[current] as NodeInfo).name}'`;
    } else if (opts.stopAllResources) {
      reasons[r.id] = 'stop-all-resources is set';
    } else {
      let best = -1;
      let bestEff = 0;
      for (let i = 0; i < N; i++) {
        const raw = t[i] as number;
        if (Number.isNaN(raw)) continue;
        const eff = available(i) ? raw : -INFINITY;
        if (best < 0) {
          best = i;
          bestEff = eff;
          continue;
        }
        if (eff !== bestEff) {
          if (eff > bestEff) {
            best = i;
            bestEff = eff;
          }
          continue;
        }
        const la = numAssigned[i] as number;
        const lb = numAssigned[best] as number;
        if (la !== lb) {
          if (la < lb) best = i;
          continue;
        }
        if (i === current) {
          best = i;
          continue;
        }
        if (best === current) continue;
        if ((nodes[i] as NodeInfo).name < (nodes[best] as NodeInfo).name) best = i;
      }
      if (best < 0) {
        reasons[r.id] = 'no node is allowed to run it';
      } else if (!available(best) || (t[best] as number) < 0) {
        reasons[r.id] =
          r.targetRole === 'stopped'
            ? 'target-role is Stopped'
            : `no available node with a non-negative score (best '${(nodes[best] as NodeInfo).name}' scores ${t[best]})`;
      } else {
        chosen = best;
        const bestScore = t[best] as number;
        if (bestScore > 0 && current >= 0 && current !== best && available(current) && t[current] === bestScore) {
          chosen = current;
        }
        const name = (nodes[chosen] as NodeInfo).name;
        reasons[r.id] =
          chosen === current
            ? `stays on '${name}' (score ${fmt(t[chosen] as number)})`
            : `assigned to '${name}' (score ${fmt(t[chosen] as number)}, ${numAssigned[chosen]} assigned there before)`;
      }
    }
    if (chosen >= 0) numAssigned[chosen] = (numAssigned[chosen] as number) + 1;
    assigned[info.index] = chosen >= 0 ? chosen : null;
  }

  // --- fencing --------------------------------------------------------------------------------
  const anyManaged = rscs.some((x) => x.managed);
  const fenced = new Array<boolean>(N).fill(false);
  const fenceActions: Action[] = [];
  const fence: NodeName[] = [];
  const action = opts.fenceAction ?? 'reboot';
  for (let i = 0; i < N; i++) {
    const n = nodes[i] as NodeInfo;
    if (!n.unclean || !anyManaged || !fencingPossible) continue;
    if (!(hasQuorum || policy === 'ignore' || opts.noQuorumPolicy === 'ignore' || n.online)) continue;
    fenced[i] = true;
    fence.push(n.name);
    fenceActions.push({ op: 'fence', node: n.name, action, reason: n.uncleanReason ?? 'node is unclean' });
  }

  // --- actions per resource ---------------------------------------------------------------------
  const stops: Action[] = [];
  const starts: Action[] = [];
  const placements: Record<ResourceId, NodeName | null> = {};
  const nameOf = (i: number): NodeName => (nodes[i] as NodeInfo).name;
  for (const info of order) {
    const r = info.r;
    const chosen = assigned[info.index] ?? null;
    const running = info.running;
    if (!info.managed) {
      // Unmanaged resources stay put; a fence still takes them down.
      const stay = running.find((i) => !fenced[i]);
      placements[r.id] = stay === undefined ? null : nameOf(stay);
      continue;
    }
    // Can a stop on node i run? On a fenced node it is implied by the fence.
    const stopRunnable = (i: number): boolean => fenced[i] || ((nodes[i] as NodeInfo).online && !(nodes[i] as NodeInfo).unclean);
    const requires = requiresOf(r, stonith, opts.noQuorumPolicy);
    let startDue: string | undefined;
    let startRunnable = true;
    if (chosen !== null) {
      if (requires !== 'nothing') {
        if (policy === 'stop') {
          startRunnable = false;
          startDue = 'no quorum';
        } else if (policy === 'freeze' && running.length === 0) {
          startRunnable = false;
          startDue = 'quorum freeze';
        }
      }
      // A first start waits for probes everywhere; a probe on a pending node cannot run (E: a node
      // in membership that has not joined blocks starts of resources never seen there).
      if (startRunnable && running.length === 0 && pendingNodes.some((p) => !knownOnPending.has(`${info.index} ${p}`))) {
        startRunnable = false;
      }
      const needsStop = running.some((i) => i !== chosen) || info.failed;
      if (startRunnable && needsStop && running.some((i) => !stopRunnable(i))) startRunnable = false;
    }
    const blockedStays = running.filter((i) => !stopRunnable(i));
    if (running.length === 0) {
      if (chosen === null) {
        placements[r.id] = null;
        continue;
      }
      const a: Action = { op: 'start', resource: r.id, node: nameOf(chosen), reason: reasons[r.id] ?? '' };
      if (!startRunnable) {
        a.blocked = true;
        a.reason = `start on '${nameOf(chosen)}' cannot run${startDue ? ` (${startDue})` : ''}`;
        reasons[r.id] = a.reason;
      }
      if (startDue !== undefined) a.due = startDue;
      starts.push(a);
      placements[r.id] = startRunnable ? nameOf(chosen) : null;
      continue;
    }
    if (chosen === null || !startRunnable) {
      // The resource stops everywhere (or would, where the stop can run).
      for (const i of running) {
        const a: Action = {
          op: 'stop',
          resource: r.id,
          node: nameOf(i),
          reason: chosen === null ? (reasons[r.id] ?? '') : `cannot start anywhere${startDue ? ` (${startDue})` : ''}`,
        };
        const due = chosen === null ? 'node availability' : startDue;
        if (due !== undefined) a.due = due;
        if (!stopRunnable(i)) {
          a.blocked = true;
          a.reason = `stop on '${nameOf(i)}' cannot run: node is unclean and will not be fenced`;
        }
        stops.push(a);
      }
      placements[r.id] = blockedStays.length > 0 ? nameOf(blockedStays[0] as number) : null;
      if (chosen !== null && !startRunnable) reasons[r.id] = `stopped: start cannot run${startDue ? ` (${startDue})` : ''}`;
      continue;
    }
    const from = running[0] as number;
    placements[r.id] = nameOf(chosen);
    if (running.length === 1 && from === chosen) {
      if (info.failed) {
        starts.push({ op: 'recover', resource: r.id, node: nameOf(chosen), reason: `failed on '${nameOf(chosen)}': restart there` });
        reasons[r.id] = `recovers in place on '${nameOf(chosen)}'`;
      }
      continue;
    }
    if (info.failed) {
      starts.push({ op: 'recover', resource: r.id, node: nameOf(chosen), from: nameOf(from), reason: reasons[r.id] ?? '' });
    } else {
      starts.push({ op: 'move', resource: r.id, node: nameOf(chosen), from: nameOf(from), reason: reasons[r.id] ?? '' });
    }
  }

  return { placements, actions: [...fenceActions, ...stops, ...starts], fence, scores, reasons };
}

function fmt(s: Score): string {
  return s >= INFINITY ? 'INFINITY' : s <= -INFINITY ? '-INFINITY' : String(s);
}
