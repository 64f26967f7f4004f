/**
 * Types of the vote arithmetic (corosync votequorum, cman qdiskd, corosync-qdevice). Everything
 * here is plain JSON data: a `QuorumState` can sit in an xstate context, be persisted and diffed.
 */

/**
 * What one node remembers between two quorum computations (corosync keeps the same in
 * `votequorum.c` statics). Create it with `createQuorumState`, then only ever replace it with the
 * `state` that `computeQuorum` / `expireLastManStanding` return. JSON-serialisable; never mutated.
 */
export interface QuorumState {
  /**
   * This node's expected votes (corosync `us->expected_votes`): the configured value, raised
   * automatically whenever the votes present exceed it, lowered only by an administrator's
   * `setExpectedVotes` or by last-man-standing.
   */
  expectedVotes: number;
  /** The quorum last computed (0 before the first computation); it is never lowered by itself. */
  quorum: number;
  /** Whether this node last computed itself quorate. */
  quorate: boolean;
  /**
   * Wait-for-all status: armed at start and every time the node computes itself inquorate;
   * while armed the node is quorate only when all expected votes are present at once.
   * Always false when `waitForAll` is off.
   */
  waitForAllArmed: boolean;
  /** The membership (node ids, ascending) of the last computation (corosync `quorum_members`). */
  members: number[];
  /** The membership before that one (corosync `previous_quorum_members`), for the tie-breaker. */
  previousMembers: number[];
  /** Lowest node id of the last membership that was quorate by votes (ATB `lowest`); null: never. */
  lowestQuorateId: number | null;
  /** Highest node id of the last membership that was quorate by votes (ATB `highest`). */
  highestQuorateId: number | null;
  /** A last-man-standing window is open: the engine's timer runs and will call `expireLastManStanding`. */
  lmsPending: boolean;
  /** The last `QuorumView.expectedOverride` applied (or refused), so one value is applied once. */
  expectedOverrideSeen: number | null;
}

/** What one node sees of its partition right now; the input of `computeQuorum`. */
export interface QuorumView {
  /** Node ids in this node's partition, including the node itself (order does not matter). */
  members: number[];
  /**
   * Votes the quorum disk or qdevice gives THIS node's partition now (0 if none, or if the
   * partition does not hold the disk master / the qdevice vote). See `qdiskVotes`, `qdeviceVote`.
   */
  deviceVotes: number;
  /**
   * Runtime expected votes set by an administrator (`corosync-quorumtool -e`, the scenario event
   * `setExpectedVotes`). Pass the latest value every time; it is applied once, when it first
   * differs from the last one seen, and then behaves as corosync's: expected may go down, quorum
   * is recomputed at once, and later growth of the votes present raises expected again. As
   * corosync, a value below the votes present, or one that would make a quorate node inquorate,
   * is refused (the result's `reason` says so) and changes nothing.
   */
  expectedOverride?: number;
  /**
   * True when another member of this partition is quorate with wait-for-all clear. corosync clears
   * a node's wait-for-all status on such a member's message, so a node that reboots into a
   * quorate partition does not wait for every vote. `computePartitionQuorum` sets it for you.
   */
  peerQuorate?: boolean;
  /**
   * The expected votes of a quorate member of this partition (the highest, if several). A node
   * that is not quorate adopts it, even when it is lower (corosync: an inquorate node takes the
   * expected votes of a quorate member's message), so a node joining a partition whose expected
   * votes an administrator or last-man-standing lowered agrees with it. Ignored while this node
   * is quorate. `computePartitionQuorum` sets it for you.
   */
  peerExpectedVotes?: number;
}

/** The vote arithmetic one node sees, as `corosync-quorumtool -s` prints it. */
export interface QuorumResult {
  /** Votes present: members' votes plus `deviceVotes`. */
  votes: number;
  /** Expected votes after auto-raise, overrides and last-man-standing. */
  expected: number;
  /** Votes needed: floor(expected / 2) + 1, never lowered by itself; 1 under two_node with ≤ 2 nodes. */
  quorum: number;
  /** Whether this node is quorate (after wait-for-all and the tie-breaker). */
  quorate: boolean;
  /** One sentence saying why, e.g. `2 of 3 votes, quorum 2: quorate`. */
  reason: string;
  /**
   * True when this computation (re)starts a last-man-standing window: the engine must (re)start a
   * timer of `cfg.quorum.lastManStandingWindowMs` and call `expireLastManStanding` when it fires.
   */
  lmsStart: boolean;
  /** A last-man-standing window is open (started now or earlier, not yet expired). */
  lmsPending: boolean;
}

/** Which partition a tie goes to: the one holding the lowest node id, the highest, or a given id. */
export type TieBreaker = 'lowest' | 'highest' | number;

/** corosync-qnetd algorithms supported by the contract. */
export type QdeviceAlgorithm = 'ffsplit' | 'lms';
