/**
 * An invalid scenario file lists every bad field in one run (issue G5 of scenario-findings-2): the
 * fields zod cannot read, the cluster's cross-field rules, and the scenario's references (world,
 * events, expectations) to nodes, resources and devices that do not exist, each with its path, and
 * nothing about a field that already has its own issue.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type ConfigError, parseScenario, safeParseScenarioDocument } from '../../src/index.js';

function issuesOf(input: unknown): ConfigError['issues'] {
  const r = safeParseScenarioDocument(input);
  if (r.ok) throw new Error('expected the scenario to be refused');
  return r.error.issues;
}

const at = (path: ReadonlyArray<string | number>) => JSON.stringify(path);

/** The scenario of scenario-findings-2/staged-errors.yaml, written out here. */
const staged = {
  name: 'staged-errors',
  cluster: {
    nodes: [
      { name: 'node1', id: 1, vote: 1 },
      { name: 'node2', id: 1 },
    ],
    options: { tokenTimeout: '3 sec' },
    resources: [{ id: 'r1' }],
    constraints: [{ kind: 'location', resource: 'r9', node: 'node1', score: 5 }],
  },
  world: { start: { running: { r1: 'node7' } } },
  events: [{ at: '1s', crash: 'node9' }],
  expect: [{ by: '5s', fenced: 'node8' }],
};

const goodCluster = {
  nodes: [
    { name: 'node1', id: 1 },
    { name: 'node2', id: 2 },
    { name: 'node3', id: 3 },
  ],
  fencing: { devices: [{ name: 'pdu', agent: 'sim', hosts: ['node1', 'node2', 'node3'] }] },
  resources: [{ id: 'r1' }],
};

/** [case, document, every issue expected: [path, a piece of its message]] */
const cases: Array<[string, unknown, Array<[Array<string | number>, string]>]> = [
  [
    'staged-errors.yaml: two field errors and five cross-field errors',
    staged,
    [
      [['cluster', 'nodes', 0], 'Unrecognized key: "vote"'],
      [['cluster', 'options', 'tokenTimeout'], "got '3 sec'"],
      [['cluster', 'nodes', 1, 'id'], 'node id 1 is used twice'],
      [['cluster', 'constraints', 0, 'resource'], "resource 'r9' is not defined"],
      [['world', 'start', 'running', 'r1'], "node 'node7' is not defined"],
      [['events', 0, 'crash'], "node 'node9' is not defined"],
      [['expect', 0, 'fenced'], "node 'node8' is not defined"],
    ],
  ],
  [
    'bad events and expectations around good ones: the good ones are still cross-checked, at their own index',
    {
      name: 'mixed',
      cluster: goodCluster,
      world: { fenceDevices: { pdu9: { result: 'fail' } }, rings: 'two' },
      events: [
        { at: 'soon', crash: 'node1' },
        { at: '1s', explode: 'node2' },
        { at: '2s', crash: 'node9' },
        { at: '3s', resourceFail: { resource: 'r7' } },
        { at: '4s', fenceDevice: { name: 'pdu', result: 'maybe' } },
      ],
      expect: [
        { at: '5s', fenced: 'node1' },
        { by: '9s', fenced: 'node6', device: 'pdu' },
        { at: '10s', running: { r1: 'node5' } },
        { at: '11s', quorate: ['node1', 'node4'] },
      ],
      invariants: ['singleActive', 'noSplitBrain'],
    },
    [
      [['world', 'rings'], 'expected number'],
      [['events', 0, 'at'], "got 'soon'"],
      [['events', 1], 'an event needs exactly one of'],
      [['events', 4, 'fenceDevice', 'result'], 'Invalid option'],
      [['expect', 0], "'fenced' is checked with 'by: T'"],
      [['invariants', 1], 'unknown invariant "noSplitBrain"'],
      [['world', 'fenceDevices', 'pdu9'], "device 'pdu9' is not defined"],
      [['events', 2, 'crash'], "node 'node9' is not defined"],
      [['events', 3, 'resourceFail', 'resource'], "resource 'r7' is not defined"],
      [['expect', 1, 'fenced'], "node 'node6' is not defined"],
      [['expect', 2, 'running', 'r1'], "node 'node5' is not defined"],
      [['expect', 3, 'quorate', 1], "node 'node4' is not defined"],
    ],
  ],
  [
    'a cluster that fails only its cross-field rules: the scenario references are checked too',
    {
      name: 'cluster-cross-only',
      cluster: { ...goodCluster, constraints: [{ resource: 'r2', node: 'node1', score: 1 }] },
      events: [{ at: '1s', standby: { node: 'node4' } }],
    },
    [
      [['cluster', 'constraints', 0, 'resource'], "resource 'r2' is not defined"],
      [['events', 0, 'standby', 'node'], "node 'node4' is not defined"],
    ],
  ],
  [
    'a node written wrong is not reported as undefined where it is used',
    {
      name: 'bare-node',
      cluster: { nodes: [{ name: 'node1' }, 'node2'] },
      events: [
        { at: '1s', crash: 'node2' },
        { at: '2s', crash: 'node3' },
      ],
    },
    [
      [['cluster', 'nodes', 1], 'expected object'],
      [['events', 1, 'crash'], "node 'node3' is not defined"],
    ],
  ],
  [
    'a configUpdate that breaks the document, next to a field error',
    {
      name: 'update',
      cluster: goodCluster,
      events: [
        { at: '1s', configUpdate: { configVersion: 2, quorum: { twoNode: true } } },
        { at: 'later', crash: 'node1' },
      ],
    },
    [
      [['events', 1, 'at'], "got 'later'"],
      [['events', 0, 'configUpdate', 'quorum', 'twoNode'], 'twoNode needs exactly 2 nodes'],
    ],
  ],
];

describe('every bad field of a scenario file in one run (G5)', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => at(i.path)).sort()).toEqual(expected.map(([p]) => at(p)).sort());
    for (const [path, message] of expected) {
      const found = issues.find((i) => at(i.path) === at(path));
      expect(found?.message, at(path)).toContain(message);
    }
  });

  it('parseScenario prints every issue of staged-errors.yaml with its path', () => {
    let message = '';
    try {
      parseScenario(stringify(staged));
    } catch (e) {
      message = (e as Error).message;
    }
    for (const path of [
      'cluster.nodes[0]',
      'cluster.options.tokenTimeout',
      'cluster.nodes[1].id',
      'cluster.constraints[0].resource',
      'world.start.running.r1',
      'events[0].crash',
      'expect[0].fenced',
    ])
      expect(message).toContain(`  → at ${path}\n`.trimEnd());
    expect(message.match(/✖/g)?.length).toBe(7);
  });

  it.each(
    [
      null,
      [],
      { name: 'x' },
      { name: 'x', cluster: 'c', events: [{ at: '1s', crash: 'node1' }] },
      { name: 'x', cluster: { nodes: [{ name: 'a' }] }, events: 'e', expect: [null], world: [] },
      { name: 'x', cluster: { nodes: [{ name: 'a' }] }, events: [{ at: '1s', partition: [['a'], 'b'] }] },
      { name: 1, cluster: { nodes: [{ name: 'a' }] }, world: { start: { running: { r: 3 }, up: 'a' } } },
    ].map((x) => [x]),
  )('odd input %j is refused with issues, never a throw', (input) => {
    expect(issuesOf(input).length).toBeGreaterThan(0);
  });
});
