/**
 * The placement vocabulary of Quorate: the input (`ClusterSnapshot`) and output (`Transition`)
 * of {@link schedule}. Core re-exports these types. Everything here is plain JSON data.
 */

/** A cluster node's name (`#uname` in Pacemaker). */
export type NodeName = string;
/** A resource's id. */
export type ResourceId = string;
/**
 * A score: an integer clamped to [-1_000_000, +1_000_000]. `INFINITY` is 1_000_000 and
 * `-INFINITY` is -1_000_000 (Pacemaker's `CRM_SCORE_INFINITY`).
 */
export type Score = number;

/** `no-quorum-policy`. */
export type NoQuorumPolicy = 'stop' | 'freeze' | 'ignore' | 'demote' | 'suicide';

/** How a node stands, as the scheduler sees it (Pacemaker `determine_online_status`). */
export interface SnapshotNode {
  name: NodeName;
  /** Node id, used for `#id` in rules. Defaults to the name. */
  id?: string;
  /**
   * online: member of our partition with a running cluster stack.
   * offline: cleanly gone (known down, runs nothing).
   * unclean: lost without being fenced; it must be fenced before its resources move.
   * pending: joining; can run nothing but is not fenced.
   */
  state: 'online' | 'offline' | 'unclean' | 'pending';
  /** Why the node is unclean (the reason printed in `Fence (reboot) node 'reason'`). */
  uncleanReason?: string;
  standby?: boolean;
  maintenance?: boolean;
  /** Node is shutting down: resources move away. */
  shutdown?: boolean;
  /** Base score of the node for every resource (`<node score=...>`), default 0. */
  baseScore?: Score;
  /** Node attributes available to rules (permanent and transient). */
  attributes?: Record<string, string>;
  /** Whether the node is the coordinator (`#is_dc`). */
  isDc?: boolean;
  /**
   * For `unclean` nodes: whether the node is still in our partition's membership (Pacemaker
   * `in_ccm=true`). Such a node can be fenced even without quorum. Default false.
   */
  inMembership?: boolean;
  /** The status section has no entry for this node at all (Pacemaker "unseen"). */
  unseen?: boolean;
}

/** One resource (a primitive). */
export interface SnapshotResource {
  id: ResourceId;
  /** `class:provider:type`, informational (e.g. `ocf:heartbeat:Dummy`, `stonith:fence_ipmilan`). */
  agent?: string;
  /** True for a fence device (`class="stonith"`): it needs quorum but not fencing to start. */
  isFenceDevice?: boolean;
  priority?: number;
  targetRole?: 'started' | 'stopped';
  /** Overrides `options.resourceStickiness`. */
  stickiness?: Score;
  /** 0 disables; default INFINITY. */
  migrationThreshold?: number;
  /** Milliseconds; 0 = failures never expire. */
  failureTimeoutMs?: number;
  managed?: boolean;
  /** `requires` meta: nothing | quorum | fencing (default by stonith setting). */
  requires?: 'nothing' | 'quorum' | 'fencing';
  /** Group this primitive belongs to (member order = document order of the group). */
  group?: string;
}

/** A group (`<group>`): its members are primitives listed in `resources` with `group` = this id. */
export interface SnapshotGroup {
  id: ResourceId;
  /** Member ids in group order. */
  members: ResourceId[];
  /** The group's own `priority` (members inherit it unless they set their own). */
  priority?: number;
}

/** A rule expression on node attributes (Pacemaker `<expression>`). */
export interface RuleExpression {
  attribute: string;
  op: 'lt' | 'gt' | 'lte' | 'gte' | 'eq' | 'ne' | 'defined' | 'not_defined';
  value?: string;
  type?: 'string' | 'integer' | 'number' | 'version';
}

/** A rule: expressions (and nested rules) combined with `booleanOp`. */
export interface Rule {
  id?: string;
  score?: Score;
  /** Read the score from this node attribute instead (`score-attribute`). */
  scoreAttribute?: string;
  booleanOp?: 'and' | 'or';
  expressions: Array<RuleExpression | Rule>;
}

export interface LocationConstraint {
  kind: 'location';
  id: string;
  resource: ResourceId;
  /** Either `node` + `score`, or `rules`. */
  node?: NodeName;
  score?: Score;
  rules?: Rule[];
  /** `role` of the constraint; only `Started`/`Unpromoted` (or none) apply to primitives. */
  role?: string;
}

