/**
 * corosync votequorum as pure functions: the quorum one node computes from its partition.
 * Read from corosync `exec/votequorum.c` (`calculate_quorum`, `are_we_quorate`,
 * `check_auto_tie_breaker`, `votequorum_sync_init`, `votequorum_last_man_standing_timer_fn`,
 * `message_handler_req_lib_votequorum_setexpected`); written anew, no code copied.
 * No clock, no timers: the engine owns the last-man-standing timer and calls
 * `expireLastManStanding` when it fires.
 */
import type { ClusterConfig } from '../config/cluster-config.types.js';
import type { QuorumResult, QuorumState, QuorumView } from './quorum.types.js';

/** Sum of the configured votes of every node in `cfg`. */
export function totalNodeVotes(cfg: ClusterConfig): number {
  let sum = 0;
  for (const node of cfg.nodes) sum += node.votes;
  return sum;
}

/** Votes of the configured quorum device (qdisk, else qdevice), 0 without one. */
export function configuredDeviceVotes(cfg: ClusterConfig): number {
  return cfg.quorum.qdisk?.votes ?? cfg.quorum.qdevice?.votes ?? 0;
}

/**
 * Expected votes at start: `cfg.quorum.expectedVotes` when given, else the sum of node votes plus
 * the quorum device's votes (as votequorum's nodelist sum, and cman's `expected_votes` rule).
 */
export function configuredExpectedVotes(cfg: ClusterConfig): number {
  return cfg.quorum.expectedVotes ?? totalNodeVotes(cfg) + configuredDeviceVotes(cfg);
}

/** Quorum for `expected` expected votes: floor(expected / 2) + 1. */
export function quorumOf(expected: number): number {
  return Math.floor(expected / 2) + 1;
}

/**
 * The options votequorum actually runs with, after its compatibility rules:
 * - `autoTieBreaker` with `twoNode` disables `twoNode` (votequorum.c: "two_node has been disabled");
 * - `autoTieBreaker` in a cluster whose node votes add up to an odd number needs wait-for-all,
 *   else it is disabled;
 * - a quorum device (qdevice) disables `autoTieBreaker` and `lastManStanding`, and wins over
 *   `twoNode` (corosync refuses to start with these together; the schema should reject them);
 * - `lastManStanding` needs every node to have exactly 1 vote, else it is disabled.
 * Exported for the engine's log and for tests; `computeQuorum` applies it itself.
 */
export interface EffectiveQuorumOptions {
  twoNode: boolean;
  waitForAll: boolean;
  autoTieBreaker: false | 'lowest' | 'highest' | number[];
  lastManStanding: boolean;
  /** Why an option was switched off, one sentence each. */
  notes: string[];
}

/** Resolves `EffectiveQuorumOptions` from a normalised config (pure; see the interface). */
export function effectiveQuorumOptions(cfg: ClusterConfig): EffectiveQuorumOptions {
  const q = cfg.quorum;
  const notes: string[] = [];
  let twoNode = q.twoNode;
  let atb = q.autoTieBreaker;
  let lms = q.lastManStanding;
  if (q.qdevice !== undefined) {
    if (twoNode) notes.push('twoNode is disabled because a qdevice is configured');
    if (atb !== false) notes.push('autoTieBreaker is disabled because a qdevice is configured');
    if (lms) notes.push('lastManStanding is disabled because a qdevice is configured');
    twoNode = false;
    atb = false;
    lms = false;
  }
  if (twoNode && atb !== false) {
    notes.push('twoNode is disabled because autoTieBreaker is set (as corosync)');
    twoNode = false;
  }
  if (atb !== false && totalNodeVotes(cfg) % 2 === 1 && !q.waitForAll) {
    notes.push('autoTieBreaker is disabled: the node votes add up to an odd number and waitForAll is off');
    atb = false;
  }
  if (lms && cfg.nodes.some((n) => n.votes !== 1)) {
    notes.push('lastManStanding is disabled: it needs every node to have exactly 1 vote');
    lms = false;
  }
  return { twoNode, waitForAll: q.waitForAll, autoTieBreaker: atb, lastManStanding: lms, notes };
}

