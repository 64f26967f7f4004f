/**
 * Vote arithmetic: corosync votequorum (`computeQuorum`, two-node, wait-for-all,
 * last-man-standing, auto tie-breaker), the cman quorum disk (`qdiskLiveNodes`,
 * `electQdiskMaster`, `qdiskVotes`) and corosync-qdevice (`qdeviceVote`). Pure functions over
 * the normalised `ClusterConfig`; time arrives as `nowMs` arguments, state as JSON values.
 */

export { qdeviceVote } from './qdevice.js';
export type { QdiskObservation, QdiskVoteQuery } from './qdisk.js';
export { electQdiskMaster, observeQdiskSlots, qdiskLiveNodes, qdiskVotes } from './qdisk.js';
export type { QdeviceAlgorithm, QuorumResult, QuorumState, QuorumView, TieBreaker } from './quorum.types.js';
export type { EffectiveQuorumOptions } from './votequorum.js';
export {
  computePartitionQuorum,
  computeQuorum,
  configuredDeviceVotes,
  configuredExpectedVotes,
  createQuorumState,
  effectiveQuorumOptions,
  expireLastManStanding,
  quorumOf,
  reconfigureQuorumState,
  totalNodeVotes,
} from './votequorum.js';
