/**
 * cman qdiskd (the quorum disk) as pure functions, after qdisk(5) and cman's quorum-device
 * handling: who is alive on the disk, who is master, and which partition the disk's votes go to.
 * No I/O: the engine reads slots through the `QuorumDisk` port and passes them in with the time.
 */
import type { QdiskConfig } from '../config/cluster-config.types.js';
import type { SlotState } from '../ports.js';

/**
 * Node ids alive on the quorum disk at `nowMs`, ascending. A node is alive while its slot was
 * written at most `tko` intervals ago (`nowMs - timestampMs <= tko × intervalMs`): a node that
 * could not reach the disk for `tko` whole intervals is dead to it (SCENARIO-FORMAT "Quorum
 * disk"; a write missed at the instant of the fault counts from that instant); a slot in state `none` or `evicted` is dead
 * whatever its time. A timestamp in the future (clock skew) counts as fresh. Empty slots (`null`)
 * are skipped. Pure; never throws.
 */
export function qdiskLiveNodes(
  slots: ReadonlyArray<SlotState | null | undefined>,
  nowMs: number,
  qdisk: Pick<QdiskConfig, 'intervalMs' | 'tko'>,
): number[] {
  const deadAfterMs = qdisk.tko * qdisk.intervalMs;
  const live = new Set<number>();
  for (const slot of slots) {
    if (slot === null || slot === undefined) continue;
    if (slot.state === 'none' || slot.state === 'evicted') continue;
    if (nowMs - slot.timestampMs <= deadAfterMs) live.add(slot.nodeId);
  }
  return [...live].sort((a, b) => a - b);
}

/**
 * The quorum-disk master after one election round (SCENARIO-FORMAT "Quorum disk"): the master is
 * the lowest-id node alive on the disk; when the master is dead to the disk, the lowest-id live
 * node takes over at the next interval, so the round that finds the master dead leaves the
 * mastership vacant (null) and the next round elects. A lower node alive again takes the
 * mastership back. Null when nobody is alive. The engine calls it once per qdisk interval. Pure.
 */
export function electQdiskMaster(prevMasterId: number | null, liveIds: readonly number[]): number | null {
  if (prevMasterId !== null && prevMasterId !== 0 && !liveIds.includes(prevMasterId)) return null;
  let lowest: number | null = null;
  for (const id of liveIds) if (lowest === null || id < lowest) lowest = id;
  return lowest;
}

/** Input of `qdiskVotes`: one partition (or one node of it) and the disk's state now. */
export interface QdiskVoteQuery {
  /** Node ids of the partition. */
  members: readonly number[];
  /** The current master (`electQdiskMaster`), or null. */
  masterId: number | null;
  /** Node ids alive on the disk now (`qdiskLiveNodes`). */
  liveIds: readonly number[];
  /**
   * When given, the votes as THIS node's cman counts them: cman adds the quorum device's votes
   * only while its own qdiskd is alive on the disk, so a node that lost its own disk path gets
   * none even inside the master's partition. Omit for the partition as a whole.
   */
  selfId?: number;
}

/**
 * Votes the quorum disk gives a partition now: all of `qdisk.votes` while the partition holds the
 * live master (the master grants the votes to the nodes it sees; in a network split only the
 * master's side gets them), else 0; 0 without a qdisk. With heuristics absent, `masterWins`
 * changes nothing here (SCENARIO-FORMAT "Quorum disk"). Pure.
 */
export function qdiskVotes(qdisk: Pick<QdiskConfig, 'votes'> | undefined, query: QdiskVoteQuery): number {
  if (qdisk === undefined) return 0;
  const { members, masterId, liveIds, selfId } = query;
  if (masterId === null || !liveIds.includes(masterId) || !members.includes(masterId)) return 0;
  if (selfId !== undefined && (!members.includes(selfId) || !liveIds.includes(selfId))) return 0;
  return qdisk.votes;
}

/**
 * What one reader remembers about the quorum disk between two reads, for `observeQdiskSlots`:
 * per node id, the last `seq`/`incarnation` it saw in that node's slot and its own clock time
 * when they last changed (null: not seen changing yet). Plain JSON data; start with `{}`.
 */
export type QdiskObservation = Record<
  number,
  { seq: number; incarnation: number; changedAtMs: number | null }
>;

/**
 * Liveness as qdiskd itself judges it, by the reader's own clock: a node is alive while the
 * reader saw its slot change (`seq` or `incarnation`) at most `tko` intervals ago. Unlike
 * `qdiskLiveNodes` this does not trust the writers' timestamps, so clock skew between hosts
 * cannot keep a dead node alive or kill a live one. A slot seen for the first time counts only
 * once it changes (qdiskd waits for fresh writes before it calls a node online); `none` and
 * `evicted` slots are dead. Returns the next observation and the live ids, ascending. Pure.
 */
export function observeQdiskSlots(
  previous: Readonly<QdiskObservation>,
  slots: ReadonlyArray<SlotState | null | undefined>,
  nowMs: number,
  qdisk: Pick<QdiskConfig, 'intervalMs' | 'tko'>,
): { observation: QdiskObservation; liveIds: number[] } {
  const deadAfterMs = qdisk.tko * qdisk.intervalMs;
  const observation: QdiskObservation = {};
  const live: number[] = [];
  for (const slot of slots) {
    if (slot === null || slot === undefined) continue;
    const before = previous[slot.nodeId];
    const changed =
      before !== undefined && (before.seq !== slot.seq || before.incarnation !== slot.incarnation);
    const changedAtMs = changed ? nowMs : (before?.changedAtMs ?? null);
    observation[slot.nodeId] = { seq: slot.seq, incarnation: slot.incarnation, changedAtMs };
    if (slot.state === 'none' || slot.state === 'evicted') continue;
    if (changedAtMs !== null && nowMs - changedAtMs <= deadAfterMs) live.push(slot.nodeId);
  }
  return { observation, liveIds: [...new Set(live)].sort((a, b) => a - b) };
}