/**
 * The state of a node that has just started: expected votes as configured, quorum not yet
 * computed, wait-for-all armed when enabled, no membership seen. Pure; call once per node start
 * (a rebooted node starts again from here, as corosync does).
 */
export function createQuorumState(cfg: ClusterConfig): QuorumState {
  return {
    expectedVotes: configuredExpectedVotes(cfg),
    quorum: 0,
    quorate: false,
    waitForAllArmed: cfg.quorum.waitForAll,
    members: [],
    previousMembers: [],
    lowestQuorateId: null,
    highestQuorateId: null,
    lmsPending: false,
    expectedOverrideSeen: null,
  };
}

/**
 * The votequorum state after a configuration reload (corosync re-reads `expected_votes` and
 * recalculates with decrease allowed): when the configured expected votes changed, they replace
 * the running ones and the quorum is computed afresh at the next evaluation, up or down. Other
 * state (wait-for-all, last-man-standing, tie-breaker memory) carries over. Pure.
 */
export function reconfigureQuorumState(
  prev: ClusterConfig,
  next: ClusterConfig,
  state: QuorumState,
): QuorumState {
  const before = configuredExpectedVotes(prev);
  const after = configuredExpectedVotes(next);
  if (before === after) return state;
  return { ...state, expectedVotes: after, quorum: 0 };
}

