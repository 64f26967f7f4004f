/**
 * Differential test of the qdevice rules against the real peers: corosync 3 with
 * corosync-qdevice on every node and a corosync-qnetd arbiter (TLS off) in network namespaces.
 * The model side is `qdeviceVote` (which partition gets the vote) + `computePartitionQuorum`.
 * Opt-in (root, about two minutes): `QUORATE_IT_COROSYNC=1`; needs the corosync-qdevice and
 * corosync-qnetd packages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import {
  computePartitionQuorum,
  createQuorumState,
  type QuorumResult,
  type QuorumState,
  qdeviceVote,
} from '../../src/quorum/index.js';
import {
  type CorosyncLab,
  corosyncLabUnavailable,
  createCorosyncLab,
  type RealQuorum,
} from './corosync-lab.js';

const unavailable = corosyncLabUnavailable(true);
if (unavailable !== null) console.warn(`corosync qdevice differential test skipped: ${unavailable}`);

type Step =
  | { start: number[] }
  | { stop: number[] }
  | { partition: number[][]; reach?: boolean[] }
  | { heal: true };

interface Case {
  name: string;
  n: number;
  algorithm: 'ffsplit' | 'lms';
  tieBreaker: 'lowest' | 'highest' | number;
  steps: Step[];
}

const cases: Case[] = [
  {
    name: 'ffsplit gives a 2/2 split to the half with the lowest node',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    steps: [
      { start: [1, 2, 3, 4] },
      {
        partition: [
          [1, 2],
          [3, 4],
        ],
      },
      { heal: true },
    ],
  },
  {
    name: 'ffsplit gives a 2/2 split to the half holding the tie-breaker node id',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 3,
    steps: [
      { start: [1, 2, 3, 4] },
      {
        partition: [
          [1, 2],
          [3, 4],
        ],
      },
    ],
  },
  {
    name: 'ffsplit gives the vote to the half that reaches the arbiter, and keeps it there',
    n: 4,
    algorithm: 'ffsplit',
    tieBreaker: 'lowest',
    steps: [
      { start: [1, 2, 3, 4] },
      {
        partition: [
          [1, 2],
          [3, 4],
        ],
        reach: [false, true],
      },
      {
        partition: [
          [1, 2],
          [3, 4],
        ],
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

const fmt = (r: Pick<QuorumResult, 'votes' | 'expected' | 'quorum' | 'quorate'>) =>
  `${r.votes}/${r.expected} q${r.quorum} ${r.quorate ? 'quorate' : 'inquorate'}`;

let lab: CorosyncLab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

describe.skipIf(unavailable !== null)('qdevice against real corosync-qdevice and corosync-qnetd', () => {
  for (const c of cases) {
    it(c.name, { timeout: 180_000 }, async () => {
      const cfg = parseClusterConfig({
        name: 'qdiff',
        nodes: Array.from({ length: c.n }, (_, k) => ({ name: `n${k + 1}`, id: k + 1 })),
        quorum: { qdevice: { algorithm: c.algorithm, tieBreaker: c.tieBreaker } },
      });
      const qdevice = cfg.quorum.qdevice;
      if (qdevice === undefined) throw new Error('the config must have a qdevice');
      // corosync computes a default of (nodes - 1) votes, which ffsplit refuses: give the
      // normalised value explicitly, as a Quorate host would write its corosync.conf.
      lab = createCorosyncLab(c.n, [], {
        qdevice: { algorithm: c.algorithm, tieBreaker: c.tieBreaker, votes: qdevice.votes },
      });
      const running = new Set<number>();
      let groups: number[][] = [];
      let reach: boolean[] = [];
      let previous: number[] | null = null;
      const states: Record<number, QuorumState> = {};
      const real: string[] = [];
      const model: string[] = [];

      for (const [k, step] of c.steps.entries()) {
        if ('start' in step) {
          for (const i of step.start) {
            lab.start(i);
            running.add(i);
            states[i] = createQuorumState(cfg);
          }
        } else if ('stop' in step) {
          for (const i of step.stop) {
            await lab.stop(i);
            running.delete(i);
            delete states[i];
          }
        } else if ('partition' in step) {
          lab.partition(step.partition, step.reach);
          groups = step.partition;
          reach = step.reach ?? [];
        } else {
          lab.heal();
          groups = [];
          reach = [];
        }
        const up = [...running].sort((a, b) => a - b);
        const parts: number[][] = [];
        const partReach: boolean[] = [];
        if (groups.length === 0) {
          parts.push(up);
          partReach.push(true);
        } else {
          groups.forEach((g, gi) => {
            const p = g.filter((i) => running.has(i));
            if (p.length === 0) return;
            parts.push(p);
            partReach.push(reach[gi] !== false);
          });
        }
        const want: Record<number, number[]> = {};
        for (const p of parts) for (const i of p) want[i] = p;
        await lab.waitMembers(want);
        const seen: Record<number, RealQuorum> = await lab.waitSettled(up);

        const winner = qdeviceVote(parts, partReach, qdevice.algorithm, qdevice.tieBreaker, previous, c.n);
        if (winner !== null) previous = parts[winner] ?? null;
        parts.forEach((p, pi) => {
          const out = computePartitionQuorum(cfg, states, {
            members: p,
            deviceVotes: pi === winner ? qdevice.votes : 0,
          });
          for (const i of p) {
            states[i] = out.states[i] as QuorumState;
            real.push(`step ${k + 1} node ${i}: ${fmt(seen[i] as RealQuorum)}`);
            model.push(`step ${k + 1} node ${i}: ${fmt(out.results[i] as QuorumResult)}`);
          }
        });
      }
      expect(model.join('\n')).toBe(real.join('\n'));
    });
  }
});
