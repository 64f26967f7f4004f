import type { ClusterConfig } from '../../config/cluster-config.types.js';
import type { QuorumResult, QuorumState, QuorumView } from '../../quorum/quorum.types.js';

/** Input of a node's quorum actor. */
export interface QuorumInput {
  cfg: ClusterConfig;
}

/** JSON context: the votequorum state, the last view and the last result. */
export interface QuorumContext {
  cfg: ClusterConfig;
  state: QuorumState;
  view: QuorumView | null;
  result: QuorumResult;
}

/** Commands: evaluate a new view (membership or device votes changed), or take a new configuration. */
export type QuorumEvent =
  | { type: 'quorum.evaluate'; view: QuorumView }
  | { type: 'quorum.configure'; cfg: ClusterConfig };
