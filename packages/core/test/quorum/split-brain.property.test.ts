/**
 * Safety property of the vote arithmetic: after every node has seen the whole cluster quorate,
 * a network split into two sides never leaves both sides quorate, whatever the node votes,
 * wait-for-all, auto tie-breaker or quorum disk. (two_node is excluded on purpose: it makes both
 * halves quorate and leaves the decision to fencing; so is an expectedVotes below the total,
 * which PEERS.md §3.1 calls dangerous for exactly this reason.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import { computeQuorum, createQuorumState, qdeviceVote } from '../../src/quorum/index.js';

const clusterArb = fc
  .record({
    votes: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
    waitForAll: fc.boolean(),
    atb: fc.constantFrom<false | 'lowest' | 'highest' | 'list'>(false, 'lowest', 'highest', 'list'),
    qdiskVotes: fc.integer({ min: 0, max: 3 }),
    extraExpected: fc.integer({ min: 0, max: 2 }),
    split: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    diskSide: fc.constantFrom<0 | 1 | null>(0, 1, null),
    listOrder: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 8, maxLength: 8 }),
  })
  .filter((c) => c.votes.some((v) => v > 0));

describe('vote arithmetic under a network split', () => {
  it('never makes both sides quorate', () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const ids = c.votes.map((_, i) => i + 1);
        const total = c.votes.reduce((a, b) => a + b, 0) + c.qdiskVotes;
        const list = [...ids].sort((a, b) => (c.listOrder[a - 1] ?? 0) - (c.listOrder[b - 1] ?? 0));
        const cfg = parseClusterConfig({
          name: 'p',
          nodes: ids.map((id, i) => ({ name: `n${id}`, id, votes: c.votes[i] })),
          quorum: {
            waitForAll: c.waitForAll,
            autoTieBreaker: c.atb === 'list' ? list : c.atb,
            expectedVotes: total + c.extraExpected,
            ...(c.qdiskVotes > 0 ? { qdisk: { votes: c.qdiskVotes } } : {}),
          },
        });
        const sides = [
          ids.filter((id) => c.split[id - 1] === true),
          ids.filter((id) => c.split[id - 1] !== true),
        ];
        const quorateSides = sides.map((members, side) => {
          if (members.length === 0) return false;
          const deviceVotes = c.qdiskVotes > 0 && c.diskSide === side ? c.qdiskVotes : 0;
          // Every node of the side has seen the whole cluster (with the disk) first, so all of
          // them hold the same state and compute the same result.
          let s = createQuorumState(cfg);
          s = computeQuorum(cfg, s, { members: ids, deviceVotes: c.qdiskVotes }).state;
          return computeQuorum(cfg, s, { members, deviceVotes }).result.quorate;
        });
        expect(quorateSides).not.toEqual([true, true]);
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });

  it('gives a qdevice vote to at most one reachable partition, and never to an unreachable one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.constantFrom('ffsplit' as const, 'lms' as const),
        fc.constantFrom<'lowest' | 'highest' | number>('lowest', 'highest', 1, 5),
        (groupOf, reachable, algorithm, tieBreaker) => {
          const partitions: number[][] = [[], [], [], []];
          for (const [i, g] of groupOf.entries()) partitions[g]?.push(i + 1);
          const winner = qdeviceVote(partitions, reachable, algorithm, tieBreaker);
          if (winner !== null) {
            expect(reachable[winner]).toBe(true);
            expect(partitions[winner]?.length).toBeGreaterThan(0);
            if (algorithm === 'ffsplit')
              expect((partitions[winner]?.length ?? 0) * 2).toBeGreaterThanOrEqual(groupOf.length);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
