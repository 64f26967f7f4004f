/**
 * corosync-qdevice / corosync-qnetd vote assignment as a pure function, after
 * `qdevices/qnetd-algo-ffsplit.c`, `qnetd-algo-lms.c` and corosync-qdevice(8); written anew.
 * Heuristics are not part of the contract, so every partition that reaches the arbiter scores
 * its size.
 */
import type { QdeviceAlgorithm, TieBreaker } from './quorum.types.js';

function minOf(ids: readonly number[]): number {
  return ids.reduce((m, id) => Math.min(m, id), Number.POSITIVE_INFINITY);
}

function maxOf(ids: readonly number[]): number {
  return ids.reduce((m, id) => Math.max(m, id), Number.NEGATIVE_INFINITY);
}

/** Among tied partition indexes, the one the tie-breaker names. */
function breakTie(
  partitions: readonly (readonly number[])[],
  tied: readonly number[],
  tieBreaker: TieBreaker,
): number {
  const byLowest = () =>
    tied.reduce((best, i) => (minOf(partitions[i] ?? []) < minOf(partitions[best] ?? []) ? i : best));
  if (tieBreaker === 'highest') {
    return tied.reduce((best, i) => (maxOf(partitions[i] ?? []) > maxOf(partitions[best] ?? []) ? i : best));
  }
  if (typeof tieBreaker === 'number') {
    const holder = tied.find((i) => (partitions[i] ?? []).includes(tieBreaker));
    // qnetd: the partition holding the given node; when none of them holds it, fall back to the
    // lowest id so the answer stays deterministic.
    return holder ?? byLowest();
  }
  return byLowest();
}

/**
 * Which partition gets the qdevice vote now: the index into `partitions`, or null when none does.
 * Call it whenever membership or reachability changes (SCENARIO-FORMAT "qdevice").
 *
 * - `partitions`: node ids per partition (isolated nodes are partitions of one);
 *   `reachable[i]`: whether partition i reaches the arbiter. Unreachable partitions never get it.
 * - `ffsplit`: the reachable partition with more than half of the cluster's nodes; on an exact
 *   half/half tie between reachable partitions, the one holding members of `previous` (the
 *   partition that held the vote before, qnetd's keep_active_partition_tie_breaker, on by default)
 *   when exactly one does, else `tieBreaker`. A partition with less than half never gets the vote.
 *   `clusterSize` is the number of configured nodes (default: all nodes listed in `partitions`).
 * - `lms`: the largest reachable partition, whatever its share (a lone survivor that reaches the
 *   arbiter keeps the vote); ties to the partition holding members of `previous` when exactly one
 *   does, else `tieBreaker`.
 * - `tieBreaker`: `lowest` = the partition with the lowest node id, `highest` = the highest,
 *   a number = the partition holding that node (falling back to lowest when none holds it).
 *
 * Pure; never throws (`reachable` entries missing count as unreachable).
 */
export function qdeviceVote(
  partitions: readonly (readonly number[])[],
  reachable: readonly boolean[],
  algorithm: QdeviceAlgorithm,
  tieBreaker: TieBreaker,
  previous?: readonly number[] | null,
  clusterSize?: number,
): number | null {
  const candidates: number[] = [];
  partitions.forEach((p, i) => {
    if (reachable[i] === true && p.length > 0) candidates.push(i);
  });
  if (candidates.length === 0) return null;
  const total = clusterSize ?? partitions.reduce((n, p) => n + p.length, 0);
  const size = (i: number) => partitions[i]?.length ?? 0;

  let pool = candidates;
  if (algorithm === 'ffsplit') {
    const over = pool.filter((i) => size(i) * 2 > total);
    if (over.length > 0) return over[0] as number;
    pool = pool.filter((i) => size(i) * 2 === total);
    if (pool.length === 0) return null;
  } else {
    const largest = Math.max(...pool.map(size));
    pool = pool.filter((i) => size(i) === largest);
  }
  if (pool.length === 1) return pool[0] as number;
  if (previous !== undefined && previous !== null && previous.length > 0) {
    const keeping = pool.filter((i) => (partitions[i] ?? []).some((id) => previous.includes(id)));
    if (keeping.length === 1) return keeping[0] as number;
  }
  return breakTie(partitions, pool, tieBreaker);
}
