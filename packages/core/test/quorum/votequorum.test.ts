/**
 * Runs the vote-arithmetic tables in `testdata/quorum/votequorum.yaml` through `computeQuorum`
 * and `expireLastManStanding`, one `it` per case; the file's header explains the format.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseClusterConfig } from '../../src/config/index.js';
import {
  computePartitionQuorum,
  computeQuorum,
  createQuorumState,
  effectiveQuorumOptions,
  expireLastManStanding,
  type QuorumResult,
  type QuorumState,
  type QuorumView,
  reconfigureQuorumState,
} from '../../src/quorum/index.js';

interface Step {
  node?: number;
  members: number[];
  deviceVotes?: number;
  expectedOverride?: number;
  peerQuorate?: boolean;
  peerExpectedVotes?: number;
  expire?: boolean;
  restart?: boolean;
  expect: Partial<Omit<QuorumResult, 'reason'>> & { reason?: string };
}

interface Case {
  name: string;
  nodes: number | Array<{ id: number; votes: number }>;
  quorum?: Record<string, unknown>;
  steps: Step[];
}

const tablePath = fileURLToPath(new URL('../../testdata/quorum/votequorum.yaml', import.meta.url));
const cases = parse(readFileSync(tablePath, 'utf8')) as Case[];

function configOf(c: Case) {
  const nodes =
    typeof c.nodes === 'number'
      ? Array.from({ length: c.nodes }, (_, i) => ({ name: `node${i + 1}`, id: i + 1 }))
      : c.nodes.map((n) => ({ name: `node${n.id}`, id: n.id, votes: n.votes }));
  return parseClusterConfig({ name: 'table', nodes, ...(c.quorum ? { quorum: c.quorum } : {}) });
}

describe('votequorum tables', () => {
  it('has cases to run', () => {
    expect(cases.length).toBeGreaterThan(20);
  });

  for (const c of cases) {
    it(c.name, () => {
      const cfg = configOf(c);
      const states = new Map<number, QuorumState>();
      c.steps.forEach((step, i) => {
        const node = step.node ?? Math.min(...step.members);
        if (step.restart === true) states.delete(node);
        const state = states.get(node) ?? createQuorumState(cfg);
        const view: QuorumView = { members: step.members, deviceVotes: step.deviceVotes ?? 0 };
        if (step.expectedOverride !== undefined) view.expectedOverride = step.expectedOverride;
        if (step.peerQuorate !== undefined) view.peerQuorate = step.peerQuorate;
        if (step.peerExpectedVotes !== undefined) view.peerExpectedVotes = step.peerExpectedVotes;
        const out =
          step.expire === true ? expireLastManStanding(cfg, state, view) : computeQuorum(cfg, state, view);
        states.set(node, out.state);
        const { reason, ...fields } = step.expect;
        const actual: Record<string, unknown> = {};
        for (const k of Object.keys(fields)) actual[k] = out.result[k as keyof QuorumResult];
        expect(actual, `step ${i + 1} (node ${node}): ${out.result.reason}`).toEqual(fields);
        if (reason !== undefined) expect(out.result.reason, `step ${i + 1}`).toContain(reason);
        // The state must survive a JSON round trip unchanged (it lives in machine contexts).
        expect(JSON.parse(JSON.stringify(out.state))).toEqual(out.state);
      });
    });
  }
});

describe('computeQuorum', () => {
  const cfg = parseClusterConfig({ name: 'c', nodes: [1, 2, 3].map((id) => ({ name: `node${id}`, id })) });

  it('does not change the state it is given', () => {
    const state = createQuorumState(cfg);
    const copy = structuredClone(state);
    computeQuorum(cfg, state, { members: [1, 2, 3], deviceVotes: 0 });
    expect(state).toEqual(copy);
  });

  it('counts members that are not in the configuration as zero votes', () => {
    const { result } = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 9], deviceVotes: 0 });
    expect(result).toMatchObject({ votes: 1, expected: 3, quorum: 2, quorate: false });
  });

  it('ignores duplicate and unordered member ids', () => {
    const a = computeQuorum(cfg, createQuorumState(cfg), { members: [3, 1, 1], deviceVotes: 0 });
    const b = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 3], deviceVotes: 0 });
    expect(a).toEqual(b);
    expect(a.state.members).toEqual([1, 3]);
  });
});

describe('effectiveQuorumOptions', () => {
  const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `node${i + 1}`, id: i + 1 }));

  it('switches the tie-breaker off in an odd-voted cluster without wait-for-all, with a reason', () => {
    const eff = effectiveQuorumOptions(
      parseClusterConfig({ name: 'c', nodes: nodes(3), quorum: { autoTieBreaker: true } }),
    );
    expect(eff.autoTieBreaker).toBe(false);
    expect(eff.notes.join(' ')).toContain('odd');
  });

  it('keeps the tie-breaker in an odd-voted cluster with wait-for-all', () => {
    const eff = effectiveQuorumOptions(
      parseClusterConfig({ name: 'c', nodes: nodes(3), quorum: { autoTieBreaker: true, waitForAll: true } }),
    );
    expect(eff.autoTieBreaker).toBe('lowest');
  });

  it('lets the tie-breaker win over two_node as corosync does', () => {
    const eff = effectiveQuorumOptions(
      parseClusterConfig({ name: 'c', nodes: nodes(2), quorum: { twoNode: true, autoTieBreaker: 'lowest' } }),
    );
    expect(eff).toMatchObject({ twoNode: false, autoTieBreaker: 'lowest', waitForAll: true });
  });
});

describe('computePartitionQuorum', () => {
  const cfg = parseClusterConfig({
    name: 'c',
    nodes: [1, 2, 3].map((id) => ({ name: `node${id}`, id })),
    quorum: { waitForAll: true },
  });

  it('lets a rebooted node join a quorate partition without waiting for every vote', () => {
    // node1 and node2 saw all three nodes, then node3 died; node2 reboots and rejoins node1.
    let s1 = createQuorumState(cfg);
    s1 = computeQuorum(cfg, s1, { members: [1, 2, 3], deviceVotes: 0 }).state;
    s1 = computeQuorum(cfg, s1, { members: [1], deviceVotes: 0 }).state;
    const alone = computeQuorum(cfg, s1, { members: [1, 2], deviceVotes: 0 });
    // node1 alone lost quorum, so its wait-for-all was re-armed: it waits like the fresh node2.
    expect(alone.result.quorate).toBe(false);

    let q1 = createQuorumState(cfg);
    q1 = computeQuorum(cfg, q1, { members: [1, 2, 3], deviceVotes: 0 }).state;
    q1 = computeQuorum(cfg, q1, { members: [1, 3], deviceVotes: 0 }).state;
    const out = computePartitionQuorum(
      cfg,
      { 1: q1, 2: createQuorumState(cfg) },
      { members: [1, 2, 3], deviceVotes: 0 },
    );
    expect(out.results[1]?.quorate).toBe(true);
    expect(out.results[2]?.quorate).toBe(true);

    const partial = computePartitionQuorum(
      cfg,
      { 1: q1, 2: createQuorumState(cfg) },
      { members: [1, 2], deviceVotes: 0 },
    );
    expect(partial.results[1]).toMatchObject({ votes: 2, quorum: 2, quorate: true });
    expect(partial.results[2]).toMatchObject({ votes: 2, quorum: 2, quorate: true });
    expect(partial.results[2]?.reason).toContain('cleared by a quorate member');
  });

  it('keeps every node waiting when no member is quorate', () => {
    const out = computePartitionQuorum(
      cfg,
      { 1: createQuorumState(cfg), 2: createQuorumState(cfg) },
      { members: [1, 2], deviceVotes: 0 },
    );
    expect(out.results[1]?.quorate).toBe(false);
    expect(out.results[2]?.quorate).toBe(false);
  });

  it('gives each node its own device votes when asked', () => {
    const qcfg = parseClusterConfig({
      name: 'c',
      nodes: [1, 2, 3].map((id) => ({ name: `node${id}`, id })),
      quorum: { qdisk: { votes: 2 } },
    });
    const out = computePartitionQuorum(qcfg, {}, { members: [1, 2], deviceVotes: 2 }, { 2: 0 });
    expect(out.results[1]).toMatchObject({ votes: 4, expected: 5, quorum: 3, quorate: true });
    expect(out.results[2]).toMatchObject({ votes: 2, expected: 5, quorum: 3, quorate: false });
  });
});

describe('reconfigureQuorumState (configuration reload)', () => {
  const base = parseClusterConfig({
    name: 'c',
    configVersion: 1,
    nodes: [
      { name: 'n1', id: 1 },
      { name: 'n2', id: 2 },
      { name: 'n3', id: 3 },
    ],
  });
  const raised = { ...base, configVersion: 2, quorum: { ...base.quorum, expectedVotes: 5 } };
  it('applies a changed expected_votes up, and back down, at the next evaluation', () => {
    let s = computeQuorum(base, createQuorumState(base), { members: [1, 2, 3], deviceVotes: 0 }).state;
    s = reconfigureQuorumState(base, raised, s);
    const up = computeQuorum(raised, s, { members: [1, 2, 3], deviceVotes: 0 });
    expect(up.result).toMatchObject({ expected: 5, quorum: 3, quorate: true });
    const lost = computeQuorum(raised, up.state, { members: [1, 2], deviceVotes: 0 });
    expect(lost.result).toMatchObject({ expected: 5, quorum: 3, quorate: false });
    const down = computeQuorum(base, reconfigureQuorumState(raised, base, lost.state), {
      members: [1, 2],
      deviceVotes: 0,
    });
    expect(down.result).toMatchObject({ expected: 3, quorum: 2, quorate: true });
  });
  it('keeps the state when expected votes did not change', () => {
    const s = computeQuorum(base, createQuorumState(base), { members: [1, 2, 3], deviceVotes: 0 }).state;
    expect(reconfigureQuorumState(base, { ...base, configVersion: 2 }, s)).toBe(s);
  });
});
