/**
 * Differential test of the qdevice rules against the real peers: corosync 3 with
 * corosync-qdevice on every node and a corosync-qnetd arbiter (TLS off) in network namespaces.
 * The model side is `qdeviceVote` (which partition gets the vote) + `computePartitionQuorum`.
 * Opt-in (root, about two minutes): `QUORATE_IT_COROSYNC=1`; needs the corosync-qdevice and
 * corosync-qnetd packages.
 */
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import {
  computePartitionQuorum,
  createQuorumState,
  type QuorumResult,
  type QuorumState,
  qdeviceVote,
} from '../../src/quorum/index.js';
import {
  corosyncLabPerTest,
  corosyncLabUnavailable,
  createTranscript,
  type LabStep,
  labNodes,
  playOnLab,
  type RealQuorum,
  SPLIT_2_2,
} from './corosync-lab.js';

const unavailable = corosyncLabUnavailable(true);
if (unavailable !== null) console.warn(`corosync qdevice differential test skipped: ${unavailable}`);

interface Case {
  name: string;
  n: number;
  algorithm: 'ffsplit' | 'lms';
  tieBreaker: 'lowest' | 'highest' | number;
  steps: LabStep[];
}

const cases: Case[] = [
  {
    name: 'ffsplit gives a 2/2 split to the half with the lowest node',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    steps: [{ start: [1, 2, 3, 4] }, { partition: SPLIT_2_2 }, { heal: true }],
  },
  {
    name: 'ffsplit gives a 2/2 split to the half holding the tie-breaker node id',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 3,
    steps: [{ start: [1, 2, 3, 4] }, { partition: SPLIT_2_2 }],
  },
  {
    name: 'ffsplit gives the vote to the half that reaches the arbiter, and keeps it there',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    steps: [
      { start: [1, 2, 3, 4] },
      {
        partition: SPLIT_2_2,
        reach: [false, true],
      },
      {
        partition: SPLIT_2_2,
        reach: [true, true],
      },
    ],
  },
  {
    name: 'ffsplit two nodes: the lone node with the lowest id wins a cable pull',
    n: 2,
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    steps: [{ start: [1, 2] }, { partition: [[1], [2]] }, { heal: true }],
  },
  {
    name: 'lms keeps the last node standing quorate',
    n: 3,
    algorithm: 'lms',
    tieBreaker: 'lowest',
    steps: [{ start: [1, 2, 3] }, { stop: [3] }, { stop: [2] }],
  },
  {
    name: 'lms gives a split to the larger partition',
    n: 3,
    algorithm: 'lms',
    tieBreaker: 'lowest',
    steps: [{ start: [1, 2, 3] }, { partition: [[1], [2, 3]] }],
  },
];

const newLab = corosyncLabPerTest();

describe.skipIf(unavailable !== null)('qdevice against real corosync-qdevice and corosync-qnetd', () => {
  for (const c of cases) {
    it(c.name, { timeout: 180_000 }, async () => {
      const cfg = parseClusterConfig({
        name: 'qdiff',
        nodes: labNodes(c.n),
        quorum: { qdevice: { algorithm: c.algorithm, tieBreaker: c.tieBreaker } },
      });
      const qdevice = cfg.quorum.qdevice;
      if (qdevice === undefined) throw new Error('the config must have a qdevice');
      // corosync computes a default of (nodes - 1) votes, which ffsplit refuses: give the
      // normalised value explicitly, as a Quorate host would write its corosync.conf.
      const lab = newLab(c.n, [], {
        qdevice: { algorithm: c.algorithm, tieBreaker: c.tieBreaker, votes: qdevice.votes },
      });
      const play = playOnLab(lab, () => createQuorumState(cfg));
      const { states } = play;
      let previous: number[] | null = null;
      const transcript = createTranscript();

      for (const [k, step] of c.steps.entries()) {
        await play.step(step);
        const { parts, reach } = play.partitions();
        await play.waitPartitions(parts);
        const seen: Record<number, RealQuorum> = await lab.waitSettled(play.up());

        const winner = qdeviceVote(parts, reach, qdevice.algorithm, qdevice.tieBreaker, previous, c.n);
        if (winner !== null) previous = parts[winner] ?? null;
        parts.forEach((p, pi) => {
          const out = computePartitionQuorum(cfg, states, {
            members: p,
            deviceVotes: pi === winner ? qdevice.votes : 0,
          });
          for (const i of p) {
            states[i] = out.states[i] as QuorumState;
            transcript.record(k, i, seen[i] as RealQuorum, out.results[i] as QuorumResult);
          }
        });
      }
      expect(transcript.model).toBe(transcript.real);
    });
  }
});
