/** cman qdiskd rules: liveness by `tko` missed intervals, master election, who gets the votes. */
import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import type { SlotState } from '../../src/ports.js';
import {
  computeQuorum,
  createQuorumState,
  electQdiskMaster,
  observeQdiskSlots,
  qdiskLiveNodes,
  qdiskVotes,
} from '../../src/quorum/index.js';

const slot = (nodeId: number, timestampMs: number, state: SlotState['state'] = 'running'): SlotState => ({
  nodeId,
  timestampMs,
  incarnation: 1,
  state,
  score: 1,
  masterId: 0,
  seq: 1,
});

const disk = { intervalMs: 1000, tko: 10 };

describe('qdiskLiveNodes', () => {
  it.each([
    { what: 'wrote half an interval ago', ts: 19_500, live: true },
    { what: 'last wrote just under tko intervals ago', ts: 10_001, live: true },
    { what: 'last wrote exactly tko intervals ago', ts: 10_000, live: true },
    { what: 'last wrote just over tko intervals ago', ts: 9_999, live: false },
    { what: 'missed more than tko intervals', ts: 2_000, live: false },
    { what: 'has a timestamp ahead of the reader (clock skew)', ts: 20_400, live: true },
  ])('a node that $what is live=$live at 20s (interval 1s, tko 10)', ({ ts, live }) => {
    expect(qdiskLiveNodes([slot(1, ts)], 20_000, disk)).toEqual(live ? [1] : []);
  });

  it('skips empty slots and counts evicted or uninitialised slots as dead', () => {
    const slots = [
      slot(3, 19_000),
      null,
      slot(1, 19_000),
      slot(2, 19_000, 'evicted'),
      slot(4, 19_000, 'none'),
      undefined,
    ];
    expect(qdiskLiveNodes(slots, 20_000, disk)).toEqual([1, 3]);
  });

  it('scales with the interval: tko 3 at 2s intervals is 6s', () => {
    const d = { intervalMs: 2000, tko: 3 };
    expect(qdiskLiveNodes([slot(1, 4_000), slot(2, 3_999)], 10_000, d)).toEqual([1]);
  });
});

describe('electQdiskMaster', () => {
  it.each([
    { prev: null, live: [2, 3], master: 2, why: 'the lowest live node becomes the first master' },
    { prev: 3, live: [1, 2, 3], master: 1, why: 'a lower node alive again takes the mastership' },
    { prev: 3, live: [3, 4], master: 3, why: 'a live master stays while no lower node is live' },
    { prev: 3, live: [1, 2], master: null, why: 'a dead master leaves the mastership vacant for a round' },
    { prev: null, live: [1, 2], master: 1, why: 'the next round elects the lowest live node' },
    { prev: 1, live: [], master: null, why: 'nobody is master when nobody is live' },
    { prev: 0, live: [4, 2], master: 2, why: 'master id 0 means none' },
  ])('$why', ({ prev, live, master }) => {
    expect(electQdiskMaster(prev, live)).toBe(master);
  });
});

describe('qdiskVotes', () => {
  const q = { votes: 3 };
  it.each([
    {
      members: [1, 2],
      master: 1,
      live: [1, 2, 3],
      self: undefined,
      votes: 3,
      why: 'the partition holding the live master gets all votes',
    },
    {
      members: [3],
      master: 1,
      live: [1, 2, 3],
      self: undefined,
      votes: 0,
      why: 'a partition without the master gets none',
    },
    {
      members: [1, 2],
      master: 1,
      live: [2, 3],
      self: undefined,
      votes: 0,
      why: 'a master dead to the disk grants nothing',
    },
    { members: [1, 2], master: null, live: [1, 2], self: undefined, votes: 0, why: 'no master, no votes' },
    {
      members: [1, 2],
      master: 1,
      live: [1],
      self: 2,
      votes: 0,
      why: 'a node that lost its own disk path counts none',
    },
    {
      members: [1, 2],
      master: 1,
      live: [1, 2],
      self: 2,
      votes: 3,
      why: 'a live node in the master partition counts them',
    },
  ])('$why', ({ members, master, live, self, votes }) => {
    const query =
      self === undefined
        ? { members, masterId: master, liveIds: live }
        : { members, masterId: master, liveIds: live, selfId: self };
    expect(qdiskVotes(q, query)).toBe(votes);
  });

  it('gives nothing without a configured quorum disk', () => {
    expect(qdiskVotes(undefined, { members: [1], masterId: 1, liveIds: [1] })).toBe(0);
  });
});

