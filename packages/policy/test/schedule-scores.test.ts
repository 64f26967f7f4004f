/**
 * `Transition.scores` and `Transition.reasons` are built on first read: every way of reading them
 * must see the same plain records an eager build gives (values, key order, identity, JSON,
 * spreads, structured clones), and writing them must work like writing a data property.
 */
import { describe, expect, it } from 'vitest';
import { type ClusterSnapshot, INFINITY, schedule, type Transition } from '../src/index.js';

function snapshot(nNodes: number, symmetric: boolean): ClusterSnapshot {
  const nodes = Array.from({ length: nNodes }, (_, i) => ({
    name: `n${i + 1}`,
    state: (i === 0 ? 'unclean' : 'online') as 'unclean' | 'online',
    attributes: { rack: `r${i % 2}` },
  }));
  return {
    nodes,
    resources: [{ id: 'b' }, { id: 'a', stickiness: 10 }, { id: '10' }, { id: '__proto__' }],
    constraints: [
      { kind: 'location', id: 'l1', resource: 'a', node: 'n2', score: 50 },
      { kind: 'location', id: 'l2', resource: 'b', node: 'n3', score: -INFINITY },
      {
        kind: 'location',
        id: 'l3',
        resource: '10',
        rules: [{ score: 7, expressions: [{ attribute: 'rack', op: 'eq', value: 'r1' }] }],
      },
    ],
    options: {
      stonithEnabled: true,
      hasFenceDevice: true,
      noQuorumPolicy: 'stop',
      symmetricCluster: symmetric,
      resourceStickiness: 0,
      maintenanceMode: false,
      stopAllResources: false,
    },
    hasQuorum: true,
    state: [
      { resource: 'a', node: 'n1', status: 'active' },
      { resource: 'b', node: 'n2', status: 'active' },
    ],
    failCounts: [],
    nowMs: 0,
  };
}

/** The scores written out by hand for `snapshot(3, true)`. */
const expected3: Array<[string, Record<string, number>]> = [
  ['10', { n1: 0, n2: 7, n3: 0 }],
  ['b', { n1: 0, n2: 0, n3: -INFINITY }],
  ['a', { n1: 10, n2: 50, n3: 0 }],
  ['__proto__', { n1: 0, n2: 0, n3: 0 }],
];

describe('schedule: Transition.scores', () => {
  it('holds each primitive’s allocation scores (symmetric, 3 nodes)', () => {
    const t = schedule(snapshot(3, true));
    expect(Object.keys(t.scores)).toEqual(['10', 'b', 'a', '__proto__']);
    expect(Object.getPrototypeOf(t.scores)).toBe(Object.prototype);
    expect(Object.entries(t.scores)).toEqual(expected3);
    expect(JSON.stringify(t.scores)).toBe(
      '{"10":{"n1":0,"n2":7,"n3":0},"b":{"n1":0,"n2":0,"n3":-1000000},"a":{"n1":10,"n2":50,"n3":0},"__proto__":{"n1":0,"n2":0,"n3":0}}',
    );
  });

  it('omits nodes without a score in an asymmetric cluster', () => {
    const t = schedule(snapshot(3, false));
    expect(t.scores.a).toEqual({ n2: 50 });
    expect(t.scores.b).toEqual({ n3: -INFINITY });
    expect(t.scores['10']).toEqual({ n2: 7 });
  });

  it.each([3, 40])('reads the same however it is read (%i nodes)', (n) => {
    const t = schedule(snapshot(n, true));
    const viaJson = JSON.parse(JSON.stringify(t)) as Transition;
    expect(Object.keys(t)).toEqual(['placements', 'actions', 'fence', 'scores', 'reasons']);
    expect(Object.keys(viaJson)).toEqual(['placements', 'actions', 'fence', 'scores', 'reasons']);
    const spread = { ...t };
    const cloned = structuredClone(t);
    expect(t.scores).toBe(t.scores);
    expect(spread.scores).toBe(t.scores);
    expect(viaJson.scores).toEqual(JSON.parse(JSON.stringify(t.scores)));
    expect(cloned.scores).toEqual(t.scores);
    expect(t.scores.a?.n2).toBe(50);
    expect(Object.getOwnPropertyDescriptor(t, 'scores')).toMatchObject({ enumerable: true, writable: true });
    expect(t).toStrictEqual(cloned);
    expect(t).toEqual(viaJson);
    // A fresh transition (nothing read yet) compares equal too.
    expect(schedule(snapshot(n, true))).toStrictEqual(cloned);
  });

  it('can be replaced like a plain property, before or after it was read', () => {
    const before = schedule(snapshot(3, true));
    before.scores = {};
    expect(before.scores).toEqual({});
    const after = schedule(snapshot(3, true));
    expect(after.scores.a?.n1).toBe(10);
    after.scores = { x: { n1: 1 } };
    expect(after.scores).toEqual({ x: { n1: 1 } });
  });

  it('gives each primitive its reason, also as the reason of its action', () => {
    const t = schedule(snapshot(3, true));
    expect(Object.entries(t.reasons)).toEqual([
      ['10', "assigned to 'n2' (score 7, 2 assigned there before)"],
      ['b', "stays on 'n2' (score 0)"],
      ['a', "assigned to 'n2' (score 50, 1 assigned there before)"],
    ]);
    const move = t.actions.find((a) => a.op === 'move');
    expect(move).toMatchObject({ resource: 'a', from: 'n1', node: 'n2', reason: t.reasons.a });
    expect(t.actions.find((a) => a.op === 'start' && a.resource === '10')?.reason).toBe(t.reasons['10']);
    const copy = structuredClone(t);
    expect(copy.reasons).toEqual(t.reasons);
    t.reasons = {};
    expect(t.reasons).toEqual({});
    expect(Object.keys(t)).toEqual(['placements', 'actions', 'fence', 'scores', 'reasons']);
  });

  it('reads the same from a transition frozen before anything was read', () => {
    const t = Object.freeze(schedule(snapshot(3, true)));
    expect(Object.entries(t.scores)).toEqual(expected3);
    expect(t.scores).toBe(t.scores);
    expect(t.reasons.b).toBe("stays on 'n2' (score 0)");
    expect(t.reasons).toBe(t.reasons);
    expect(() => {
      (t as { scores: unknown }).scores = {};
    }).toThrow(TypeError);
    expect(t.scores.a).toEqual({ n1: 10, n2: 50, n3: 0 });
  });

  it('is unaffected by later schedule runs', () => {
    const first = schedule(snapshot(3, true));
    schedule(snapshot(3, false));
    expect(first.scores.a).toEqual({ n1: 10, n2: 50, n3: 0 });
    expect(first.reasons.b).toBe("stays on 'n2' (score 0)");
  });
});