function normaliseIds(ids: readonly number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

function votesOf(cfg: ClusterConfig, members: readonly number[]): number {
  let sum = 0;
  for (const id of members) sum += cfg.nodes.find((n) => n.id === id)?.votes ?? 0;
  return sum;
}

/** corosync `calculate_quorum` for given expected and present votes. */
function calculateQuorum(
  opts: EffectiveQuorumOptions,
  previousQuorum: number,
  expected: number,
  votes: number,
  totalNodes: number,
  allowDecrease: boolean,
): number {
  let q = Math.max(Math.floor((expected + 2) / 2), Math.floor((votes + 2) / 2));
  if (!allowDecrease) q = Math.max(previousQuorum, q);
  // As votequorum two_node: each of two nodes keeps quorum alone; fencing settles who lives.
  // With more than two members present the normal quorum applies again.
  if (opts.twoNode && totalNodes <= 2) q = 1;
  return q;
}

/** corosync `check_auto_tie_breaker`: may this partition win a tie? */
function tieBreakerAllows(
  atb: 'lowest' | 'highest' | number[],
  state: Pick<QuorumState, 'lowestQuorateId' | 'highestQuorateId'>,
  members: readonly number[],
  previousMembers: readonly number[],
): { ok: boolean; why: string } {
  if (atb === 'lowest' || atb === 'highest') {
    const id = atb === 'lowest' ? state.lowestQuorateId : state.highestQuorateId;
    if (id === null) return { ok: false, why: `no ${atb} node known from a quorate membership` };
    return members.includes(id)
      ? { ok: true, why: `${atb} node ${id} is present` }
      : { ok: false, why: `${atb} node ${id} is not present` };
  }
  for (let i = 0; i < atb.length; i++) {
    const id = atb[i] as number;
    if (!members.includes(id)) continue;
    // An earlier-listed node that was in the previous membership but is not here may be in the
    // other half, so this half must not take the tie.
    for (let j = 0; j < i; j++) {
      const earlier = atb[j] as number;
      if (previousMembers.includes(earlier)) {
        return {
          ok: false,
          why: `listed node ${earlier} was in the previous membership and may hold the other half`,
        };
      }
    }
    return { ok: true, why: `listed node ${id} is present` };
  }
  return { ok: false, why: 'no listed tie-breaker node is present' };
}

type Mode = { kind: 'normal' } | { kind: 'lmsExpire' };

function evaluate(
  cfg: ClusterConfig,
  state: QuorumState,
  view: QuorumView,
  mode: Mode,
): { state: QuorumState; result: QuorumResult } {
  const opts = effectiveQuorumOptions(cfg);
  const members = normaliseIds(view.members);
  const changed = !sameIds(members, state.members);
  const previousMembers = changed ? state.members : state.previousMembers;
  const deviceVotes = Math.max(0, view.deviceVotes);
  const votes = votesOf(cfg, members) + deviceVotes;
  const totalNodes = members.length + (deviceVotes > 0 ? 1 : 0);
  const notes: string[] = [];

  let expected = state.expectedVotes;
  let quorum = state.quorum;
  let allowDecrease = false;
  let lmsStart = false;
  let lmsPending = state.lmsPending;
  let expectedOverrideSeen = state.expectedOverrideSeen;

  // votequorum_sync_init: on a membership change where nodes left while enough members remain
  // (or, with the tie-breaker, when the lowest node is still here), (re)start the LMS window.
  // It compares with the quorum of the previous computation, as corosync does.
  if (mode.kind === 'normal' && opts.lastManStanding && changed) {
    const left = state.members.some((id) => !members.includes(id));
    const n = members.length;
    const lowestHere = state.lowestQuorateId !== null && members.includes(state.lowestQuorateId);
    if ((n >= quorum && left) || (n <= quorum && opts.autoTieBreaker !== false && lowestHere)) {
      lmsStart = true;
      lmsPending = true;
    }
  }

  if (
    mode.kind === 'normal' &&
    view.expectedOverride !== undefined &&
    view.expectedOverride !== expectedOverrideSeen
  ) {
    const wanted = view.expectedOverride;
    expectedOverrideSeen = wanted;
    const newQuorum = calculateQuorum(opts, quorum, wanted, votes, totalNodes, true);
    if (!Number.isInteger(wanted) || wanted < 1) {
      notes.push(`expected votes ${wanted} refused: not a positive integer`);
    } else if (wanted < votes) {
      notes.push(`expected votes ${wanted} refused: below the ${votes} votes present`);
    } else if (state.quorate && newQuorum > votes) {
      notes.push(`expected votes ${wanted} refused: it would make a quorate node inquorate`);
    } else {
      expected = wanted;
      allowDecrease = true;
      notes.push(`expected votes set to ${wanted} by the administrator`);
    }
  }

  if (
    mode.kind === 'normal' &&
    !state.quorate &&
    view.peerExpectedVotes !== undefined &&
    Number.isInteger(view.peerExpectedVotes) &&
    view.peerExpectedVotes > 0 &&
    view.peerExpectedVotes !== expected
  ) {
    expected = view.peerExpectedVotes;
    allowDecrease = true;
    notes.push(`expected votes ${expected} taken from a quorate member`);
  }

  let lmsLowered = false;
  if (mode.kind === 'lmsExpire') {
    lmsPending = false;
    if (opts.lastManStanding && state.quorate) {
      allowDecrease = true;
      lmsLowered = true;
    } else if (opts.lastManStanding) {
      notes.push('last-man-standing window expired while inquorate: expected votes unchanged');
    }
  }

  // recalculate_quorum: keep expected at the highest number of votes present.
  if (votes > expected) {
    expected = votes;
    notes.push(`expected votes raised to ${votes} by the votes present`);
  }
  if (lmsLowered) {
    // As votequorum_last_man_standing_timer_fn: expected := current member count.
    const byMembers = Math.max(totalNodes, 1);
    if (byMembers !== expected) notes.push(`last man standing: expected votes lowered to ${byMembers}`);
    expected = byMembers;
  }
  quorum = calculateQuorum(opts, quorum, expected, votes, totalNodes, allowDecrease);
  const twoNodeActive = opts.twoNode && totalNodes <= 2;

  let waitForAllArmed = opts.waitForAll && state.waitForAllArmed;
  if (waitForAllArmed && view.peerQuorate === true) {
    waitForAllArmed = false;
    notes.push('wait-for-all cleared by a quorate member');
  }

  const base = `${votes} of ${expected} votes, quorum ${quorum}${twoNodeActive ? ' (two-node)' : ''}`;
  const finish = (quorate: boolean, reason: string, extra: Partial<QuorumState> = {}) => {
    const next: QuorumState = {
      expectedVotes: expected,
      quorum,
      quorate,
      waitForAllArmed,
      members,
      previousMembers,
      lowestQuorateId: state.lowestQuorateId,
      highestQuorateId: state.highestQuorateId,
      lmsPending,
      expectedOverrideSeen,
      ...extra,
    };
    const text = notes.length > 0 ? `${reason} (${notes.join('; ')})` : reason;
    return {
      state: next,
      result: { votes, expected, quorum, quorate, reason: text, lmsStart, lmsPending },
    };
  };

  // are_we_quorate: while wait-for-all is armed, only all expected votes at once grant quorum;
  // the status stays armed (and the node inquorate) until then.
  if (waitForAllArmed) {
    if (votes !== expected) {
      return finish(false, `${base}: inquorate, waiting for all ${expected} expected votes`);
    }
    waitForAllArmed = false;
  }

  let quorate = votes >= quorum;
  let reason = `${base}: ${quorate ? 'quorate' : 'inquorate'}`;
  const extra: Partial<QuorumState> = {};
  if (quorate && members.length > 0) {
    extra.lowestQuorateId = members[0] as number;
    extra.highestQuorateId = members[members.length - 1] as number;
  }

  const atb = opts.autoTieBreaker;
  if (!quorate && atb !== false && votes === Math.floor(expected / 2)) {
    // "If the other partition in a split might have quorum then we can't run ATB." corosync
    // counts the members that left; we count the votes they (and a quorum device we lack) could
    // hold on the other side. With one vote per node and no device, as corosync expects with
    // ATB, both are the same number; with weighted votes corosync's count can let both halves
    // be quorate (found by the split-brain property test), so we are safe instead.
    const gone = previousMembers.filter((id) => !members.includes(id));
    const otherSideMax = votesOf(cfg, gone) + Math.max(0, configuredDeviceVotes(cfg) - deviceVotes);
    if (otherSideMax < quorum) {
      const tb = tieBreakerAllows(atb, state, members, previousMembers);
      if (tb.ok) {
        quorate = true;
        reason = `${base}: quorate by the auto tie-breaker (${tb.why})`;
      } else {
        reason = `${base}: inquorate, tie lost (${tb.why})`;
      }
    } else {
      reason = `${base}: inquorate, tie not broken (the ${otherSideMax} votes that left at once may be quorate on the other side)`;
    }
  }

  // Wait-for-all is re-armed every time the node computes itself inquorate.
  if (opts.waitForAll) waitForAllArmed = !quorate;
  return finish(quorate, reason, extra);
}

/**
 * Computes what one node sees of quorum right now, exactly as corosync votequorum does, and the
 * state to keep for next time. Call it on every change of the node's view: membership, the votes
 * the quorum device gives this partition, an administrator's expected votes.
 *
 * - votes = Σ votes of `view.members` (ids not in `cfg.nodes` count 0) + `view.deviceVotes`;
 * - expected = the state's expected votes, raised to `votes` when exceeded; an
 *   `expectedOverride` seen for the first time replaces it at once (refused as corosync when below
 *   the votes present or when it would make a quorate node inquorate);
 * - quorum = max(floor(expected/2)+1, floor(votes/2)+1), never below the previous quorum except
 *   after an override or last-man-standing; 1 with `twoNode` while at most two members (a
 *   casting device counts as one) are present;
 * - wait-for-all (when enabled): armed at start and whenever the node computes itself inquorate;
 *   while armed the node is quorate only if votes == expected; cleared once that happens or when
 *   `view.peerQuorate` says a quorate member has it clear;
 * - auto tie-breaker: with votes exactly floor(expected/2), and fewer than `quorum` votes having
 *   left since the previous membership (corosync counts members; the same with one vote per node,
 *   safe with weighted votes), the partition is quorate when it holds the lowest/highest
 *   node of the last quorate membership, or, for a list, the first listed node present with no
 *   earlier-listed node in the previous membership;
 * - last-man-standing: `result.lmsStart` is true when a window must (re)start (nodes left and at
 *   least `quorum` members remain, or with the tie-breaker the lowest node remains); see
 *   `expireLastManStanding`.
 *
 * Pure: never throws for any view, reads no clock. `result.reason` is one sentence for logs.
 */
export function computeQuorum(
  cfg: ClusterConfig,
  state: QuorumState,
  view: QuorumView,
): { state: QuorumState; result: QuorumResult } {
  return evaluate(cfg, state, view, { kind: 'normal' });
}

/**
 * Applies last-man-standing when the engine's window timer fires (it started the timer of
 * `cfg.quorum.lastManStandingWindowMs` when `computeQuorum` returned `lmsStart: true`). As
 * corosync's timer: if the node is still quorate, expected votes drop to the current member count
 * and quorum is recomputed from it (it may go down); if it is not quorate, nothing is lowered.
 * Either way the window is closed (`lmsPending: false`). `view` is the node's view now. Pure.
 */
export function expireLastManStanding(
  cfg: ClusterConfig,
  state: QuorumState,
  view: QuorumView,
): { state: QuorumState; result: QuorumResult } {
  // The membership may have changed since the last computation; take it in first, as corosync
  // would have recalculated on that change before its timer fired.
  const current = evaluate(cfg, state, view, { kind: 'normal' });
  return evaluate(cfg, current.state, view, { kind: 'lmsExpire' });
}

/**
 * Computes quorum for every member of one partition together, as the members' votequorum
 * instances settle it by exchanging messages: each member is first computed from its own state;
 * then every member that was not quorate before is computed again from its own state with what
 * the other members that came out quorate tell it: `peerExpectedVotes` (the highest expected
 * votes among them, which an inquorate node adopts) and `peerQuorate` (when one of them has
 * wait-for-all clear). Checked against real corosync 3 (`corosync-differential.test.ts`).
 *
 * `states` holds the current state of at least every member (missing ones start from
 * `createQuorumState`); `view.members` is the partition; `deviceVotesByNode` overrides
 * `view.deviceVotes` per node (a node that lost its own quorum-disk path counts none).
 * Returns new states and results for the members only. Pure.
 */
export function computePartitionQuorum(
  cfg: ClusterConfig,
  states: Readonly<Record<number, QuorumState>>,
  view: QuorumView,
  deviceVotesByNode: Readonly<Record<number, number>> = {},
): { states: Record<number, QuorumState>; results: Record<number, QuorumResult> } {
  const members = normaliseIds(view.members);
  const outStates: Record<number, QuorumState> = {};
  const results: Record<number, QuorumResult> = {};
  const before = (id: number) => states[id] ?? createQuorumState(cfg);
  const viewFor = (id: number): QuorumView => ({
    ...view,
    members,
    deviceVotes: deviceVotesByNode[id] ?? view.deviceVotes,
  });
  for (const id of members) {
    const r = computeQuorum(cfg, before(id), viewFor(id));
    outStates[id] = r.state;
    results[id] = r.result;
  }
  const quorate = members.filter((id) => results[id]?.quorate === true);
  for (const id of members) {
    // Only a node that was not quorate before listens to its peers (corosync checks its own
    // cluster_is_quorate when a quorate member's message arrives during the sync).
    if (before(id).quorate) continue;
    const peers = quorate.filter((p) => p !== id);
    if (peers.length === 0) continue;
    const peerExpectedVotes = Math.max(...peers.map((p) => results[p]?.expected ?? 0));
    const someClear = peers.some((p) => outStates[p]?.waitForAllArmed === false);
    const r = computeQuorum(cfg, before(id), {
      ...viewFor(id),
      peerExpectedVotes,
      ...(someClear ? { peerQuorate: true } : {}),
    });
    outStates[id] = r.state;
    results[id] = r.result;
  }
  return { states: outStates, results };
}
