/**
 * Differential test against the real peer: the same membership history is played on a real
 * corosync 3 cluster (network namespaces, `corosync-quorumtool -s` on every running node) and on
 * `computePartitionQuorum`, and the votes / expected / quorum / quorate transcripts must match.
 * Opt-in (it needs root and takes about a minute): `QUORATE_IT_COROSYNC=1`.
 */
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import {
  computePartitionQuorum,
  createQuorumState,
  expireLastManStanding,
  type QuorumResult,
  type QuorumState,
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

const unavailable = corosyncLabUnavailable();
if (unavailable !== null) console.warn(`corosync differential test skipped: ${unavailable}`);

type Step =
  | LabStep
  | { setExpected: { node: number; votes: number; refused?: boolean } }
  | { lmsWindow: true };

interface Case {
  name: string;
  n: number;
  votes?: number[];
  corosync: string[];
  quorum: Record<string, unknown>;
  lmsWindowMs?: number;
  steps: Step[];
}

const cases: Case[] = [
  {
    name: 'four nodes: a 2/2 split leaves nobody quorate',
    n: 4,
    corosync: [],
    quorum: {},
    steps: [{ start: [1, 2, 3, 4] }, { partition: SPLIT_2_2 }, { heal: true }],
  },
  {
    name: 'four nodes with auto_tie_breaker lowest',
    n: 4,
    corosync: ['auto_tie_breaker: 1'],
    quorum: { autoTieBreaker: 'lowest' },
    steps: [
      { start: [1, 2, 3, 4] },
      { partition: SPLIT_2_2 },
      { heal: true },
      { partition: [[1], [2, 3, 4]] },
    ],
  },
  {
    name: 'four nodes with an auto_tie_breaker_node list',
    n: 4,
    corosync: ['auto_tie_breaker: 1', 'auto_tie_breaker_node: 3 1'],
    quorum: { autoTieBreaker: [3, 1] },
    steps: [
      { start: [1, 2, 3, 4] },
      { partition: SPLIT_2_2 },
      { heal: true },
      { stop: [3] },
      { partition: [[1, 2], [4]] },
    ],
  },
  {
    name: 'three nodes with wait_for_all, re-armed after quorum loss',
    n: 3,
    corosync: ['wait_for_all: 1'],
    quorum: { waitForAll: true },
    steps: [{ start: [1, 2] }, { start: [3] }, { stop: [3] }, { stop: [2] }, { start: [2] }, { start: [3] }],
  },
  {
    name: 'a node restarted into a quorate partition does not wait for all votes',
    n: 5,
    corosync: ['wait_for_all: 1'],
    quorum: { waitForAll: true },
    steps: [{ start: [1, 2, 3, 4, 5] }, { stop: [5] }, { stop: [2] }, { start: [2] }],
  },
  {
    name: 'two_node',
    n: 2,
    corosync: ['two_node: 1'],
    quorum: { twoNode: true },
    steps: [{ start: [1] }, { start: [2] }, { partition: [[1], [2]] }, { heal: true }],
  },
  {
    name: 'last_man_standing steps down one window at a time',
    n: 4,
    corosync: ['last_man_standing: 1', 'last_man_standing_window: 2000'],
    quorum: { lastManStanding: true, lastManStandingWindow: '2s' },
    lmsWindowMs: 2000,
    steps: [
      { start: [1, 2, 3, 4] },
      { stop: [4] },
      { lmsWindow: true },
      { stop: [3] },
      { lmsWindow: true },
      { stop: [2] },
    ],
  },
  {
    name: 'weighted votes',
    n: 3,
    votes: [3, 1, 1],
    corosync: [],
    quorum: {},
    steps: [{ start: [1, 2, 3] }, { partition: [[1], [2, 3]] }, { heal: true }],
  },
  {
    name: 'expected votes set at runtime',
    n: 3,
    corosync: [],
    quorum: {},
    steps: [{ start: [1, 2, 3] }, { stop: [2, 3] }, { setExpected: { node: 1, votes: 1 } }, { start: [2] }],
  },
  {
    name: 'expected_votes below the votes present is raised, and a lower -e is refused',
    n: 3,
    corosync: ['expected_votes: 2'],
    quorum: { expectedVotes: 2 },
    steps: [
      { start: [1] },
      { start: [2, 3] },
      { setExpected: { node: 1, votes: 2, refused: true } },
      { stop: [3] },
      { stop: [2] },
    ],
  },
];

const newLab = corosyncLabPerTest();

describe.skipIf(unavailable !== null)('votequorum against real corosync 3', () => {
  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, async () => {
      const cfg = parseClusterConfig({ name: 'diff', nodes: labNodes(c.n, c.votes), quorum: c.quorum });
      const lab = newLab(c.n, c.corosync, c.votes === undefined ? {} : { votes: c.votes });
      const play = playOnLab(lab, () => createQuorumState(cfg));
      const { states } = play;
      let override: number | undefined;
      const transcript = createTranscript();

      for (const [k, step] of c.steps.entries()) {
        let lmsExpire = false;
        if ('setExpected' in step) {
          const status = lab.setExpected(step.setExpected.node, step.setExpected.votes);
          if (step.setExpected.refused === true) expect(status).not.toBe(0);
          else expect(status).toBe(0);
          override = step.setExpected.votes;
        } else if ('lmsWindow' in step) {
          await new Promise((r) => setTimeout(r, (c.lmsWindowMs ?? 0) + 1500));
          lmsExpire = true;
        } else await play.step(step);
        const { parts } = play.partitions();
        const seen = await play.waitPartitions(parts);

        for (const p of parts) {
          const view = {
            members: p,
            deviceVotes: 0,
            ...(override === undefined ? {} : { expectedOverride: override }),
          };
          const out = computePartitionQuorum(cfg, states, view);
          for (const i of p) {
            let st = out.states[i] as QuorumState;
            let res = out.results[i] as QuorumResult;
            if (lmsExpire && (states[i]?.lmsPending === true || st.lmsPending)) {
              const e = expireLastManStanding(cfg, st, view);
              st = e.state;
              res = e.result;
            }
            states[i] = st;
            transcript.record(k, i, seen[i] as RealQuorum, res);
          }
        }
      }
      expect(transcript.model).toBe(transcript.real);
    });
  }
});
