/** JSON context of the coordinator actor: how many scheduling runs it has made, for inspection. */
export interface CoordinatorContext {
  /** Runs that reached a full decision (every member's report in, acting). */
  decisions: number;
  /** Runs that found a member's report missing and waited. */
  waits: number;
}

/**
 * Events of the coordinator actor.
 * - `coordinator.changed`: something the decision depends on changed (membership, quorum, a
 *   report, a fence result, configuration, an admin request); `leading` is whether this node is
 *   the coordinator of its partition now (running, joined, lowest-id member).
 * - `coordinator.due`: a timer of the coordinator itself asks for a run (raised internally).
 * - `coordinator.reportsMissing`: a run found a member's report missing (raised internally).
 * - `coordinator.decided`: a run decided (raised internally; re-arms the failure expiry).
 */
export type CoordinatorEvent =
  | { type: 'coordinator.changed'; leading: boolean }
  | { type: 'coordinator.due' }
  | { type: 'coordinator.reportsMissing' }
  | { type: 'coordinator.decided' };

/**
 * What the host of the actor (the cluster node) provides with `coordinatorMachine.provide`:
 * the guards read the node's current view, the actions act on it. Each is called at the instant
 * the machine needs it, never cached.
 */
export interface CoordinatorImplementation {
  /** This node is the coordinator now: running, joined, and the lowest-id member. */
  leads: () => boolean;
  /** Its partition may act: quorate, or `noQuorumPolicy: ignore`. */
  acting: () => boolean;
  /** Some member's report has not arrived. */
  reportsMissing: () => boolean;
  /**
   * Time until the next decision due on its own (a fail count expiring, a membership dispute
   * reaching its deadline), or null.
   */
  nextExpiryInMs: () => number | null;
  /** How long to wait for missing reports before asking for them again. */
  askIntervalMs: () => number;
  /** Builds the snapshot, runs the scheduler, decides fencing and dispatches the transition. */
  decide: () => void;
  /** Without quorum: runs only the fences an operator asked for. */
  fenceOnRequestOnly: () => void;
  /** Asks the members whose reports are missing to send them again. */
  askForReports: () => void;
}