describe('quorum disk over time (seed 001: two nodes, qdisk 1 vote, expected 3)', () => {
  const cfg = parseClusterConfig({
    name: 'pve-ha',
    nodes: [
      { name: 'node1', id: 1 },
      { name: 'node2', id: 2 },
    ],
    quorum: { expectedVotes: 3, qdisk: { votes: 1, interval: '1s', tko: 10, label: 'pve_quorum' } },
  });
  const qdisk = cfg.quorum.qdisk;
  if (qdisk === undefined) throw new Error('the config must have a qdisk');

  it('moves the master to node2 once node1 has missed tko writes, and node2 stays quorate', () => {
    // Both nodes write every interval until node1 loses its cable at t=10s, before that
    // interval's write: its last write is at 9s, and it cannot reach the disk from 10s.
    const lastWrite = (id: number, t: number) => (id === 1 ? Math.min(t, 9_000) : t);
    let master: number | null = null;
    let s2 = createQuorumState(cfg);
    const timeline: string[] = [];
    for (let t = 1_000; t <= 25_000; t += qdisk.intervalMs) {
      const live = qdiskLiveNodes([slot(1, lastWrite(1, t)), slot(2, lastWrite(2, t))], t, qdisk);
      const next = electQdiskMaster(master, live);
      if (next !== master) timeline.push(`${t / 1000}s master ${next}`);
      master = next;
      // node2 is cut from node1 at 10s (membership change at 10s for the arithmetic's sake).
      const members = t < 10_000 ? [1, 2] : [2];
      const deviceVotes = qdiskVotes(qdisk, { members, masterId: master, liveIds: live, selfId: 2 });
      const out = computeQuorum(cfg, s2, { members, deviceVotes });
      s2 = out.state;
      if (t === 15_000)
        expect(out.result).toMatchObject({ votes: 1, expected: 3, quorum: 2, quorate: false });
      if (t === 25_000) expect(out.result).toMatchObject({ votes: 2, expected: 3, quorum: 2, quorate: true });
    }
    // node1 could not reach the disk from 10s: dead to it 10 intervals later, at 20s (no master in
    // that round); node2 takes over at the next interval.
    expect(timeline).toEqual(['1s master 1', '20s master null', '21s master 2']);
  });
});

describe("observeQdiskSlots (liveness by the reader's own clock)", () => {
  const write = (nodeId: number, seq: number, timestampMs: number, incarnation = 1): SlotState => ({
    ...slot(nodeId, timestampMs),
    seq,
    incarnation,
  });

  it('counts a node only once its slot changes, then until it has not changed for tko intervals', () => {
    let obs = {};
    const liveAt: string[] = [];
    // node1 writes every second until 5s; node2's slot is stale from the start.
    for (let t = 0; t <= 17_000; t += 1000) {
      const seq1 = Math.min(t, 5000) / 1000;
      const r = observeQdiskSlots(obs, [write(1, seq1, 0), write(2, 7, 0)], t, disk);
      obs = r.observation;
      liveAt.push(`${t / 1000}:${r.liveIds.join('+')}`);
    }
    // Changed last at 5s: alive while t - 5s <= 10s, dead at 16s.
    expect(liveAt).toEqual([
      '0:',
      '1:1',
      '2:1',
      '3:1',
      '4:1',
      '5:1',
      '6:1',
      '7:1',
      '8:1',
      '9:1',
      '10:1',
      '11:1',
      '12:1',
      '13:1',
      '14:1',
      '15:1',
      '16:',
      '17:',
    ]);
    expect(JSON.parse(JSON.stringify(obs))).toEqual(obs);
  });

  it("ignores the writers' timestamps, so a skewed clock changes nothing", () => {
    const first = observeQdiskSlots({}, [write(1, 1, 999_999_999)], 0, disk);
    const second = observeQdiskSlots(first.observation, [write(1, 1, 999_999_999)], 30_000, disk);
    expect(second.liveIds).toEqual([]);
    const restarted = observeQdiskSlots(second.observation, [write(1, 1, -5, 2)], 31_000, disk);
    expect(restarted.liveIds).toEqual([1]);
  });

  it('treats evicted and uninitialised slots as dead even when they change', () => {
    const a = observeQdiskSlots({}, [write(1, 1, 0), { ...write(2, 1, 0), state: 'evicted' }], 0, disk);
    const b = observeQdiskSlots(
      a.observation,
      [write(1, 2, 0), { ...write(2, 2, 0), state: 'evicted' }],
      1000,
      disk,
    );
    expect(b.liveIds).toEqual([1]);
  });
});
