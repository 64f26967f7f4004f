/**
 * An invalid cluster document lists every bad field in one run: the fields zod cannot read AND
 * the cross-field rules (duplicates, undefined references) of the fields it can, each with its
 * path, and nothing about a field that already has its own issue (issue G5 of
 * scenario-findings-2: the cross-field issues used to appear only once the others were fixed).
 */
import { describe, expect, it } from 'vitest';
import { type ConfigError, safeParseClusterConfig } from '../../src/index.js';

function issuesOf(input: unknown): ConfigError['issues'] {
  const r = safeParseClusterConfig(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.error.issues;
}

const at = (path: ReadonlyArray<string | number>) => JSON.stringify(path);

/** [case, document, every issue expected: [path, a piece of its message]] */
const cases: Array<[string, unknown, Array<[Array<string | number>, string]>]> = [
  [
    'the staged-errors cluster: unknown key and bad duration, plus a duplicate id and an undefined resource',
    {
      name: 'staged',
      nodes: [
        { name: 'node1', id: 1, vote: 1 },
        { name: 'node2', id: 1 },
      ],
      options: { tokenTimeout: '3 sec' },
      resources: [{ id: 'r1' }],
      constraints: [{ kind: 'location', resource: 'r9', node: 'node1', score: 5 }],
    },
    [
      [['nodes', 0], 'Unrecognized key: "vote"'],
      [['options', 'tokenTimeout'], "got '3 sec'"],
      [['nodes', 1, 'id'], 'node id 1 is used twice'],
      [['constraints', 0, 'resource'], "resource 'r9' is not defined"],
    ],
  ],
  [
    'field errors everywhere and cross-field errors in every section',
    {
      name: 'many',
      nodes: [{ name: 'node1', id: 1, vote: 1 }, { name: 'node2', id: 1 }, { name: 'all' }, 'node4'],
      quorum: { autoTieBreaker: [7], waitForAll: 'yes' },
      options: { tokenTimeout: '3 sec' },
      fencing: {
        devices: [{ name: 'pdu', agent: 'sim', hosts: ['node1', 'node9'], delay: 'later' }],
        topology: { node2: [['pdu-x']] },
      },
      resources: [{ id: 'r1' }, { id: 'r1', priority: 'high' }],
      constraints: [
        { resource: 'r9', node: 'node1', score: 5 },
        // node4 is only written wrong (a string, not a mapping): no "not defined" for it.
        { resource: 'r1', node: 'node4', score: 'lots' },
        { resource: 'r1', node: 'node5', score: 1 },
      ],
    },
    [
      [['nodes', 0], 'Unrecognized key: "vote"'],
      [['nodes', 3], 'expected object'],
      [['quorum', 'waitForAll'], 'expected boolean'],
      [['options', 'tokenTimeout'], "got '3 sec'"],
      [['fencing', 'devices', 0, 'delay'], "got 'later'"],
      [['resources', 1, 'priority'], 'expected number'],
      [['constraints', 1, 'score'], "got 'lots'"],
      [['nodes', 1, 'id'], 'node id 1 is used twice'],
      [['nodes', 2, 'name'], "node name 'all' is reserved"],
      [['quorum', 'autoTieBreaker', 0], 'node id 7 is not defined'],
      [['fencing', 'devices', 0, 'hosts', 1], "node 'node9' is not defined"],
      [['fencing', 'topology', 'node2', 0, 0], "device 'pdu-x' is not defined"],
      [['resources', 1, 'id'], "resource id 'r1' is used twice"],
      [['constraints', 0, 'resource'], "resource 'r9' is not defined"],
      [['constraints', 2, 'node'], "node 'node5' is not defined"],
    ],
  ],
  [
    'a list item that cannot be read is left out; the paths of the items after it stay right',
    {
      nodes: [{ name: 'node1' }, { id: 2 }, { name: 'node3' }, { name: 'node3' }],
      resources: [{ id: 'r1' }, { agent: 'sim' }, { id: 'r3' }],
      constraints: [
        { resource: 'r1', score: 1 },
        { resource: 'r4', node: 'node1', score: 1 },
      ],
    },
    [
      [['nodes', 1, 'name'], 'expected the node name as a string'],
      [['resources', 1, 'id'], 'expected the resource id as a string'],
      [['constraints', 0], "exactly one of 'node' and 'rule'"],
      [['nodes', 3, 'name'], "node name 'node3' is used twice"],
      [['constraints', 1, 'resource'], "resource 'r4' is not defined"],
    ],
  ],
  [
    'a cross-field rule about a field with its own error is not reported twice',
    {
      nodes: [{ name: 'node1', id: 'one' }, { name: 'node2' }],
      fencing: { devices: [{ name: 'pdu', agent: 'sim', hosts: ['node1', 42] }], topology: { node1: [[]] } },
    },
    [
      [['nodes', 0, 'id'], 'expected number'],
      [['fencing', 'devices', 0, 'hosts', 1], 'expected string'],
      [['fencing', 'topology', 'node1', 0], 'a fence level needs at least one device'],
    ],
  ],
];

describe('every bad field of a cluster document in one run (G5)', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => at(i.path)).sort()).toEqual(expected.map(([p]) => at(p)).sort());
    for (const [path, message] of expected) {
      const found = issues.find((i) => at(i.path) === at(path));
      expect(found?.message, at(path)).toContain(message);
    }
  });

  it('prints the field errors first, as before, then the cross-field ones', () => {
    const r = safeParseClusterConfig(cases[0]?.[1]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.message).toBe(
      [
        '✖ Unrecognized key: "vote"',
        '  → at nodes[0]',
        "✖ expected a duration such as '250ms', '5s', '2m', '1h' or a number of milliseconds, got '3 sec'",
        '  → at options.tokenTimeout',
        '✖ node id 1 is used twice',
        '  → at nodes[1].id',
        "✖ resource 'r9' is not defined",
        '  → at constraints[0].resource',
      ].join('\n'),
    );
  });

  it.each([
    ['only field errors', { nodes: [{ name: 'node1', vote: 1 }] }, [['nodes', 0]]],
    [
      'only cross-field errors',
      {
        nodes: [
          { name: 'node1', id: 1 },
          { name: 'node2', id: 1 },
        ],
      },
      [['nodes', 1, 'id']],
    ],
  ])('%s: the same single issue as before', (_name, input, paths) => {
    expect(issuesOf(input).map((i) => at(i.path))).toEqual(paths.map(at));
  });

  it.each(
    [
      null,
      'nodes',
      [],
      { nodes: 'node1' },
      { nodes: [null, 3, []] },
      { nodes: [{ name: 'a' }], constraints: 'x', resources: [[]] },
      { nodes: [{ name: 'a' }], fencing: { topology: { a: 'pdu' }, devices: [{ hosts: 'a' }] } },
      { nodes: [{ name: 'a' }], quorum: { autoTieBreaker: [1, 'x'] }, options: [] },
    ].map((x) => [x]),
  )('odd input %j is refused with issues, never a throw', (input) => {
    expect(issuesOf(input).length).toBeGreaterThan(0);
  });
});