export interface ColocationConstraint {
  kind: 'colocation';
  id: string;
  resource: ResourceId;
  withResource: ResourceId;
  score: Score;
  nodeAttribute?: string;
  /** Whether the dependent's preferences pull the primary (`influence`, default true). */
  influence?: boolean;
}

export interface OrderConstraint {
  kind: 'order';
  id: string;
  first: ResourceId;
  then: ResourceId;
  kindOf?: 'Mandatory' | 'Optional' | 'Serialize';
  symmetrical?: boolean;
}

export type Constraint = LocationConstraint | ColocationConstraint | OrderConstraint;

/** What is known about one resource on one node (from operation history). */
export interface ResourceState {
  resource: ResourceId;
  node: NodeName;
  /** active: running there; failed: a failure was recorded and it may still run (recover); stopped */
  status: 'active' | 'failed' | 'stopped' | 'blocked';
  /**
   * The failure was a failed stop: the resource is banned (−INFINITY) from that node, and the node
   * is fenced when fencing is possible (otherwise the resource is blocked there).
   */
  stopFailed?: boolean;
  /**
   * The failed operation's `on-fail` was `fence`: the node is fenced (when fencing is possible) and
   * the resource recovered elsewhere.
   */
  fenceOnFail?: boolean;
}

/** A fail count of one resource on one node. */
export interface FailCount {
  resource: ResourceId;
  node: NodeName;
  count: number;
  /** Last failure time, ms since the epoch (same unit as `now`). */
  lastFailureMs?: number;
}

export interface ClusterOptions {
  stonithEnabled: boolean;
  /** Whether a fence device exists (Pacemaker manages nothing with stonith on and no device). */
  hasFenceDevice?: boolean;
  noQuorumPolicy: NoQuorumPolicy;
  symmetricCluster: boolean;
  resourceStickiness: Score;
  maintenanceMode: boolean;
  stopAllResources: boolean;
  startupFencing?: boolean;
  fenceAction?: 'reboot' | 'off';
  /** `no-quorum-panic` flag on the CIB, for `suicide`. */
  noQuorumPanic?: boolean;
  clusterName?: string;
}

/** Everything `schedule` reads. Pure data. */
export interface ClusterSnapshot {
  nodes: SnapshotNode[];
  /** In document order (it is the tie-break after priority). */
  resources: SnapshotResource[];
  constraints: Constraint[];
  options: ClusterOptions;
  hasQuorum: boolean;
  /** Where resources are known to run, have failed, or are blocked. */
  state: ResourceState[];
  /** Groups, when the CIB has any (members still appear in `resources`). */
  groups?: SnapshotGroup[];
  failCounts: FailCount[];
  /** "now" in ms since the epoch (for failure-timeout). */
  nowMs: number;
}

export type Action =
  | { op: 'fence'; node: NodeName; action: 'reboot' | 'off'; reason: string }
  | { op: 'start'; resource: ResourceId; node: NodeName; reason: string; blocked?: boolean; due?: string }
  | { op: 'stop'; resource: ResourceId; node: NodeName; reason: string; blocked?: boolean; due?: string }
  | {
      op: 'move';
      resource: ResourceId;
      node: NodeName;
      from: NodeName;
      reason: string;
      blocked?: boolean;
      due?: string;
    }
  | {
      op: 'recover';
      resource: ResourceId;
      node: NodeName;
      from?: NodeName;
      reason: string;
      blocked?: boolean;
      due?: string;
    }
  | { op: 'restart'; resource: ResourceId; node: NodeName; reason: string; blocked?: boolean; due?: string };
// `due` is Pacemaker's short cause as crm_simulate prints it after "due to" ("node availability",
// "no quorum", "quorum freeze"); `blocked` marks an action that is needed but cannot run.

/** The output of `schedule`. */
export interface Transition {
  /** Final node per resource, or null when it will be stopped. */
  placements: Record<ResourceId, NodeName | null>;
  /** Ordered: fences, then stops, then starts/moves. */
  actions: Action[];
  /** Nodes to fence. */
  fence: NodeName[];
  /**
   * Allocation score per resource and node (only nodes in the resource's table). `schedule` builds
   * it on first read; it reads like a plain property.
   */
  scores: Record<ResourceId, Record<NodeName, Score>>;
  /** One human-readable reason per resource decision (built on first read, like `scores`). */
  reasons: Record<ResourceId, string>;
}
