/**
 * The scheduler: one pure function from a {@link ClusterSnapshot} to a {@link Transition},
 * re-implementing Pacemaker 2.1.5's placement rules (see `PACEMAKER-SEMANTICS.md`): score tables,
 * assignment order, node ranking, groups, colocation, ordering, quorum policy and when fencing is
 * scheduled.
 */
import { evaluateRule, type NodeAttributes, ruleScore } from './rules.js';
import { addScores, INFINITY } from './score.js';
import type {
  Action,
  ClusterSnapshot,
  ColocationConstraint,
  LocationConstraint,
  NodeName,
  OrderConstraint,
  ResourceId,
  ResourceState,
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
  unseen: boolean;
}

/** A colocation between two resources (primitives or groups), Pacemaker `pcmk__colocation_t`. */
class Coloc {
  id: string;
  dependent: Rsc;
  primary: Rsc;
  score: Score;
  attr: string | undefined;
  influence: boolean;

  constructor(
    id: string,
    dependent: Rsc,
    primary: Rsc,
    score: Score,
    attr: string | undefined,
    influence: boolean,
  ) {
    this.id = id;
    this.dependent = dependent;
    this.primary = primary;
    this.score = score;
    this.attr = attr;
    this.influence = influence;
  }
}

/** An ordering between primitives (user constraints, groups expanded; groups' member order). */
class Ord {
  /** A primitive, or a group standing for its "running" pseudo-action (all members started). */
  first: Rsc;
  after: Rsc[];
  mandatory: boolean;
  symmetrical: boolean;

  constructor(first: Rsc, after: Rsc[], mandatory: boolean, symmetrical: boolean) {
    this.first = first;
    this.after = after;
    this.mandatory = mandatory;
    this.symmetrical = symmetrical;
  }
}

/**
 * Internal view of a primitive or a group. A class rather than object literals: one shape from
 * the start, and no allocation-site feedback (with literals, V8 saw every resource of a run alive
 * at each young-generation GC and moved their allocation to the old generation, which made the
 * next GCs slower).
 */
class Rsc {
  kind: 'primitive' | 'group';
  id: ResourceId;
  /** Position in the snapshot (primitives) or of the first member (groups). */
  index: number;
  priority: number;
  /** Primitive fields. */
  r: SnapshotResource | undefined;
  parent: Rsc | undefined = undefined;
  members: Rsc[] = NO_RSCS;
  running: number[] = NO_INDICES;
  failed = false;
  /** Blocked by a failure (on-fail=block, or a failed stop without fencing). */
  blocked = false;
  managed: boolean;
  stopFailedOn: number[] = NO_INDICES;
  /** Nodes where a failure needs recovery (in history order). */
  failedOn: number[] = NO_INDICES;
  /** Nodes where it was found running while unmanaged (+INFINITY there). */
  pinnedOn: number[] = NO_INDICES;
  table: Float64Array = NO_TABLE;
  thisWith: Coloc[] = NO_COLOCS;
  withThis: Coloc[] = NO_COLOCS;
  provisional = true;
  allocating = false;
  merging = false;
  assigned = -1;
  /** Its start action (primitives with a node), set when actions are built. */
  start: Act | undefined = undefined;
  /** Its stop actions (one per node it runs on); empty for groups. */
  stops: Act[] = NO_ACTS;
  /**
   * Its entry in `Transition.reasons`: the text (`whyKind` WHY_TEXT), or, for the two sentences
   * every placed resource gets, the node, score and count they are written from on first read.
   */
  why: string | undefined = undefined;
  whyKind = WHY_TEXT;
  whyNode = -1;
  whyScore: Score = 0;
  whyCount = 0;
  /** Some location constraint names it. */
  hasLocs = false;
  /** Its fail counts by node, if any. */
  fails: Map<number, { count: number; last: number }> | undefined = undefined;

  constructor(
    kind: 'primitive' | 'group',
    id: ResourceId,
    index: number,
    r: SnapshotResource | undefined,
    managed: boolean,
  ) {
    this.kind = kind;
    this.id = id;
    this.index = index;
    this.priority = r?.priority ?? 0;
    this.r = r;
    this.managed = managed;
  }
}

const WHY_TEXT = 0;
/** "stays on 'node' (score S)". */
const WHY_STAYS = 1;
/** "assigned to 'node' (score S, C assigned there before)". */
const WHY_ASSIGNED = 2;

/** A start or stop of one primitive (a tiny subset of Pacemaker's action graph). */
class Act {
  rsc: Rsc;
  node: number;
  required: boolean;
  runnable: boolean;
  reason: string | undefined;

  constructor(rsc: Rsc, node: number, required: boolean, runnable: boolean, reason: string | undefined) {
    this.rsc = rsc;
    this.node = node;
    this.required = required;
    this.runnable = runnable;
    this.reason = reason;
  }
}

const NO_SCORE = Number.NaN;
/** Shared placeholders for not-yet-built tables and stop lists (replaced, never written to). */
const NO_TABLE = new Float64Array(0);
const NO_ACTS: Act[] = [];
/**
 * Shared empty lists for a resource's rarely filled lists (most resources have no group members,
 * failures, pins or colocations): frozen, so a stray push throws instead of leaking into every
 * resource. {@link withAdded} and {@link insertSorted} replace them with a list of their own.
 */
const NO_INDICES: number[] = Object.freeze([]) as unknown as number[];
const NO_RSCS: Rsc[] = Object.freeze([]) as unknown as Rsc[];
const NO_COLOCS: Coloc[] = Object.freeze([]) as unknown as Coloc[];

const ONE_SLOT: unknown[] = [undefined];

/**
 * A new one-element list, copied from a template rather than written as a literal: V8 tracks
 * where literals are created, and when it sees a literal site's arrays survive young-generation
 * GCs (as a run's lists of resources and actions do while the run lasts, under a busy process's
 * frequent GCs) it allocates them in the old generation from then on, where each keeps the young
 * objects it lists, and everything they reach, alive across every young-generation GC until the
 * next full GC. A copy is not tracked (and, unlike `Array.of`, is inlined by the compiler).
 */
function listOf<T>(v: T): T[] {
  const list = ONE_SLOT.slice() as T[];
  list[0] = v;
  return list;
}

/** `list` with `v` appended: pushed in place, or a new one-element list for a shared empty one. */
function withAdded<T>(list: T[], v: T): T[] {
  if (list.length === 0) return listOf(v);
  list.push(v);
  return list;
}
/** Placeholder for `Transition.scores` and `reasons` until {@link makeLazy} replaces them. */
const NOT_YET: Record<string, never> = Object.freeze({});
const f32 = Math.fround;

/** Adds `s` to a score table entry; an entry with no score yet (NaN) takes `s`. */
function addTo(t: Float64Array, i: number, s: Score): void {
  const cur = t[i] as number;
  t[i] = Number.isNaN(cur) ? s : addScores(cur, s);
}

/** Up to this many nodes, `schedule` builds score rows eagerly; above it, on first read. */
const EAGER_ROW_NODES = 32;

