import type { NodeName, ResourceId } from '@quorate/policy';
import type { ClusterConfig } from '../config/cluster-config.types.js';
import type { ResourceStatus } from '../machines/resource/resource.types.js';
import type {
  Clock,
  FenceAgent,
  Logger,
  QuorumDevice,
  QuorumDisk,
  Random,
  ResourceAgent,
  Transport,
} from '../ports.js';

/** What the host gives {@link createClusterNode}. */
export interface ClusterNodeOptions {
  /** The normalised configuration (`parseClusterConfig`). */
  config: ClusterConfig;
  /** This node's name; must be one of `config.nodes`. */
  node: NodeName;
  transport: Transport;
  /** Fence agents by device name (`config.fencing.devices[].name`). */
  fenceAgents: Record<string, FenceAgent>;
  /** Resource agents by resource id (or by the resource's `agent` string as a fallback). */
  resourceAgents: Record<string, ResourceAgent>;
  /** The quorum disk, when `config.quorum.qdisk` is set. */
  quorumDisk?: QuorumDisk;
  /** The network arbiter, when `config.quorum.qdevice` is set. */
  quorumDevice?: QuorumDevice;
  clock: Clock;
  logger: Logger;
  random: Random;
  /**
   * Called when the node must reset itself (watchdog expiry or `noQuorumPolicy: suicide`). The
   * host resets the machine; the library does nothing else.
   */
  onSelfFence?: (reason: string) => void;
  /** Time limit of one resource action (ms); default 120000. */
  resourceTimeoutMs?: number;
}

/** Typed events of a {@link ClusterNode} (eventemitter3). */
export interface ClusterNodeEvents {
  membership: (e: { members: NodeName[]; joined: NodeName[]; lost: NodeName[]; left: NodeName[] }) => void;
  ring: (e: { peer: NodeName; ring: number; status: 'ok' | 'faulty' }) => void;
  quorum: (e: { quorate: boolean; votes: number; expected: number; quorum: number; reason: string }) => void;
  fence: (e: FenceEvent) => void;
  resource: (e: {
    resource: ResourceId;
    action: 'start' | 'stop' | 'monitor' | 'probe';
    ok: boolean;
    status: ResourceStatus;
    detail: string;
  }) => void;
  transition: (e: { actions: string[]; placements: Record<ResourceId, NodeName | null> }) => void;
  config: (e: { version: number; accepted: boolean; message: string }) => void;
  selfFence: (e: { reason: string }) => void;
}

/** A fencing fact seen or done by this node. */
export type FenceEvent =
  | { kind: 'requested'; target: NodeName; executor: NodeName; reason: string; delayMs: number }
  | {
      kind: 'device';
      target: NodeName;
      device: string;
      level: number;
      action: 'off' | 'on' | 'reboot';
      ok: boolean;
      detail: string;
    }
  | { kind: 'succeeded'; target: NodeName; device: string; level: number }
  | { kind: 'attemptFailed'; target: NodeName; attempt: number; retry: boolean }
  | { kind: 'confirmed'; target: NodeName }
  | { kind: 'watchdog'; target: NodeName }
  | { kind: 'cancelled'; target: NodeName; reason: string };

/** How this node sees one cluster node. */
export interface NodeView {
  state: 'member' | 'unclean' | 'offline' | 'unseen';
  standby: boolean;
  maintenance: boolean;
}

/** A crm_mon-like snapshot of what this node knows. */
export interface ClusterNodeStatus {
  node: NodeName;
  running: boolean;
  members: NodeName[];
  coordinator: NodeName;
  isCoordinator: boolean;
  quorate: boolean;
  quorum: { votes: number; expected: number; quorum: number; reason: string };
  configVersion: number;
  nodes: Record<NodeName, NodeView>;
  /** Resources of this node that are not stopped. */
  resources: Record<ResourceId, ResourceStatus>;
  /** Nodes whose fence is wanted and not done (as coordinator or as executor). */
  fencePending: NodeName[];
  /** Rings to peers (`faulty` while silent and another ring works). */
  rings: Array<{ peer: NodeName; ring: number; status: 'ok' | 'faulty' | 'down' }>;
  /**
   * The coordinator machine's state (`machines/coordinator`): its `role` as of the last change,
   * whether a scheduling `run` is queued, whether it is `waiting` for members' reports, whether a
   * fail-count `expiry` is armed, and how many runs decided or waited for reports.
   */
  coordinatorMachine: {
    role: 'follower' | 'leading';
    run: 'idle' | 'queued' | 'deciding';
    reports: 'complete' | 'waiting';
    expiry: 'off' | 'armed';
    decisions: number;
    waits: number;
  };
}

/** The outcome of {@link ClusterNode.applyConfig}. */
export type ApplyConfigResult =
  | { ok: true; version: number }
  | { ok: false; reason: 'invalid' | 'stale' | 'same'; message: string };
