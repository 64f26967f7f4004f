/** corosync-qnetd vote assignment (ffsplit, lms), reachability and tie-breakers. */
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import {
  computeQuorum,
  createQuorumState,
  type QdeviceAlgorithm,
  qdeviceVote,
  type TieBreaker,
} from '../../src/quorum/index.js';

interface Row {
  why: string;
  partitions: number[][];
  reachable: boolean[];
  algorithm: QdeviceAlgorithm;
  tieBreaker: TieBreaker;
  previous?: number[];
  clusterSize?: number;
  winner: number | null;
}

const rows: Row[] = [
  {
    why: 'ffsplit gives a 2/2 tie to the partition with the lowest node',
    partitions: [
      [3, 4],
      [1, 2],
    ],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: 1,
  },
  {
    why: 'ffsplit gives a 2/2 tie to the partition with the highest node',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'highest',
    winner: 1,
  },
  {
    why: 'ffsplit gives a 2/2 tie to the partition holding the tie-breaker node id',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 3,
    winner: 1,
  },
  {
    why: 'ffsplit gives a 1/1 split of two nodes to the lowest node',
    partitions: [[2], [1]],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: 1,
  },
  {
    why: 'ffsplit gives the vote to the larger partition',
    partitions: [[1], [2, 3, 4]],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: 1,
  },
  {
    why: 'ffsplit gives nothing to a reachable minority when the majority cannot reach the arbiter',
    partitions: [[1], [2, 3, 4]],
    reachable: [true, false],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: null,
  },
  {
    why: 'ffsplit gives a half to the only reachable half',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [false, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: 1,
  },
  {
    why: 'ffsplit gives nothing when no partition holds half the nodes',
    partitions: [[1], [2], [3]],
    reachable: [true, true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: null,
  },
  {
    why: 'ffsplit keeps the vote with the previously active half on a tie',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [true, true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    previous: [3, 4],
    winner: 1,
  },
  {
    why: 'ffsplit counts configured nodes that are down: two of four survivors are half',
    partitions: [[1, 2]],
    reachable: [true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    clusterSize: 4,
    winner: 0,
  },
  {
    why: 'ffsplit gives nothing to one survivor of four',
    partitions: [[1]],
    reachable: [true],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    clusterSize: 4,
    winner: null,
  },
  {
    why: 'lms gives the vote to a lone survivor that reaches the arbiter',
    partitions: [[1]],
    reachable: [true],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    clusterSize: 4,
    winner: 0,
  },
  {
    why: 'lms gives the vote to the largest reachable partition',
    partitions: [[1], [2, 3]],
    reachable: [true, true],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    winner: 1,
  },
  {
    why: 'lms gives it to the smaller partition when the larger cannot reach the arbiter',
    partitions: [[1], [2, 3]],
    reachable: [true, false],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    winner: 0,
  },
  {
    why: 'lms breaks a tie between the largest partitions by the tie-breaker',
    partitions: [[5], [3, 4], [1, 2]],
    reachable: [true, true, true],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    winner: 2,
  },
  {
    why: 'lms breaks a tie with highest',
    partitions: [[1, 2], [3, 4], [5]],
    reachable: [true, true, true],
    algorithm: 'lms',
    tieBreaker: 'highest',
    winner: 1,
  },
  {
    why: 'lms keeps the partition that held the vote before on a tie',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [true, true],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    previous: [3],
    winner: 1,
  },
  {
    why: 'a tie-breaker node id in neither tied partition falls back to lowest',
    partitions: [
      [3, 4],
      [1, 2],
    ],
    reachable: [true, true],
    algorithm: 'lms',
    tieBreaker: 9,
    winner: 1,
  },
  {
    why: 'nobody gets the vote when nobody reaches the arbiter',
    partitions: [
      [1, 2],
      [3, 4],
    ],
    reachable: [false, false],
    algorithm: 'lms',
    tieBreaker: 'lowest',
    winner: null,
  },
  {
    why: 'a missing reachability entry counts as unreachable',
    partitions: [[1, 2, 3], [4]],
    reachable: [],
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    winner: null,
  },
];

describe('qdeviceVote', () => {
  it.each(rows)('$why', (r) => {
    expect(qdeviceVote(r.partitions, r.reachable, r.algorithm, r.tieBreaker, r.previous, r.clusterSize)).toBe(
      r.winner,
    );
  });
});

describe('qdevice votes in the quorum (2 nodes + qdevice: expected 3, quorum 2)', () => {
  const cfg = parseClusterConfig({
    name: 'c',
    nodes: [
      { name: 'node1', id: 1 },
      { name: 'node2', id: 2 },
    ],
    quorum: { qdevice: { algorithm: 'ffsplit', tieBreaker: 'lowest' } },
  });

  it('leaves exactly one side of a cable pull quorate', () => {
    const partitions = [[1], [2]];
    const winner = qdeviceVote(partitions, [true, true], 'ffsplit', 'lowest');
    const quorate = partitions.map((members, i) => {
      let s = createQuorumState(cfg);
      s = computeQuorum(cfg, s, { members: [1, 2], deviceVotes: 1 }).state;
      return computeQuorum(cfg, s, { members, deviceVotes: i === winner ? 1 : 0 }).result.quorate;
    });
    expect(quorate).toEqual([true, false]);
  });
});
