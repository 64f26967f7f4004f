/**
 * The normalised cluster configuration: what `parseClusterConfig` returns after validation, with
 * defaults applied and every duration in milliseconds. The raw input (the `cluster:` document of
 * SCENARIO-FORMAT.md, durations as `"3s"` strings) is a different type, inferred from the zod
 * schema in `cluster.schema.ts`.
 */
import type { NodeName, ResourceId, Rule, Score } from '@quorate/policy';

export interface NodeConfig {
  name: NodeName;
  /** Unique positive integer; also the quorum-disk slot. */
  id: number;
  votes: number;
  attributes: Record<string, string>;
}

export interface QdiskConfig {
  votes: number;
  intervalMs: number;
  tko: number;
  label?: string;
  /** Default true for two-node clusters; changes nothing without heuristics. */
  masterWins: boolean;
}

export interface QdeviceConfig {
  votes: number;
  algorithm: 'ffsplit' | 'lms';
  /** `lowest` | `highest` | a node id. */
  tieBreaker: 'lowest' | 'highest' | number;
}

export interface QuorumOptions {
  /** Explicit expected votes, or undefined for the default (sum of node votes + device votes). */
  expectedVotes?: number;
  twoNode: boolean;
  /** Effective value: `twoNode` implies it unless explicitly false. */
  waitForAll: boolean;
  lastManStanding: boolean;
  lastManStandingWindowMs: number;
  autoTieBreaker: false | 'lowest' | 'highest' | number[];
  qdisk?: QdiskConfig;
  qdevice?: QdeviceConfig;
}

export interface ClusterOptionsConfig {
  noQuorumPolicy: 'stop' | 'freeze' | 'ignore' | 'demote' | 'suicide';
  stonithEnabled: boolean;
  symmetricCluster: boolean;
  resourceStickiness: Score;
  tokenTimeoutMs: number;
  stonithTimeoutMs: number;
  fenceDelayMs: number;
  fenceAction: 'reboot' | 'off';
  priorityFencingDelayMs: number;
  startupFencing: boolean;
  maintenanceMode: boolean;
  stopAllResources: boolean;
}

export interface FenceDeviceConfig {
  name: string;
  /** `ipmi` | `snmp-ims` | `snmp-apc` | `exec:fence_xxx` | `sim` | `manual` | `watchdog`. */
  agent: string;
  hosts: NodeName[];
  port: Record<NodeName, string>;
  delayMs: number;
  params: Record<string, unknown>;
  /**
   * Only for `agent: watchdog`: `params.timeout` in ms (default 5000, sbd's watchdog timeout). A
   * node that lost quorum resets itself within it; the quorate side counts it fenced 2 x this
   * after it detected the loss.
   */
  watchdogTimeoutMs?: number;
}

export interface FencingConfig {
  devices: FenceDeviceConfig[];
  /**
   * Per node: levels in priority order; a level is a list of device names, all required. A node
   * the document gives no topology gets one level per non-watchdog device whose `hosts` name it,
   * in document order (Pacemaker without `fencing-topology`); a node no device can fence has no
   * entry. `hosts` left out of a device means the nodes whose topology names it (watchdog: all).
   */
  topology: Record<NodeName, string[][]>;
  maxAttempts: number;
  retryIntervalMs: number;
  /** Share of nodes (0..1) lost at once from which nobody is fenced; undefined = off. */
  skipWhenLost?: number;
}

export interface ResourceConfig {
  id: ResourceId;
  agent: string;
  priority: number;
  targetRole: 'started' | 'stopped';
  /** Undefined: use `options.resourceStickiness`. */
  stickiness?: Score;
  /** 0 = never ban; default INFINITY (1_000_000). */
  migrationThreshold: number;
  failureTimeoutMs: number;
  monitorIntervalMs: number;
  params: Record<string, string>;
}

export type LocationConstraintConfig =
  | { kind: 'location'; id: string; resource: ResourceId; node: NodeName; score: Score }
  | { kind: 'location'; id: string; resource: ResourceId; rule: Rule; score: Score };

export interface ClusterConfig {
  name: string;
  configVersion: number;
  nodes: NodeConfig[];
  quorum: QuorumOptions;
  options: ClusterOptionsConfig;
  fencing: FencingConfig;
  resources: ResourceConfig[];
  constraints: LocationConstraintConfig[];
}