/** A resource's allocation scores by node name (nodes without a score are left out). */
function scoreRow(t: Float64Array, n: number, nameOf: (i: number) => NodeName): Record<NodeName, Score> {
  const row: Record<NodeName, Score> = {};
  for (let i = 0; i < n; i++) {
    const v = t[i] as number;
    if (!Number.isNaN(v)) row[nameOf(i)] = v;
  }
  return row;
}

/** The score table as `Transition.scores` holds it (rows in assignment order). */
function buildScores(
  ids: ResourceId[],
  tables: Float64Array[],
  n: number,
  nameOf: (i: number) => NodeName,
): Record<ResourceId, Record<NodeName, Score>> {
  const scores: Record<ResourceId, Record<NodeName, Score>> = {};
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as ResourceId;
    const t = tables[k] as Float64Array;
    if (n <= EAGER_ROW_NODES) {
      // Few nodes: rows built now share one object shape and cost less than a lazy getter each.
      const row = scoreRow(t, n, nameOf);
      if (id === '__proto__') {
        Object.defineProperty(scores, id, {
          value: row,
          enumerable: true,
          configurable: true,
          writable: true,
        });
      } else scores[id] = row;
    } else {
      // Many nodes: each row is materialised on its first read (building 64 × 10000 small objects
      // at once dominated the run time, and most callers read a few rows).
      Object.defineProperty(scores, id, {
        enumerable: true,
        configurable: true,
        get(): Record<NodeName, Score> {
          const row = scoreRow(t, n, nameOf);
          Object.defineProperty(scores, id, {
            value: row,
            enumerable: true,
            configurable: true,
            writable: true,
          });
          return row;
        },
      });
    }
  }
  return scores;
}

type LazyKey = 'scores' | 'reasons';

/**
 * Where a transition keeps the builders of its not-yet-read lazy properties: a non-enumerable
 * symbol-keyed property of its own (JSON, spreads, `Object.keys` and structured clones do not see
 * it). Not a module-level WeakMap, and not per-run closures as accessors: both put a reference to
 * the run's data in an old-generation object (the map's table, or a hidden class of its own),
 * which kept every run alive across young-generation GCs until the next full GC.
 */
const BUILDERS = Symbol('quorate.schedule.lazy');

type Builders = Record<LazyKey, (() => unknown) | undefined> & {
  /** Values built for a transition that no longer lets its accessors be replaced (frozen). */
  kept?: Partial<Record<LazyKey, unknown>>;
};

/**
 * Replaces the accessor by a plain data property holding `value`; when the transition was frozen
 * or sealed meanwhile, keeps `value` for the accessor to return from now on.
 */
function settle(t: Transition, key: LazyKey, value: unknown): void {
  const builders = (t as { [BUILDERS]?: Builders })[BUILDERS];
  if (builders !== undefined) builders[key] = undefined;
  if (Object.getOwnPropertyDescriptor(t, key)?.configurable === false) {
    if (builders !== undefined) builders.kept = { ...builders.kept, [key]: value };
    return;
  }
  Object.defineProperty(t, key, { value, enumerable: true, configurable: true, writable: true });
}

/** The accessor of a lazy property, shared by every transition (so they share a hidden class). */
function lazyAccessor(key: LazyKey): PropertyDescriptor {
  return {
    enumerable: true,
    configurable: true,
    get(this: Transition): unknown {
      const builders = Object.hasOwn(this, BUILDERS)
        ? (this as { [BUILDERS]?: Builders })[BUILDERS]
        : undefined;
      if (builders?.kept !== undefined && key in builders.kept) return builders.kept[key];
      const build = builders?.[key];
      // Reached through another object (one whose prototype is a transition): read it there.
      if (build === undefined) return Object.getPrototypeOf(this)?.[key];
      const value = build();
      settle(this, key, value);
      return value;
    },
    set(this: Transition, value: unknown): void {
      // Writing a frozen transition's property fails as it would for a data property.
      if (Object.getOwnPropertyDescriptor(this, key)?.configurable === false) {
        throw new TypeError(`Cannot assign to read only property '${key}' of object`);
      }
      settle(this, key, value);
    },
  };
}

const LAZY_ACCESSORS: Record<LazyKey, PropertyDescriptor> = {
  scores: lazyAccessor('scores'),
  reasons: lazyAccessor('reasons'),
};

/**
 * Makes `t.scores` and `t.reasons` data properties built on their first read (or replaced by a
 * write). The coordinator reads only `placements`; building a thousand score rows of named
 * properties and a thousand reason sentences was most of a run's allocation. Readers see exactly
 * the values an eager build would give (what they are built from is final when `schedule` returns
 * and nothing changes it afterwards); the properties keep their place in the key order, so
 * `JSON.stringify`, spreads and structured clones are unchanged.
 */
