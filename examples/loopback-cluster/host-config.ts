/**
 * The host file the example's processes share (`cluster.json`): the cluster document exactly as
 * the library takes it, plus what only the host knows (addresses, key file, disk path, folders).
 */

/** One ring address of a node. */
export interface RingAddress {
  address: string;
  port: number;
}

/** Host facts about one node. */
export interface HostNode {
  /** The node's machine folder: `node.pid`, `power.state`, `power.log`, `out.jsonl`, `control/`. */
  dir: string;
  /** Volatile state (as `/run`): OCF state files; emptied when the machine loses power. */
  runDir: string;
  /** Ring addresses (UDP transport). */
  rings: RingAddress[];
}

/** The whole host file. */
export interface HostFile {
  /** The raw cluster document (`parseClusterConfig` input). */
  cluster: Record<string, unknown>;
  host: {
    /** `udp` (two rings, default) or `etcd`. */
    transport: 'udp' | 'etcd';
    /** Shared cluster key file (UDP). */
    authkey: string;
    heartbeatIntervalMs: number;
    ringTimeoutMs: number;
    /** Quorum disk file (when the cluster has `quorum.qdisk`). */
    qdisk?: { path: string; label: string };
    /** etcd client URLs and prefix (transport `etcd`). */
    etcd?: { hosts: string[]; prefix: string };
    nodes: Record<string, HostNode>;
  };
}

/** Control commands a node process reads from its `control/` folder (one JSON file each). */
export type ControlCommand =
  | { cmd: 'confirmFenced'; node: string }
  | { cmd: 'requestFence'; node: string }
  | { cmd: 'suspendRings'; rings: number[] }
  | { cmd: 'resumeRings'; rings: number[] }
  | { cmd: 'status' }
  | { cmd: 'shutdown' };
