/**
 * The normalised scenario (SCENARIO-FORMAT.md): what `parseScenario` returns. Every time is in
 * milliseconds from t = 0 (the formed cluster), every default of `world` is filled in, events are
 * sorted by time (stable: same-time events keep file order), and each event and expectation keeps
 * its position in the file (`index`) for messages.
 */
import type { NodeName, ResourceId } from '@quorate/policy';
import type { ClusterConfig } from '../config/cluster-config.types.js';

/** The invariants of SCENARIO-FORMAT "Invariants". */
export type InvariantName =
  | 'singleActive'
  | 'quorumToStart'
  | 'fenceBeforeRecovery'
  | 'noSelfFence'
  | 'configMonotonic';

/** How one simulated fence device behaves (`world.fenceDevices.<name>`). */
export interface FenceDeviceBehaviour {
  /** What every action on the device does (until a `fenceDevice` event changes it). */
  result: 'ok' | 'fail' | 'timeout';
  /** How long an action takes before it reports `result` (`timeout`: ignored, the action hangs until `stonithTimeout`). */
  afterMs: number;
  /** The device loses power with this node (a BMC). */
  poweredBy?: NodeName;
}

/** How one simulated resource agent behaves (`world.resourceAgents.<id>`). */
export interface ResourceAgentBehaviour {
  startMs: number;
  stopMs: number;
  /** How long a monitor takes (it reports ok unless a `resourceFail` event is pending). */
  monitorMs: number;
  /** Per node: the first K starts of the resource there fail. */
  failStart: Record<NodeName, number>;
  /** Per node: the first K stops there fail (the resource is then blocked until the node is fenced). */
  failStop: Record<NodeName, number>;
}

/** The simulated hardware (`world:`), defaults filled in for every device and resource. */
export interface WorldConfig {
  rings: number;
  bootTimeMs: number;
  start: {
    /** Nodes up at t = 0 (default: every node). */
    up: NodeName[];
    /** Where resources run at t = 0; resources not listed are placed by the cluster at t = 0. */
    running: Record<ResourceId, NodeName>;
  };
  /** One entry per device of the cluster document (and any named only here). */
  fenceDevices: Record<string, FenceDeviceBehaviour>;
  /** One entry per resource of the cluster document (and any named only here). */
  resourceAgents: Record<ResourceId, ResourceAgentBehaviour>;
}

/** One group of a `partition` event. */
export interface PartitionGroup {
  nodes: NodeName[];
  /** Whether this group still reaches the quorum device (`qdisk` or `qdevice` named in it). */
  quorumDevice: boolean;
}

/** Fields every event has. */
export interface EventBase {
  atMs: number;
  /** Position in the file's `events` list (0-based). */
  index: number;
}

/** Events on one node. */
export type NodeEventKind =
  | 'crash'
  | 'powerLoss'
  | 'powerOn'
  | 'hang'
  | 'shutdown'
  | 'reboot'
  | 'fence'
  | 'confirmFenced';

/** One timed event of SCENARIO-FORMAT "events", normalised. */
export type ScenarioEvent = EventBase &
  (
    | { kind: NodeEventKind; node: NodeName }
    /** Every node appears in exactly one group; nodes the file did not name are alone, without the quorum device. */
    | { kind: 'partition'; groups: PartitionGroup[] }
    | { kind: 'heal' }
    | { kind: 'ringDown' | 'ringUp'; node: NodeName; ring: number }
    | { kind: 'qdiskLost' | 'qdeviceLost'; node: NodeName | 'all' }
    | { kind: 'setExpectedVotes'; node: NodeName; votes: number }
    | { kind: 'fenceDevice'; device: string; result: 'ok' | 'fail' | 'timeout' }
    | { kind: 'resourceFail'; resource: ResourceId }
    | { kind: 'standby' | 'maintenance'; node: NodeName; on: boolean }
    | {
        kind: 'configUpdate';
        /** The partial document as written. */
        patch: Record<string, unknown>;
        /**
         * `patch` merged (mergeClusterDocument) into the raw document as it stands after the
         * earlier configUpdates of the file that raise configVersion (file order), validated.
         * Whether a node applies it is `checkConfigVersion(current, config.configVersion)`.
         */
        config: ClusterConfig;
      }
  );

/** `at:` time: ms, or the end of the run. */
export type AtTime = number | 'end';

/** Fields every expectation has. */
export interface ExpectationBase {
  /** Position in the file's `expect` list (0-based). */
  index: number;
  /** The expectation as written, in YAML flow style, for failure messages. */
  text: string;
}

/** One expectation of SCENARIO-FORMAT "expect", normalised. */
export type Expectation = ExpectationBase &
  (
    | { kind: 'fenced'; byMs: number; node: NodeName; device?: string; level?: number }
    | { kind: 'neverFenced'; node: NodeName; fromMs: number; toMs: AtTime }
    | { kind: 'runningBy'; byMs: number; placement: Record<ResourceId, NodeName | null> }
    | { kind: 'runningAt'; atMs: AtTime; placement: Record<ResourceId, NodeName | null> }
    | { kind: 'neverRunning'; placement: Record<ResourceId, NodeName>; fromMs: number; toMs: AtTime }
    | { kind: 'quorate'; atMs: AtTime; nodes: NodeName[] }
    | { kind: 'fencePending'; atMs: AtTime; node: NodeName }
    | { kind: 'stopped'; atMs: AtTime; resources: ResourceId[] }
    | { kind: 'quorum'; atMs: AtTime; node: NodeName; votes?: number; expected?: number; quorum?: number }
    | { kind: 'fenceCount'; atMs: AtTime; counts: Record<NodeName, number> }
    | { kind: 'power'; atMs: AtTime; power: Record<NodeName, 'on' | 'off'> }
    | { kind: 'configVersion'; atMs: AtTime; version: number }
  );

/** A whole scenario file, validated and normalised. */
export interface Scenario {
  name: string;
  description?: string;
  cluster: ClusterConfig;
  /** The `cluster:` document as written (configUpdate patches merge into it). */
  clusterDocument: Record<string, unknown>;
  world: WorldConfig;
  /** Sorted by `atMs`, stable. */
  events: ScenarioEvent[];
  expect: Expectation[];
  /** The invariants checked (`default` = all five, `none` = empty). */
  invariants: InvariantName[];
  /** When the run ends: `until`, or the last event or deadline + 60s. */
  untilMs: number;
}