function makeLazy(t: Transition, builders: Builders): void {
  Object.defineProperty(t, BUILDERS, {
    value: builders,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  Object.defineProperty(t, 'scores', LAZY_ACCESSORS.scores);
  Object.defineProperty(t, 'reasons', LAZY_ACCESSORS.reasons);
}

/** Whether any of these actions is required. */
function anyRequired(acts: Act[]): boolean {
  for (let k = 0; k < acts.length; k++) if ((acts[k] as Act).required) return true;
  return false;
}

/** Whether any of these actions is required but cannot run. */
function anyStuck(acts: Act[]): boolean {
  for (let k = 0; k < acts.length; k++) {
    const a = acts[k] as Act;
    if (a.required && !a.runnable) return true;
  }
  return false;
}

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

/** Pacemaker's `pcmk__numeric_strcasecmp`: case-insensitive, digit runs compared as numbers. */
function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    const da = ca >= 48 && ca <= 57;
    const db = cb >= 48 && cb <= 57;
    if (da && db) {
      let ei = i;
      while (ei < a.length && a.charCodeAt(ei) >= 48 && a.charCodeAt(ei) <= 57) ei++;
      let ej = j;
      while (ej < b.length && b.charCodeAt(ej) >= 48 && b.charCodeAt(ej) <= 57) ej++;
      const na = Number(a.slice(i, ei));
      const nb = Number(b.slice(j, ej));
      if (na !== nb) return na < nb ? -1 : 1;
      i = ei;
      j = ej;
      continue;
    }
    const la = String.fromCharCode(ca).toLowerCase();
    const lb = String.fromCharCode(cb).toLowerCase();
    if (la !== lb) return la < lb ? -1 : 1;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

function fmt(s: Score): string {
  return s >= INFINITY ? 'INFINITY' : s <= -INFINITY ? '-INFINITY' : String(s);
}

/** Pacemaker's colocation list order: priority desc, groups before primitives, then id (strcmp). */
function cmpColocBy(get: (c: Coloc) => Rsc): (a: Coloc, b: Coloc) => number {
  return (a, b) => {
    const x = get(a);
    const y = get(b);
    if (x.priority !== y.priority) return y.priority - x.priority;
    if (x.kind !== y.kind) return x.kind === 'group' ? -1 : 1;
    return x.id < y.id ? -1 : x.id > y.id ? 1 : 0;
  };
}

/**
 * GLib's `g_list_insert_sorted`: the new element goes before the first element it does not compare
 * greater than, so among equals the latest insertion comes first (E: two colocations with the same
 * primary are applied in reverse document order). Returns the list (a new one when `list` was
 * empty, which may be a shared placeholder).
 */
function insertSorted(list: Coloc[], c: Coloc, cmp: (a: Coloc, b: Coloc) => number): Coloc[] {
  if (list.length === 0) return listOf(c);
  let i = 0;
  while (i < list.length && cmp(c, list[i] as Coloc) > 0) i++;
  list.splice(i, 0, c);
  return list;
}

/**
 * `list` ordered by priority, highest first, then by list order; a pass per distinct priority when
 * there are few of them, a sort otherwise.
 */
function byPriority(list: Rsc[]): Rsc[] {
  const distinct: number[] = [];
  for (const x of list) {
    if (!distinct.includes(x.priority)) {
      if (distinct.length === 8 || Number.isNaN(x.priority)) {
        return list
          .map((x, pos) => ({ x, pos }))
          .sort((a, b) => b.x.priority - a.x.priority || a.pos - b.pos)
          .map((e) => e.x);
      }
      distinct.push(x.priority);
    }
  }
  distinct.sort((a, b) => b - a);
  const out: Rsc[] = [];
  for (const p of distinct) for (const x of list) if (x.priority === p) out.push(x);
  return out;
}

const byPrimary = cmpColocBy((c) => c.primary);
const byDependent = cmpColocBy((c) => c.dependent);

/**
 * Decides placements and actions for one scheduler run, as Pacemaker 2.1.5 would.
 *
 * Contract: pure and deterministic; reads only `snapshot` (time comes from `snapshot.nowMs`);
 * never throws on well-typed input (constraints naming unknown resources or nodes are ignored, as
 * Pacemaker ignores unknown nodes). Cost is O(nodes × resources + constraints + history) when
 * there are no colocations; colocations add work proportional to the colocation chains.
 *
 * Output: `placements` is the node each resource will run on after the transition (null when it
 * will be stopped or stays stopped; an unmanaged or blocked resource keeps its current node);
 * `actions` lists fences first, then stops, then starts, moves, recoveries and restarts, with
 * `blocked` on actions that are needed but cannot run and `due` carrying crm_simulate's cause;
 * `fence` the nodes to fence; `scores` each primitive's allocation scores (nodes absent from an
 * asymmetric cluster's table are omitted); `reasons` one sentence per primitive. `scores` and
 * `reasons` are built when first read (most callers never read them), then stay plain data
 * properties; every way of reading them (property access, `Object.keys`/`entries`, spreads,
 * `JSON.stringify`, `structuredClone`) gives what an eager build would.
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
  const snapNodes: ClusterSnapshot['nodes'] = [];
  for (const n of snapshot.nodes) {
    if (nodeIndex.has(n.name)) continue;
    nodeIndex.set(n.name, nodes.length);
    snapNodes.push(n);
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
      unseen: n.unseen === true,
    });
  }
  const N = nodes.length;
  const nameOf = (i: number): NodeName => (nodes[i] as NodeInfo).name;
  const markUnclean = (i: number, reason: string): void => {
    const node = nodes[i] as NodeInfo;
    if (node.unclean) return;
    node.unclean = true;
    node.uncleanReason = reason;
  };
  if (policy === 'suicide' && !hasQuorum) {
    for (let i = 0; i < N; i++)
      if ((nodes[i] as NodeInfo).online) markUnclean(i, 'cluster does not have quorum');
  }
  let attrTables: NodeAttributes[] | undefined;
  const nodeAttrs = (): NodeAttributes[] => {
    if (attrTables) return attrTables;
    attrTables = snapNodes.map((n) => {
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
  const attrOf = (i: number, attr: string): string | undefined =>
    (nodeAttrs()[i] as NodeAttributes).get(attr);

  // --- resources -----------------------------------------------------------------------------
  const prims: Rsc[] = [];
  const byId = new Map<ResourceId, Rsc>();
  const newRsc = (kind: Rsc['kind'], id: string, index: number, r: SnapshotResource | undefined): Rsc =>
    new Rsc(kind, id, index, r, (r?.managed ?? true) !== false && !opts.maintenanceMode);
  for (const r of snapshot.resources) {
    if (byId.has(r.id)) continue;
    const x = newRsc('primitive', r.id, prims.length, r);
    prims.push(x);
    byId.set(r.id, x);
  }
  const groups: Rsc[] = [];
  for (const g of snapshot.groups ?? []) {
    if (byId.has(g.id)) continue;
    const members = g.members
      .map((m) => byId.get(m))
      .filter((m): m is Rsc => m !== undefined && m.parent === undefined);
    if (members.length === 0) continue;
    const grp = newRsc('group', g.id, (members[0] as Rsc).index, undefined);
    grp.priority = g.priority ?? 0;
    grp.members = members;
    for (const m of members) m.parent = grp;
    groups.push(grp);
    byId.set(g.id, grp);
  }
  for (const p of prims) {
    if (p.r?.group !== undefined && p.parent === undefined) {
      // A primitive naming a group that `groups` does not list: treat the group as declared here.
      let grp = byId.get(p.r.group);
      if (!grp) {
        grp = newRsc('group', p.r.group, p.index, undefined);
        grp.priority = p.priority;
        groups.push(grp);
        byId.set(grp.id, grp);
      }
      if (grp.kind === 'group') {
        grp.members = withAdded(grp.members, p);
        p.parent = grp;
      }
    }
  }

  // --- operation history ----------------------------------------------------------------------
  const pendingNodes: number[] = [];
  for (let i = 0; i < N; i++) if ((nodes[i] as NodeInfo).pending) pendingNodes.push(i);
  const knownOnPending = new Set<string>();
  // Each loop body below is its own small function: the optimising compiler handles (and, when a
  // rare branch is first taken, recompiles) it alone instead of the whole of `schedule`.
  const readHistory = (s: ResourceState): void => {
    const x = byId.get(s.resource);
    const ni = nodeIndex.get(s.node);
    if (x === undefined || x.kind !== 'primitive' || ni === undefined) return;
    const node = nodes[ni] as NodeInfo;
    if (node.pending) knownOnPending.add(`${x.index} ${ni}`);
    if (s.status === 'stopped') return;
    // Without fencing, Pacemaker does not read the history of nodes that are not online.
    if (!stonith && !node.online) return;
    if (x.running.includes(ni)) return;
    x.running = withAdded(x.running, ni);
    if (node.maintenance) x.managed = false;
    // An unmanaged resource is pinned where it runs (Pacemaker "not_managed_default", +INFINITY).
    if (!x.managed) x.pinnedOn = withAdded(x.pinnedOn, ni);
    if (!node.online && !node.maintenance && x.managed && stonith) {
      markUnclean(ni, `${x.id} is thought to be active there`);
    }
    if (s.stopFailed === true) x.stopFailedOn = withAdded(x.stopFailedOn, ni);
    // Failures on a node that is already unclean need no recovery of their own: fencing it
    // stops everything there (Pacemaker treats on-fail as "ignore" then).
    if (node.unclean) return;
    if (s.status === 'blocked') {
      x.managed = false;
      x.blocked = true;
    } else if (s.status === 'failed') {
      if (!node.online && stonith && x.r?.managed !== false && !opts.maintenanceMode) {
        // Recovering it needs a stop on a node that is down (only reachable for a maintenance
        // node, which is not fenced for merely running something): Pacemaker fences it.
        markUnclean(ni, 'stop is unrunnable');
      }
      if ((s.stopFailed === true || s.fenceOnFail === true) && stonith) {
        markUnclean(ni, `${x.id} failed there`);
      } else if (s.stopFailed === true) {
        x.managed = false; // a failed stop without fencing blocks the resource
        x.blocked = true;
      }
      x.failed = true;
      x.failedOn = withAdded(x.failedOn, ni);
    }
  };
  for (const s of snapshot.state) readHistory(s);
  if (nothingManaged) for (const x of prims) x.managed = false;

  /** Pacemaker's working-set node weight: the base score, or -INFINITY when down/shutting down. */
  const nodeWeight = (i: number): Score => {
    const n = nodes[i] as NodeInfo;
    // Nodes without a status entry keep their configured weight (Pacemaker never looked at them).
    return n.unseen || (n.online && !n.shutdown) ? n.baseScore : -INFINITY;
  };
  const available = (i: number): boolean => {
    const n = nodes[i] as NodeInfo;
    return n.online && !n.unclean && !n.shutdown && !n.standby && !n.maintenance && !n.pending;
  };
  const anyAvailable = (t: Float64Array): boolean => {
    for (let i = 0; i < N; i++) if ((t[i] as number) >= 0 && available(i)) return true;
    return false;
  };

  // --- constraints indexed by resource ---------------------------------------------------------
  const locsByRsc = new Map<ResourceId, Array<{ c: LocationConstraint; pos: number }>>();
  const colocs: ColocationConstraint[] = [];
  const orders: OrderConstraint[] = [];
  snapshot.constraints.forEach((c, pos) => {
    if (c.kind === 'location') {
      let list = locsByRsc.get(c.resource);
      if (!list) {
        list = [];
        locsByRsc.set(c.resource, list);
      }
      list.push({ c, pos });
    } else if (c.kind === 'colocation') colocs.push(c);
    else orders.push(c);
  });
  locsByRsc.forEach((_, id) => {
    const x = byId.get(id);
    if (x !== undefined) x.hasLocs = true;
  });

  // --- fail counts --------------------------------------------------------------------------
  const failByRsc = new Map<ResourceId, Map<number, { count: number; last: number }>>();
  for (const f of snapshot.failCounts) {
    const ni = nodeIndex.get(f.node);
    if (ni === undefined || !byId.has(f.resource)) continue;
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
  failByRsc.forEach((m, id) => {
    const x = byId.get(id);
    if (x !== undefined) x.fails = m;
  });

  // --- score tables (apply_node_criteria) ----------------------------------------------------
  // One backing store for every table: a small typed array each costs an off-heap allocation
  // (and GC work) that dominated this loop; a view into a shared buffer does not.
  const tableStore = new Float64Array(N * prims.length);
  const startRow = new Float64Array(N);
  if (opts.symmetricCluster) for (let i = 0; i < N; i++) startRow[i] = (nodes[i] as NodeInfo).baseScore;
  else startRow.fill(NO_SCORE);
  /** Adds a primitive's location constraints (its own and its group's) to its table. */
  const applyLocations = (
    x: Rsc,
    t: Float64Array,
    own: Array<{ c: LocationConstraint; pos: number }> | undefined,
    fromGroup: Array<{ c: LocationConstraint; pos: number }> | undefined,
  ): void => {
    const isFirst = x.parent !== undefined && x.parent.members[0] === x;
    const locs: Array<{ c: LocationConstraint; pos: number; zero: boolean }> = [];
    for (const l of own ?? []) locs.push({ c: l.c, pos: l.pos, zero: false });
    if (fromGroup !== undefined && fromGroup.length > 0) {
      for (const l of fromGroup) locs.push({ c: l.c, pos: l.pos, zero: !isFirst });
      locs.sort((a, b) => a.pos - b.pos);
    }
    // Each constraint (and each rule of a rule-based one) becomes one entry, applied in reverse
    // document order (Pacemaker prepends every new location to its list).
    const entries: Array<Array<[number, Score]>> = [];
    for (const { c, zero } of locs) {
      if (!roleApplies(c.role)) continue;
      if (c.rules && c.rules.length > 0) {
        const attrs = nodeAttrs();
        for (const rule of c.rules) {
          const e: Array<[number, Score]> = [];
          for (let i = 0; i < N; i++) {
            const a = attrs[i] as NodeAttributes;
            if (!evaluateRule(rule, a)) continue;
            // Pacemaker 2.1.5 builds an `or` rule's entry from a copy of the node that keeps the
            // node's own weight (base score, or -INFINITY when it is down or shutting down), so
            // that weight counts again on top of the table's start (E: differential class B).
            const base = rule.booleanOp === 'or' ? nodeWeight(i) : 0;
            e.push([i, zero ? 0 : addScores(base, ruleScore(rule, a))]);
          }
          entries.push(e);
        }
      } else if (c.node !== undefined) {
        const ni = nodeIndex.get(c.node);
        if (ni !== undefined) entries.push([[ni, zero ? 0 : (c.score ?? 0)]]);
      }
    }
    for (let k = entries.length - 1; k >= 0; k--)
      for (const [i, s] of entries[k] as Array<[number, Score]>) addTo(t, i, s);
  };
  const buildTable = (x: Rsc): void => {
    const r = x.r as SnapshotResource;
    const t = tableStore.subarray(x.index * N, (x.index + 1) * N);
    t.set(startRow);
    if (x.pinnedOn.length > 0) for (const i of x.pinnedOn) addTo(t, i, INFINITY);
    if (x.stopFailedOn.length > 0) for (const i of x.stopFailedOn) addTo(t, i, -INFINITY);
    // A group's location applies its score to the first member and 0 to later members
    // (`pcmk__group_apply_location`).
    const own = x.hasLocs ? locsByRsc.get(r.id) : undefined;
    const fromGroup = x.parent?.hasLocs === true ? locsByRsc.get(x.parent.id) : undefined;
    if (own !== undefined || fromGroup !== undefined) applyLocations(x, t, own, fromGroup);
    const stickiness = r.stickiness ?? opts.resourceStickiness;
    if (x.managed && stickiness >= 1 && x.running.length === 1) {
      const cur = x.running[0] as number;
      if (!Number.isNaN(t[cur] as number)) t[cur] = addScores(t[cur] as number, stickiness);
    }
    const fails = x.fails;
    if (fails) {
      let threshold = r.migrationThreshold ?? INFINITY;
      if (threshold < 0) threshold = 1;
      const timeout = r.failureTimeoutMs ?? 0;
      if (threshold > 0) {
        fails.forEach((f, i) => {
          const expired = timeout > 0 && snapshot.nowMs > f.last + timeout;
          const count = expired ? 0 : f.count;
          if (count > 0 && threshold - count <= 0) addTo(t, i, -INFINITY);
        });
      }
    }
    x.table = t;
  };
  for (const x of prims) buildTable(x);

  // --- colocations (user constraints, then the groups' internal ones) -------------------------
  const addColoc = (c: Coloc): void => {
    // Group-level colocations stay on the group until the group is assigned; then "group with R"
    // moves to the first member and "R with group" to the last (`expand_group_colocations`, done
    // lazily in 2.1.5, which matters for resources assigned before the group).
    c.dependent.thisWith = insertSorted(c.dependent.thisWith, c, byPrimary);
    c.primary.withThis = insertSorted(c.primary.withThis, c, byDependent);
  };
  for (const c of colocs) {
    const dependent = byId.get(c.resource);
    const primary = byId.get(c.withResource);
    if (!dependent || !primary || c.score === 0) continue;
    addColoc(new Coloc(c.id, dependent, primary, c.score, c.nodeAttribute, c.influence !== false));
  }
  for (const g of groups) {
    for (let k = 1; k < g.members.length; k++) {
      addColoc(
        new Coloc(
          'group:internal_colocation',
          g.members[k] as Rsc,
          g.members[k - 1] as Rsc,
          INFINITY,
          undefined,
          true,
        ),
      );
    }
  }
  const hasInfluence = (c: Coloc): boolean => {
    const p = c.primary.kind === 'group' ? c.primary.members[0] : c.primary;
    return c.influence || (p?.running.length ?? 0) === 0;
  };

  // --- assignment -----------------------------------------------------------------------------
  const numAssigned = new Int32Array(N);
  /** Sets a primitive's reason. */
  const setWhy = (x: Rsc, text: string): void => {
    x.why = text;
    x.whyKind = WHY_TEXT;
  };
  /** Writes a deferred reason out (once). */
  const whyOf = (x: Rsc): string | undefined => {
    if (x.whyKind === WHY_STAYS) {
      x.why = `stays on '${nameOf(x.whyNode)}' (score ${fmt(x.whyScore)})`;
      x.whyKind = WHY_TEXT;
    } else if (x.whyKind === WHY_ASSIGNED) {
      x.why = `assigned to '${nameOf(x.whyNode)}' (score ${fmt(x.whyScore)}, ${x.whyCount} assigned there before)`;
      x.whyKind = WHY_TEXT;
    }
    return x.why;
  };
  /**
   * A primitive's reason as reading `reasons[x.id]` of the plain record gives it (for the id
   * `__proto__`, whose writes a plain record ignores, that is what a fresh record holds).
   */
  const reasonOf = (x: Rsc): string | undefined =>
    x.id === '__proto__' ? ({} as Record<ResourceId, string>)[x.id] : whyOf(x);
  // Score rows in assignment order, turned into `Transition.scores` on first read.
  const scored: Rsc[] = [];
  const scoredTables: Float64Array[] = [];

  // Node attribute values as class ids (case-insensitive; "absent" is a class of its own), so
  // colocation matching is O(nodes) per merge instead of O(nodes²).
  const classCache = new Map<string, { cls: Int32Array; count: number }>();
  const classesOf = (attr: string): { cls: Int32Array; count: number } => {
    let c = classCache.get(attr);
    if (!c) {
      const ids = new Map<string, number>();
      const cls = new Int32Array(N);
      for (let i = 0; i < N; i++) {
        const v = attrOf(i, attr);
        const key = v === undefined ? '\u0000' : `=${v.toLowerCase()}`;
        let id = ids.get(key);
        if (id === undefined) {
          id = ids.size;
          ids.set(key, id);
        }
        cls[i] = id;
      }
      c = { cls, count: ids.size };
      classCache.set(attr, c);
    }
    return c;
  };
  const availableNow = new Uint8Array(N);
  for (let i = 0; i < N; i++) availableNow[i] = available(i) ? 1 : 0;
  /** Best score of `x` among available nodes, per attribute-value class. */
  const bestPerClass = (x: Rsc, classes: { cls: Int32Array; count: number }): Float64Array => {
    const best = new Float64Array(classes.count).fill(-INFINITY);
    const t = x.table;
    for (let j = 0; j < N; j++) {
      const w = t[j] as number;
      if (Number.isNaN(w) || availableNow[j] === 0) continue;
      const k = classes.cls[j] as number;
      if (w > (best[k] as number)) best[k] = w;
    }
    return best;
  };

  /** `pcmk__add_colocated_node_scores` with the `active` selection flag. */
  const addColocatedScores = (
    x: Rsc,
    table: Float64Array,
    attr: string | undefined,
    factor: number,
  ): Float64Array => {
    if (x.merging) return table;
    x.merging = true;
    let work: Float64Array;
    if (x.kind === 'group') {
      work = addColocatedScores(x.members[0] as Rsc, Float64Array.from(table), attr, factor);
    } else {
      work = Float64Array.from(table);
      const classes = classesOf(attr ?? '#uname');
      const best = bestPerClass(x, classes);
      for (let i = 0; i < N; i++) {
        const w = work[i] as number;
        if (Number.isNaN(w)) continue;
        const score = best[classes.cls[i] as number] as number;
        if (factor < 0 && score < 0) continue;
        const wf = f32(factor * score);
        let weight = Math.trunc(wf < 0 ? wf - 0.5 : wf + 0.5);
        if (weight === 0 && score !== 0) weight = factor > 0 ? 1 : factor < 0 ? -1 : 0;
        work[i] = addScores(weight, w);
      }
    }
    if (anyAvailable(work)) {
      const multiplier = factor < 0 ? -1 : 1;
      const list = x.kind === 'group' ? (x.members[x.members.length - 1] as Rsc).withThis : x.withThis;
      for (const c of list) {
        if (!hasInfluence(c)) continue;
        const f = f32(f32(multiplier * c.score) / INFINITY);
        work = addColocatedScores(c.dependent, work, c.attr, f);
      }
    } else {
      x.merging = false;
      return table; // roll back optional scores
    }
    x.merging = false;
    return work;
  };

  /** `pcmk__apply_coloc_to_weights`: the dependent's table after its primary was assigned. */
  const applyColocToWeights = (dep: Rsc, primary: Rsc, c: Coloc): void => {
    const classes = classesOf(c.attr ?? '#id');
    let value = -1;
    if (primary.assigned >= 0) value = classes.cls[primary.assigned] as number;
    else if (c.score < 0) return;
    const work = Float64Array.from(dep.table);
    for (let i = 0; i < N; i++) {
      const w = work[i] as number;
      if (Number.isNaN(w)) continue;
      if (primary.assigned < 0) work[i] = addScores(-c.score, w);
      else if (classes.cls[i] === value) {
        if (c.score < INFINITY) work[i] = addScores(c.score, w);
      } else if (c.score >= INFINITY) work[i] = addScores(-c.score, w);
    }
    if (c.score <= -INFINITY || c.score >= INFINITY || anyAvailable(work)) dep.table = work;
  };

  const applyThisWith = (x: Rsc, c: Coloc): void => {
    const archive = c.score < 0 && c.score > -INFINITY ? Float64Array.from(x.table) : undefined;
    assign(c.primary);
    if (x.provisional && !c.primary.provisional) {
      if (c.primary.kind === 'group') {
        const ms = c.primary.members;
        const member = c.score >= INFINITY ? ms[ms.length - 1] : ms[0];
        if (member && !member.provisional) applyColocToWeights(x, member, c);
      } else {
        applyColocToWeights(x, c.primary, c);
      }
    }
    if (archive && !anyAvailable(x.table)) x.table = archive;
  };

  const choose = (x: Rsc): number => {
    const t = x.table;
    const current = x.running.length > 0 ? (x.running[0] as number) : -1;
    let best = -1;
    let bestEff = 0;
    for (let i = 0; i < N; i++) {
      const raw = t[i] as number;
      if (Number.isNaN(raw)) continue;
      const eff = availableNow[i] === 1 ? raw : -INFINITY;
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
      if (nameOf(i) < nameOf(best)) best = i;
    }
    if (best < 0) {
      setWhy(x, 'no node is allowed to run it');
      return -1;
    }
    if (availableNow[best] === 0 || (t[best] as number) < 0) {
      setWhy(
        x,
        x.r?.targetRole === 'stopped'
          ? 'target-role is Stopped'
          : `no available node with a non-negative score (best '${nameOf(best)}' scores ${fmt(t[best] as number)})`,
      );
      return -1;
    }
    let chosen = best;
    const bestScore = t[best] as number;
    if (
      bestScore > 0 &&
      current >= 0 &&
      current !== best &&
      availableNow[current] === 1 &&
      t[current] === bestScore
    ) {
      chosen = current;
    }
    // The sentence is written only if someone reads it (see `whyOf`).
    x.why = undefined;
    x.whyKind = chosen === current ? WHY_STAYS : WHY_ASSIGNED;
    x.whyNode = chosen;
    x.whyScore = t[chosen] as number;
    x.whyCount = numAssigned[chosen] as number;
    return chosen;
  };

  const assignPrimitive = (x: Rsc): void => {
    if (x.parent && !x.parent.allocating) {
      assign(x.parent);
      return;
    }
    if (!x.provisional || x.allocating) return;
    x.allocating = true;
    if (x.thisWith.length > 0) for (const c of x.thisWith.slice()) applyThisWith(x, c);
    if (x.withThis.length > 0)
      for (const c of x.withThis.slice()) {
        if (!hasInfluence(c)) continue;
        x.table = addColocatedScores(c.dependent, x.table, c.attr, f32(c.score / INFINITY));
      }
    const t = x.table;
    if (x.r?.targetRole === 'stopped')
      for (let i = 0; i < N; i++) if (!Number.isNaN(t[i] as number)) t[i] = -INFINITY;
    // `t` is final here: once assigned, a resource's table is only read (colocation merges copy
    // it), so its score row can be built from it whenever the caller first reads `scores`.
    scored.push(x);
    scoredTables.push(t);
    let chosen = -1;
    if (!x.managed) {
      chosen = x.running.length > 0 ? (x.running[0] as number) : -1;
      setWhy(
        x,
        chosen < 0 ? 'unmanaged and inactive: left stopped' : `unmanaged: left on '${nameOf(chosen)}'`,
      );
    } else if (opts.stopAllResources) {
      setWhy(x, 'stop-all-resources is set');
    } else {
      chosen = choose(x);
    }
    if (chosen >= 0) numAssigned[chosen] = (numAssigned[chosen] as number) + 1;
    x.assigned = chosen;
    x.allocating = false;
    x.provisional = false;
  };

  const assignGroup = (g: Rsc): void => {
    if (!g.provisional || g.allocating) return;
    g.allocating = true;
    const first = g.members[0] as Rsc;
    const last = g.members[g.members.length - 1] as Rsc;
    for (const c of g.thisWith) first.thisWith = insertSorted(first.thisWith, c, byPrimary);
    // Once a member is unmanaged, the internal colocations no longer carry the group's mandatory
    // colocations down the chain, so later members get them directly.
    const unmanagedHere = (m: Rsc): boolean => (nothingManaged ? m.r?.managed === false : !m.managed);
    let anyUnmanaged = unmanagedHere(first);
    for (const m of g.members.slice(1)) {
      if (anyUnmanaged) {
        for (const c of g.thisWith)
          if (c.score >= INFINITY) m.thisWith = insertSorted(m.thisWith, c, byPrimary);
      } else if (unmanagedHere(m)) {
        anyUnmanaged = true;
      }
    }
    for (const c of g.withThis) last.withThis = insertSorted(last.withThis, c, byDependent);
    g.thisWith = NO_COLOCS;
    g.withThis = NO_COLOCS;
    for (const m of g.members) assignPrimitive(m);
    g.assigned = (g.members[0] as Rsc).assigned;
    g.allocating = false;
    g.provisional = false;
  };

  function assign(x: Rsc): void {
    if (x.kind === 'group') assignGroup(x);
    else assignPrimitive(x);
  }

  const topLevel: Rsc[] = [];
  const seenGroups = new Set<Rsc>();
  for (const p of prims) {
    if (!p.parent) topLevel.push(p);
    else if (!seenGroups.has(p.parent)) {
      seenGroups.add(p.parent);
      topLevel.push(p.parent);
    }
  }
  // Priority first, then position (Array.prototype.sort is stable); mostly all priorities are equal.
  let order = topLevel;
  const firstPriority = topLevel.length > 0 ? (topLevel[0] as Rsc).priority : 0;
  for (const x of topLevel) {
    if (x.priority !== firstPriority) {
      order = byPriority(topLevel);
      break;
    }
  }
  for (let k = 0; k < order.length; k++) assign(order[k] as Rsc);
  // Primitives in the order crm_simulate lists them (top-level order, members in group order).
  const listed: Rsc[] = [];
  for (const x of order) {
    if (x.kind === 'group') listed.push(...x.members);
    else listed.push(x);
  }

  // --- fencing --------------------------------------------------------------------------------
  // A group stays managed even when its members are unmanaged by a maintenance node.
  const anyManaged =
    prims.some((x) => x.managed) ||
    (!nothingManaged &&
      !opts.maintenanceMode &&
      groups.some((g) => g.members.some((m) => m.r?.managed !== false)));
  const fenced = new Array<boolean>(N).fill(false);
  const fenceActions: Action[] = [];
  const fence: NodeName[] = [];
  const fenceAction = opts.fenceAction ?? 'reboot';
  for (let i = 0; i < N; i++) {
    const n = nodes[i] as NodeInfo;
    if (!n.unclean || !anyManaged || !fencingPossible) continue;
    if (!(hasQuorum || opts.noQuorumPolicy === 'ignore' || n.online)) continue;
    fenced[i] = true;
    fence.push(n.name);
    fenceActions.push({
      op: 'fence',
      node: n.name,
      action: fenceAction,
      reason: n.uncleanReason ?? 'node is unclean',
    });
  }

  // crm_simulate lists fences in reverse natural node order (Pacemaker keeps nodes sorted with
  // pcmk__numeric_strcasecmp and prepends each fence action).
  fenceActions.sort((a, b) => naturalCompare(b.op === 'fence' ? b.node : '', a.op === 'fence' ? a.node : ''));
  fence.length = 0;
  for (const a of fenceActions) if (a.op === 'fence') fence.push(a.node);

  // --- actions: starts and stops, then ordering and colocation effects --------------------------
  // A stop runs on an online, clean, joined node, or is implied by fencing the node. Actions on a
  // pending node (in membership, not joined) cannot run.
  const stopRunnable = (i: number): boolean => {
    const n = nodes[i] as NodeInfo;
    return fenced[i] === true || (n.online && !n.unclean && !n.pending);
  };
  const stopAct = (x: Rsc, i: number, next: number, multi: boolean): Act =>
    new Act(
      x,
      i,
      // A failed resource needs its stop even when unmanaged (it then cannot run).
      x.managed ? next < 0 || next !== i || x.failed || multi : x.failed,
      x.managed && stopRunnable(i),
      next < 0 ? 'node availability' : undefined,
    );
  const buildActs = (x: Rsc): void => {
    const r = x.r as SnapshotResource;
    const next = x.assigned;
    const multi = x.running.length > 1;
    const stays = x.running.length === 1 && x.running[0] === next;
    if (next >= 0) {
      const a = new Act(x, next, !stays || x.failed, true, undefined);
      if (!x.managed) {
        // An unmanaged resource's start never runs; one that merely keeps running does not hold
        // up what is ordered after it, but a blocked (failed) one does (E: order7).
        a.required = false;
        if (x.blocked) a.runnable = false;
        // Left on a node that is down: its (nominal) start there cannot run. An unclean node still
        // in our membership counts as online here (Pacemaker checks `details->online` only).
        const n = nodes[next] as NodeInfo;
        if (!n.online) a.runnable = false;
      } else if (requiresOf(r, stonith, opts.noQuorumPolicy) !== 'nothing') {
        if (policy === 'stop') {
          a.runnable = false;
          a.reason = 'no quorum';
        } else if (policy === 'freeze' && x.running.length === 0) {
          a.runnable = false;
          a.reason = 'quorum freeze';
        }
      }
      // A first start waits for probes everywhere; a probe on a pending node cannot run.
      if (
        a.runnable &&
        x.running.length === 0 &&
        pendingNodes.some((p) => !knownOnPending.has(`${x.index} ${p}`))
      ) {
        a.runnable = false;
      }
      x.start = a;
    }
    // One stop per node it runs on, in a list of exactly that length (most run on one node).
    const n = x.running.length;
    if (n === 0) return;
    const stops: Act[] = n === 1 ? listOf(stopAct(x, x.running[0] as number, next, multi)) : [];
    if (n > 1) for (const i of x.running) stops.push(stopAct(x, i, next, multi));
    x.stops = stops;
  };
  for (const x of prims) buildActs(x);
  const requireStart = (x: Rsc, reason: string | undefined): boolean => {
    const s = x.start;
    if (!s || s.required || !x.managed) return false;
    s.required = true;
    if (reason !== undefined && s.reason === undefined) s.reason = reason;
    return true;
  };
  const blockStart = (x: Rsc, reason: string | undefined): boolean => {
    const s = x.start;
    if (!s?.runnable) return false;
    s.runnable = false;
    if (reason !== undefined && s.reason === undefined) s.reason = reason;
    return true;
  };
  const requireStops = (x: Rsc): boolean => {
    let changed = false;
    // Unmanaged resources' stops become required too; they just cannot run.
    for (const s of x.stops) {
      if (!s.required) {
        s.required = true;
        changed = true;
      }
    }
    return changed;
  };
  const startRunnable = (x: Rsc): boolean => {
    const s = x.start;
    return s?.runnable === true;
  };
  const startRequired = (x: Rsc): boolean => x.start?.required === true;
  const stopsRequired = (x: Rsc): boolean => anyRequired(x.stops);

  // Orderings between primitives: user constraints (groups expand to their members) and the
  // groups' internal "start members in order".
  const ords: Ord[] = [];
  // Pacemaker's `order_actions` drops an ordering between two actions that already have one with a
  // common flag: every non-Serialize kind carries the "optional" flag, so the first constraint on a
  // pair wins (E: an Optional order listed before a Mandatory one on the same pair neutralises it).
  const seenPairs = new Set<string>();
  for (const o of orders) {
    const first = byId.get(o.first);
    const then = byId.get(o.then);
    if (!first || !then) continue;
    const kind = o.kindOf ?? 'Mandatory';
    if (kind !== 'Serialize') {
      const pair = `${first.id}\u0000${then.id}`;
      if (seenPairs.has(pair)) continue;
      seenPairs.add(pair);
    }
    // An ordering whose `then` is a group applies to every member (Pacemaker expands it).
    ords.push(
      new Ord(
        first,
        then.kind === 'group' ? then.members : listOf(then),
        kind === 'Mandatory',
        o.symmetrical ?? kind !== 'Serialize',
      ),
    );
  }
  for (const g of groups) {
    for (let k = 1; k < g.members.length; k++) {
      ords.push(new Ord(g.members[k - 1] as Rsc, listOf(g.members[k] as Rsc), true, true));
    }
  }
  // Resources whose start appears as the `first` of some ordering (Pacemaker creates a start
  // action for them even when they have no node): every group member, and user orderings' firsts.
  const hasOrderedStart = new Set<Rsc>();
  for (const g of groups) for (const m of g.members) hasOrderedStart.add(m);
  for (const o of orders) {
    const f = byId.get(o.first);
    if (f?.kind === 'primitive') hasOrderedStart.add(f);
    else if (f) for (const m of f.members) hasOrderedStart.add(m);
  }
  const mandatoryColocs: Coloc[] = [];
  for (const x of prims)
    if (x.thisWith.length > 0) for (const c of x.thisWith) if (c.score >= INFINITY) mandatoryColocs.push(c);

  // Pacemaker's view of a start that has no node: optional for a resource that stays stopped,
  // required (and unrunnable) for an active resource that is being stopped (E: an ordering then
  // reports "required A start" for dependents that run, "unrunnable A start" for the others).
  const orderRunnable = (x: Rsc): boolean => startRunnable(x);
  const orderRequired = (x: Rsc): boolean =>
    x.start !== undefined ? startRequired(x) : x.managed && x.running.length > 0 && x.assigned < 0;
  const firstRunnable = (f: Rsc): boolean =>
    f.kind === 'group' ? f.members.every(orderRunnable) : orderRunnable(f);
  const firstRequired = (f: Rsc): boolean =>
    f.kind === 'group' ? f.members.some(orderRequired) : orderRequired(f);
  const firstStops = (f: Rsc): boolean =>
    f.kind === 'group' ? f.members.some(stopsRequired) : stopsRequired(f);
  const firstLabel = (f: Rsc): string => (f.kind === 'group' ? `${f.id} running` : `${f.id} start`);
  const groupInternal = new Set<Ord>(
    ords.filter((o) => o.first.parent !== undefined && o.first.parent === o.after[0]?.parent),
  );

  /** One resource's own start/stop consistency (one pass); whether anything changed. */
  const settleOwn = (x: Rsc): boolean => {
    let changed = false;
    if (!x.managed) return false;
    const s = x.start;
    const stays = s !== undefined && x.running.includes(s.node);
    // A required start on the node where it runs means a restart: stop first. A start that
    // cannot run where it runs means it is stopped there.
    if (stays && (s?.required || !s?.runnable) && requireStops(x)) changed = true;
    // A required stop on the node it stays on means it must start again.
    if (s && stays && stopsRequired(x) && requireStart(x, undefined)) changed = true;
    // A required stop that cannot run pins the resource: its start cannot run either.
    if (s?.runnable && anyStuck(x.stops) && blockStart(x, undefined)) {
      changed = true;
    }
    return changed;
  };
  for (let changed = true, rounds = 0; changed && rounds < 10_000; rounds++) {
    changed = false;
    for (const o of ords) {
      if (!o.mandatory) continue;
      const f = o.first;
      for (const t of o.after) {
        if (!(t.start !== undefined)) continue;
        if (firstRequired(f) && requireStart(t, `required ${firstLabel(f)}`)) changed = true;
        if (!firstRunnable(f) && blockStart(t, `unrunnable ${firstLabel(f)}`)) changed = true;
      }
      if (o.symmetrical && firstStops(f)) for (const t of o.after) if (requireStops(t)) changed = true;
      // Group members stop in reverse order: a later member's stop that cannot run holds the
      // earlier members' stops too.
      if (groupInternal.has(o)) {
        const later = o.after[0] as Rsc;
        if (anyStuck(later.stops)) {
          for (const st of f.stops) {
            if (st.required && st.runnable) {
              st.runnable = false;
              if (st.reason === undefined) st.reason = `unrunnable ${later.id} stop`;
              changed = true;
            }
          }
        }
      }
    }
    for (const x of prims) if (settleOwn(x)) changed = true;
    for (const c of mandatoryColocs) {
      // Pacemaker blocks the dependent's start when the primary cannot start (a primary without a
      // node counts as unable); a group primary only when none of its members can start, and a
      // group dependent is blocked member by member (`mark_action_blocked`).
      // In 2.1.5 the check starts from the primary's top-level resource: for a group (or a group
      // member) that is the group, whose "with this" list was emptied by expanding it to the last
      // member, so groups never block their dependents this way.
      if (c.primary.kind === 'group' || c.primary.parent !== undefined) continue;
      const primaries = [c.primary];
      if (primaries.some((p) => p.start?.runnable === true)) continue;
      // A primary without a node has a start action only if an ordering created one for it.
      if (!primaries.some((p) => p.start !== undefined || hasOrderedStart.has(p))) continue;
      const blamed = primaries.find((p) => p.start !== undefined) ?? primaries[0];
      const reason = `colocation with ${blamed?.id ?? c.primary.id}`;
      for (const d of c.dependent.kind === 'group' ? c.dependent.members : [c.dependent]) {
        if (blockStart(d, reason)) changed = true;
      }
    }
  }

  // --- summary-level actions per resource (crm_simulate's `rsc_action_default`) -----------------
  const stopActions: Action[] = [];
  const startActions: Action[] = [];
  const placements: Record<ResourceId, NodeName | null> = {};
  const summarise = (x: Rsc): void => {
    const next = x.assigned;
    const running = x.running;
    if (!x.managed) {
      const stay = running.find((i) => !fenced[i]);
      placements[x.id] = stay === undefined ? null : nameOf(stay);
      return;
    }
    const start = x.start;
    const stops = x.stops;
    if (running.length === 0) {
      if (!start) {
        placements[x.id] = null;
        return;
      }
      const a: Action = { op: 'start', resource: x.id, node: nameOf(next), reason: reasonOf(x) ?? '' };
      if (!start.runnable) {
        a.blocked = true;
        a.reason = `start on '${nameOf(next)}' cannot run${start.reason ? ` (${start.reason})` : ''}`;
        setWhy(x, a.reason);
      }
      if (start.reason !== undefined) a.due = start.reason;
      startActions.push(a);
      placements[x.id] = start.runnable ? nameOf(next) : null;
      return;
    }
    if (!start?.runnable) {
      // With a start that cannot run, crm_simulate prints one Stop on the current node, flagged
      // by the first stop Pacemaker created (the recovery stop of the first failure, if any).
      const stopAt = (node: number, s: Act): void => {
        const a: Action = {
          op: 'stop',
          resource: x.id,
          node: nameOf(node),
          reason: !start
            ? (reasonOf(x) ?? '')
            : `cannot start anywhere${start.reason ? ` (${start.reason})` : ''}`,
        };
        const due = s.reason ?? start?.reason;
        if (due !== undefined) a.due = due;
        if (!s.runnable) {
          a.blocked = true;
          a.reason = `stop on '${nameOf(s.node)}' cannot run`;
        }
        stopActions.push(a);
      };
      if (start) {
        const s = stops.find((st) => x.failedOn.includes(st.node)) ?? (stops[0] as Act);
        stopAt(running[0] as number, s);
      } else for (const st of stops) stopAt(st.node, st);
      // A stop that cannot run pins the resource there, unless the node is fenced (then it is gone).
      const pinned = stops.find((s) => !s.runnable && !fenced[s.node]);
      placements[x.id] = pinned !== undefined ? nameOf(pinned.node) : null;
      if (start && !start.runnable)
        setWhy(x, `stopped: start cannot run${start.reason ? ` (${start.reason})` : ''}`);
      return;
    }
    const from = running[0] as number;
    placements[x.id] = nameOf(next);
    if (!start.required) return;
    if (from !== next) {
      startActions.push(
        x.failed
          ? {
              op: 'recover',
              resource: x.id,
              node: nameOf(next),
              from: nameOf(from),
              reason: reasonOf(x) ?? '',
            }
          : {
              op: 'move',
              resource: x.id,
              node: nameOf(next),
              from: nameOf(from),
              reason: reasonOf(x) ?? '',
            },
      );
    } else if (x.failed) {
      startActions.push({
        op: 'recover',
        resource: x.id,
        node: nameOf(next),
        reason: `failed on '${nameOf(next)}': restart there`,
      });
      setWhy(x, `recovers in place on '${nameOf(next)}'`);
    } else {
      const a: Action = {
        op: 'restart',
        resource: x.id,
        node: nameOf(next),
        reason: `restarts on '${nameOf(next)}'`,
      };
      if (start.reason !== undefined) {
        a.due = start.reason;
        a.reason = `restarts on '${nameOf(next)}' (${start.reason})`;
      }
      startActions.push(a);
      setWhy(x, a.reason);
    }
  };
  for (const x of listed) summarise(x);

  const transition: Transition = {
    placements,
    actions: [...fenceActions, ...stopActions, ...startActions],
    fence,
    scores: NOT_YET,
    reasons: NOT_YET,
  };
  makeLazy(transition, {
    scores: () =>
      buildScores(
        scored.map((x) => x.id),
        scoredTables,
        N,
        nameOf,
      ),
    // Every primitive got its reason when it was assigned, in this order (later writes replace
    // the text, not the key's place).
    reasons: () => {
      const reasons: Record<ResourceId, string> = {};
      for (const x of scored) {
        const why = whyOf(x);
        if (why !== undefined) reasons[x.id] = why;
      }
      return reasons;
    },
  });
  return transition;
}
