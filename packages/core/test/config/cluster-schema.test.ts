import { describe, expect, it } from 'vitest';
import {
  type ClusterConfig,
  ConfigError,
  checkConfigVersion,
  clusterConfigJsonSchema,
  mergeClusterDocument,
  parseClusterConfig,
  safeParseClusterConfig,
} from '../../src/index.js';

/** A small valid document; tests spread changes over it. */
function doc(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'c',
    configVersion: 1,
    nodes: [
      { name: 'node1', id: 1 },
      { name: 'node2', id: 2 },
      { name: 'node3', id: 3 },
    ],
    ...extra,
  };
}

function errorOf(input: unknown): ConfigError {
  const r = safeParseClusterConfig(input);
  if (r.ok) throw new Error('expected the document to be refused');
  return r.error;
}

describe('parseClusterConfig defaults (SCENARIO-FORMAT "Defaults")', () => {
  const c = parseClusterConfig({ name: 'c', nodes: [{ name: 'a', id: 1 }] });

  it.each([
    ['configVersion', (x: ClusterConfig) => x.configVersion, 0],
    ['node votes', (x: ClusterConfig) => x.nodes[0]?.votes, 1],
    ['node attributes', (x: ClusterConfig) => x.nodes[0]?.attributes, {}],
    [
      'expectedVotes (sum of votes, left to the quorum code)',
      (x: ClusterConfig) => x.quorum.expectedVotes,
      undefined,
    ],
    ['twoNode', (x: ClusterConfig) => x.quorum.twoNode, false],
    ['waitForAll', (x: ClusterConfig) => x.quorum.waitForAll, false],
    ['lastManStanding', (x: ClusterConfig) => x.quorum.lastManStanding, false],
    ['lastManStandingWindow', (x: ClusterConfig) => x.quorum.lastManStandingWindowMs, 10_000],
    ['autoTieBreaker', (x: ClusterConfig) => x.quorum.autoTieBreaker, false],
    ['qdisk', (x: ClusterConfig) => x.quorum.qdisk, undefined],
    ['noQuorumPolicy', (x: ClusterConfig) => x.options.noQuorumPolicy, 'stop'],
    ['stonithEnabled', (x: ClusterConfig) => x.options.stonithEnabled, true],
    ['symmetricCluster', (x: ClusterConfig) => x.options.symmetricCluster, true],
    ['resourceStickiness', (x: ClusterConfig) => x.options.resourceStickiness, 0],
    ['tokenTimeout', (x: ClusterConfig) => x.options.tokenTimeoutMs, 3000],
    ['stonithTimeout', (x: ClusterConfig) => x.options.stonithTimeoutMs, 60_000],
    ['fenceDelay', (x: ClusterConfig) => x.options.fenceDelayMs, 0],
    ['fenceAction', (x: ClusterConfig) => x.options.fenceAction, 'reboot'],
    ['priorityFencingDelay', (x: ClusterConfig) => x.options.priorityFencingDelayMs, 0],
    ['startupFencing', (x: ClusterConfig) => x.options.startupFencing, true],
    ['maintenanceMode', (x: ClusterConfig) => x.options.maintenanceMode, false],
    ['stopAllResources', (x: ClusterConfig) => x.options.stopAllResources, false],
    ['fence devices', (x: ClusterConfig) => x.fencing.devices, []],
    ['topology', (x: ClusterConfig) => x.fencing.topology, {}],
    ['maxAttempts', (x: ClusterConfig) => x.fencing.maxAttempts, 10],
    ['retryInterval', (x: ClusterConfig) => x.fencing.retryIntervalMs, 900_000],
    ['skipWhenLost', (x: ClusterConfig) => x.fencing.skipWhenLost, undefined],
    ['resources', (x: ClusterConfig) => x.resources, []],
    ['constraints', (x: ClusterConfig) => x.constraints, []],
  ] as const)('%s', (_label, get, expected) => {
    expect(get(c)).toEqual(expected);
  });

  it('fills resource defaults', () => {
    const r = parseClusterConfig(doc({ resources: [{ id: 'vm1' }] })).resources[0];
    expect(r).toEqual({
      id: 'vm1',
      agent: 'sim',
      priority: 0,
      targetRole: 'started',
      migrationThreshold: 1_000_000,
      failureTimeoutMs: 0,
      monitorIntervalMs: 10_000,
      params: {},
    });
  });

  it('fills device defaults and keeps params as written', () => {
    const c2 = parseClusterConfig(
      doc({
        fencing: {
          devices: [
            {
              name: 'd1',
              agent: 'ipmi',
              hosts: ['node1'],
              params: { ip: 'x.invalid', lanplus: true, port: 623 },
            },
          ],
        },
      }),
    );
    expect(c2.fencing.devices[0]).toEqual({
      name: 'd1',
      agent: 'ipmi',
      hosts: ['node1'],
      port: {},
      delayMs: 0,
      params: { ip: 'x.invalid', lanplus: true, port: 623 },
    });
  });

  it('gives nodes without an id the smallest unused positive integers, in document order', () => {
    const c2 = parseClusterConfig({
      name: 'c',
      nodes: [{ name: 'a' }, { name: 'b', id: 1 }, { name: 'c' }, { name: 'd', id: 3 }, { name: 'e' }],
    });
    expect(c2.nodes.map((n) => n.id)).toEqual([2, 1, 4, 3, 5]);
  });

  it('accepts ids with punctuation (Proxmox vm:100) and defaults the cluster name', () => {
    const c2 = parseClusterConfig({
      nodes: [{ name: 'pve1.example.com', id: 1 }],
      resources: [{ id: 'vm:100' }],
    });
    expect(c2.name).toBe('quorate');
    expect(c2.resources[0]?.id).toBe('vm:100');
    expect(safeParseClusterConfig({ nodes: [{ name: 'node 1', id: 1 }] }).ok).toBe(false);
  });

  it('does not modify its input', () => {
    const input = doc({ quorum: { twoNode: false }, resources: [{ id: 'r' }] });
    const copy = structuredClone(input);
    parseClusterConfig(input);
    expect(input).toEqual(copy);
  });
});

describe('quorum options', () => {
  const two = (quorum: Record<string, unknown>) =>
    parseClusterConfig(
      doc({
        nodes: [
          { name: 'a', id: 1 },
          { name: 'b', id: 2 },
        ],
        quorum,
      }),
    ).quorum;

  it.each([
    [{ twoNode: true }, true],
    [{ twoNode: true, waitForAll: false }, false],
    [{ twoNode: true, waitForAll: true }, true],
    [{ twoNode: false }, false],
    [{ waitForAll: true }, true],
  ])('%j gives waitForAll %s (twoNode implies it unless explicitly false)', (q, wfa) => {
    expect(two(q).waitForAll).toBe(wfa);
  });

  it.each([
    [true, 'lowest'],
    [false, false],
    ['lowest', 'lowest'],
    ['highest', 'highest'],
    [
      [2, 1],
      [2, 1],
    ],
  ] as const)('autoTieBreaker %j normalises to %j', (atb, out) => {
    expect(two({ autoTieBreaker: atb }).autoTieBreaker).toEqual(out);
  });

  it('qdisk defaults follow cman qdiskd (votes n-1, interval 1s, tko 10, masterWins for two nodes)', () => {
    expect(two({ qdisk: {} }).qdisk).toEqual({ votes: 1, intervalMs: 1000, tko: 10, masterWins: true });
    const q3 = parseClusterConfig(doc({ quorum: { qdisk: { interval: '2s', tko: 5, label: 'q' } } })).quorum
      .qdisk;
    expect(q3).toEqual({ votes: 2, intervalMs: 2000, tko: 5, label: 'q', masterWins: false });
  });

  it('qdevice defaults follow corosync-qdevice (ffsplit 1 vote, lms n-1, tieBreaker lowest)', () => {
    expect(parseClusterConfig(doc({ quorum: { qdevice: {} } })).quorum.qdevice).toEqual({
      votes: 1,
      algorithm: 'ffsplit',
      tieBreaker: 'lowest',
    });
    expect(
      parseClusterConfig(doc({ quorum: { qdevice: { algorithm: 'lms', tieBreaker: 3 } } })).quorum.qdevice,
    ).toEqual({
      votes: 2,
      algorithm: 'lms',
      tieBreaker: 3,
    });
  });
});

describe('fencing normalisation', () => {
  it('derives hosts from the topology when a device leaves them out', () => {
    const c = parseClusterConfig(
      doc({
        fencing: {
          devices: [{ name: 'pdu', agent: 'snmp-apc' }],
          topology: { node1: [['pdu']], node3: [['pdu']] },
        },
      }),
    );
    expect(c.fencing.devices[0]?.hosts).toEqual(['node1', 'node3']);
  });

  it('gives a node without topology one level per capable device, in document order', () => {
    const c = parseClusterConfig(
      doc({
        fencing: {
          devices: [
            { name: 'ilo1', agent: 'ipmi', hosts: ['node1'] },
            { name: 'pdu', agent: 'snmp-apc', hosts: ['node1', 'node2'] },
          ],
          topology: { node2: [['pdu']] },
        },
      }),
    );
    expect(c.fencing.topology).toEqual({ node1: [['ilo1'], ['pdu']], node2: [['pdu']] });
  });

  it('reads a watchdog device: all nodes, timeout in ms, never a topology level', () => {
    const c = parseClusterConfig(
      doc({ fencing: { devices: [{ name: 'wd', agent: 'watchdog', params: { timeout: '10s' } }] } }),
    );
    expect(c.fencing.devices[0]).toMatchObject({
      hosts: ['node1', 'node2', 'node3'],
      watchdogTimeoutMs: 10_000,
    });
    expect(c.fencing.topology).toEqual({});
    const d = parseClusterConfig(doc({ fencing: { devices: [{ name: 'wd', agent: 'watchdog' }] } }));
    expect(d.fencing.devices[0]?.watchdogTimeoutMs).toBe(5000);
  });

  it('reads skipWhenLost as a share', () => {
    expect(parseClusterConfig(doc({ fencing: { skipWhenLost: '50%' } })).fencing.skipWhenLost).toBe(0.5);
  });
});

describe('constraints', () => {
  const withConstraints = (constraints: unknown[]) =>
    parseClusterConfig(doc({ resources: [{ id: 'vm1' }, { id: 'vm2' }], constraints })).constraints;

  it('normalises a single rule expression to a one-expression rule', () => {
    expect(
      withConstraints([
        { kind: 'location', resource: 'vm1', rule: { attribute: 'rack', op: 'eq', value: 'a' }, score: 50 },
      ]),
    ).toEqual([
      {
        kind: 'location',
        id: 'location-vm1-rule-0',
        resource: 'vm1',
        rule: { expressions: [{ attribute: 'rack', op: 'eq', value: 'a' }] },
        score: 50,
      },
    ]);
  });

  it('keeps a compound rule, nested, with numbers as strings', () => {
    const [c] = withConstraints([
      {
        resource: 'vm1',
        score: '-INFINITY',
        rule: {
          booleanOp: 'or',
          expressions: [
            { attribute: 'mem', op: 'lt', value: 4096, type: 'integer' },
            {
              booleanOp: 'and',
              expressions: [
                { attribute: 'ssd', op: 'not_defined' },
                { attribute: 'rack', op: 'ne', value: 'b' },
              ],
            },
          ],
        },
      },
    ]);
    expect(c).toEqual({
      kind: 'location',
      id: 'location-vm1-rule-0',
      resource: 'vm1',
      score: -1_000_000,
      rule: {
        booleanOp: 'or',
        expressions: [
          { attribute: 'mem', op: 'lt', value: '4096', type: 'integer' },
          {
            booleanOp: 'and',
            expressions: [
              { attribute: 'ssd', op: 'not_defined' },
              { attribute: 'rack', op: 'ne', value: 'b' },
            ],
          },
        ],
      },
    });
  });

  it('generates deterministic, unique ids and keeps given ones', () => {
    const cs = withConstraints([
      { resource: 'vm1', node: 'node1', score: 100 },
      { resource: 'vm1', node: 'node1', score: 10 },
      { id: 'mine', resource: 'vm2', node: 'node2', score: 'INFINITY' },
    ]);
    expect(cs.map((c) => c.id)).toEqual(['location-vm1-node1', 'location-vm1-node1-2', 'mine']);
    expect(cs[2]?.score).toBe(1_000_000);
  });
});

describe('cross-field errors (each with its path)', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'duplicate node name',
      {
        nodes: [
          { name: 'a', id: 1 },
          { name: 'a', id: 2 },
        ],
      },
      'nodes.1.name',
      "node name 'a' is used twice",
    ],
    [
      'duplicate node id',
      {
        nodes: [
          { name: 'a', id: 1 },
          { name: 'b', id: 1 },
        ],
      },
      'nodes.1.id',
      'node id 1 is used twice',
    ],
    [
      'reserved node name',
      { nodes: [{ name: 'qdisk', id: 1 }] },
      'nodes.0.name',
      "node name 'qdisk' is reserved",
    ],
    [
      'twoNode with three nodes',
      { quorum: { twoNode: true } },
      'quorum.twoNode',
      'twoNode needs exactly 2 nodes, the cluster has 3',
    ],
    [
      'qdisk and qdevice',
      { quorum: { qdisk: {}, qdevice: {} } },
      'quorum.qdevice',
      'qdisk and qdevice cannot be used together',
    ],
    [
      'twoNode with qdisk',
      {
        nodes: [
          { name: 'a', id: 1 },
          { name: 'b', id: 2 },
        ],
        quorum: { twoNode: true, qdisk: {} },
      },
      'quorum.qdisk',
      'twoNode cannot be used with a qdisk',
    ],
    [
      'qdevice with lastManStanding',
      { quorum: { qdevice: {}, lastManStanding: true } },
      'quorum.lastManStanding',
      'lastManStanding cannot be used with a qdevice',
    ],
    [
      'qdevice with autoTieBreaker',
      { quorum: { qdevice: {}, autoTieBreaker: 'lowest' } },
      'quorum.autoTieBreaker',
      'autoTieBreaker cannot be used with a qdevice',
    ],
    [
      'ffsplit with 2 votes',
      { quorum: { qdevice: { votes: 2 } } },
      'quorum.qdevice.votes',
      "algorithm 'ffsplit' must have 1 vote",
    ],
    [
      'lastManStanding with 2 votes',
      { nodes: [{ name: 'a', id: 1, votes: 2 }], quorum: { lastManStanding: true } },
      'nodes.0.votes',
      'lastManStanding needs 1 vote per node',
    ],
    [
      'autoTieBreaker unknown id',
      { quorum: { autoTieBreaker: [1, 7] } },
      'quorum.autoTieBreaker.1',
      'node id 7 is not defined',
    ],
    [
      'qdevice tieBreaker unknown id',
      { quorum: { qdevice: { tieBreaker: 9 } } },
      'quorum.qdevice.tieBreaker',
      'node id 9 is not defined',
    ],
    [
      'topology names an unknown device',
      {
        fencing: {
          devices: [{ name: 'ilo1', agent: 'ipmi', hosts: ['node1'] }],
          topology: { node1: [['ilo1'], ['pdu-a1']] },
        },
      },
      'fencing.topology.node1.1.0',
      "device 'pdu-a1' is not defined",
    ],
    [
      'topology of an unknown node',
      { fencing: { devices: [{ name: 'd', agent: 'sim' }], topology: { node9: [['d']] } } },
      'fencing.topology.node9',
      "node 'node9' is not defined",
    ],
    [
      'topology device that cannot fence the node',
      { fencing: { devices: [{ name: 'd', agent: 'sim', hosts: ['node2'] }], topology: { node1: [['d']] } } },
      'fencing.topology.node1.0.0',
      "device 'd' cannot fence 'node1' (not in its hosts)",
    ],
    [
      'watchdog in a topology',
      { fencing: { devices: [{ name: 'wd', agent: 'watchdog' }], topology: { node1: [['wd']] } } },
      'fencing.topology.node1.0.0',
      'is a watchdog',
    ],
    [
      'device lists a device twice in one level',
      { fencing: { devices: [{ name: 'd', agent: 'sim' }], topology: { node1: [['d', 'd']] } } },
      'fencing.topology.node1.0',
      'lists a device twice',
    ],
    [
      'duplicate device name',
      {
        fencing: {
          devices: [
            { name: 'd', agent: 'sim' },
            { name: 'd', agent: 'ipmi' },
          ],
        },
      },
      'fencing.devices.1.name',
      "device name 'd' is used twice",
    ],
    [
      'device host unknown',
      { fencing: { devices: [{ name: 'd', agent: 'sim', hosts: ['node7'] }] } },
      'fencing.devices.0.hosts.0',
      "node 'node7' is not defined",
    ],
    [
      'device port for a non-host',
      { fencing: { devices: [{ name: 'd', agent: 'sim', hosts: ['node1'], port: { node2: 2 } }] } },
      'fencing.devices.0.port.node2',
      "node 'node2' is not in the hosts of device 'd'",
    ],
    [
      'watchdog timeout not a duration',
      { fencing: { devices: [{ name: 'wd', agent: 'watchdog', params: { timeout: 'soon' } }] } },
      'fencing.devices.0.params.timeout',
      "got 'soon'",
    ],
    [
      'duplicate resource id',
      { resources: [{ id: 'r' }, { id: 'r' }] },
      'resources.1.id',
      "resource id 'r' is used twice",
    ],
    [
      'constraint on an unknown resource',
      { constraints: [{ kind: 'location', resource: 'vm9', node: 'node1', score: 1 }] },
      'constraints.0.resource',
      "resource 'vm9' is not defined",
    ],
    [
      'constraint on an unknown node',
      {
        resources: [{ id: 'r' }],
        constraints: [{ kind: 'location', resource: 'r', node: 'node9', score: 1 }],
      },
      'constraints.0.node',
      "node 'node9' is not defined",
    ],
    [
      'duplicate constraint id',
      {
        resources: [{ id: 'r' }],
        constraints: [
          { id: 'x', resource: 'r', node: 'node1', score: 1 },
          { id: 'x', resource: 'r', node: 'node2', score: 1 },
        ],
      },
      'constraints.1.id',
      "constraint id 'x' is used twice",
    ],
  ])('%s', (_label, change, path, message) => {
    const e = errorOf(doc(change));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.code).toBe('CONFIG_INVALID');
    const hit = e.issues.find((i) => i.path.join('.') === path);
    expect(hit, `issues: ${JSON.stringify(e.issues)}`).toBeDefined();
    expect(hit?.message).toContain(message);
    expect(e.message).toContain(message);
  });
});

describe('shape errors', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['unknown top-level key', { colour: 'red' }, '', 'Unrecognized key: "colour"'],
    [
      'unknown option',
      { options: { stonithEnabeld: false } },
      'options',
      'Unrecognized key: "stonithEnabeld"',
    ],
    ['bad duration', { options: { tokenTimeout: '3 seconds' } }, 'options.tokenTimeout', "got '3 seconds'"],
    ['zero token timeout', { options: { tokenTimeout: 0 } }, 'options.tokenTimeout', 'longer than 0ms'],
    ['bad policy', { options: { noQuorumPolicy: 'panic' } }, 'options.noQuorumPolicy', 'Invalid option'],
    ['bad score', { options: { resourceStickiness: 'high' } }, 'options.resourceStickiness', "got 'high'"],
    [
      'bad agent',
      { fencing: { devices: [{ name: 'd', agent: 'fence_ipmilan' }] } },
      'fencing.devices.0.agent',
      'expected a fence agent',
    ],
    ['node id zero', { nodes: [{ name: 'a', id: 0 }] }, 'nodes.0.id', 'positive integer'],
    ['empty node list', { nodes: [] }, 'nodes', 'at least one node'],
    [
      'empty fence level',
      { fencing: { topology: { node1: [[]] } } },
      'fencing.topology.node1.0',
      'at least one device',
    ],
    [
      'constraint with node and rule',
      {
        resources: [{ id: 'r' }],
        constraints: [{ resource: 'r', node: 'node1', rule: { attribute: 'a', op: 'defined' }, score: 1 }],
      },
      'constraints.0',
      "exactly one of 'node' and 'rule'",
    ],
    [
      'rule without op',
      {
        resources: [{ id: 'r' }],
        constraints: [{ resource: 'r', rule: { attribute: 'a', value: 'x' }, score: 1 }],
      },
      'constraints.0.rule.op',
      "needs 'op'",
    ],
    [
      'rule op eq without value',
      {
        resources: [{ id: 'r' }],
        constraints: [{ resource: 'r', rule: { attribute: 'a', op: 'eq' }, score: 1 }],
      },
      'constraints.0.rule.value',
      "op 'eq' needs a 'value'",
    ],
    [
      'compound rule with attribute',
      {
        resources: [{ id: 'r' }],
        constraints: [
          {
            resource: 'r',
            rule: { attribute: 'a', expressions: [{ attribute: 'b', op: 'defined' }] },
            score: 1,
          },
        ],
      },
      'constraints.0.rule.attribute',
      'cannot also have',
    ],
    [
      'non-location constraint',
      {
        resources: [{ id: 'r' }],
        constraints: [{ kind: 'colocation', resource: 'r', node: 'node1', score: 1 }],
      },
      'constraints.0.kind',
      "only 'location'",
    ],
    ['skipWhenLost over 100%', { fencing: { skipWhenLost: '150%' } }, 'fencing.skipWhenLost', "got '150%'"],
    [
      'missing score',
      { resources: [{ id: 'r' }], constraints: [{ resource: 'r', node: 'node1' }] },
      'constraints.0.score',
      'required',
    ],
  ])('%s', (_label, change, path, message) => {
    const e = errorOf(doc(change));
    const hit = e.issues.find((i) => i.path.join('.') === path && i.message.includes(message));
    expect(hit, `issues: ${JSON.stringify(e.issues)}`).toBeDefined();
  });

  it('reports every bad field at once, each with a "→ at" line', () => {
    const e = errorOf(
      doc({ options: { tokenTimeout: 'x', fenceAction: 'nuke' }, nodes: [{ name: 'a', id: -1, extra: 1 }] }),
    );
    expect(e.issues.length).toBeGreaterThanOrEqual(4);
    expect(e.message.split('\n').filter((l) => l.startsWith('✖'))).toHaveLength(e.issues.length);
    expect(e.message).toContain('→ at options.tokenTimeout');
    expect(() => parseClusterConfig(doc({ options: { tokenTimeout: 'x' } }))).toThrow(ConfigError);
  });

  it('refuses non-objects with a ConfigError, never another exception', () => {
    for (const v of [null, undefined, 42, 'cluster', []]) {
      expect(safeParseClusterConfig(v).ok).toBe(false);
    }
  });
});

describe('clusterConfigJsonSchema', () => {
  it('describes the raw document (input shape, strict objects)', () => {
    const s = clusterConfigJsonSchema() as {
      type: string;
      required: string[];
      properties: Record<string, { additionalProperties?: unknown }>;
      additionalProperties: unknown;
    };
    expect(s.type).toBe('object');
    expect(s.required).toEqual(['nodes']);
    expect(Object.keys(s.properties)).toEqual([
      'name',
      'configVersion',
      'nodes',
      'quorum',
      'options',
      'fencing',
      'resources',
      'constraints',
    ]);
    expect(s.additionalProperties).toBe(false);
    expect(JSON.stringify(s)).toContain('noQuorumPolicy');
  });
});

describe('mergeClusterDocument (configUpdate semantics)', () => {
  it('merges mappings deeply and replaces lists whole', () => {
    const base = doc({
      options: { tokenTimeout: '3s', fenceDelay: '10s' },
      resources: [{ id: 'a' }, { id: 'b' }],
    });
    const merged = mergeClusterDocument(base, {
      configVersion: 2,
      options: { fenceDelay: '20s' },
      resources: [{ id: 'c' }],
    }) as Record<string, unknown>;
    expect(merged.options).toEqual({ tokenTimeout: '3s', fenceDelay: '20s' });
    expect(merged.resources).toEqual([{ id: 'c' }]);
    expect(merged.nodes).toEqual(base.nodes);
    expect(merged.configVersion).toBe(2);
    expect(base.options).toEqual({ tokenTimeout: '3s', fenceDelay: '10s' });
  });

  it('removes a key set to null (JSON merge patch)', () => {
    const merged = mergeClusterDocument(
      { quorum: { qdisk: { votes: 1 }, twoNode: false } },
      { quorum: { qdisk: null } },
    );
    expect(merged).toEqual({ quorum: { twoNode: false } });
  });

  it('gives a result that shares nothing mutable with its inputs', () => {
    const patch = { nodes: [{ name: 'x', id: 1 }] };
    const merged = mergeClusterDocument({}, patch) as { nodes: Array<{ name: string }> };
    (merged.nodes[0] as { name: string }).name = 'changed';
    expect(patch.nodes[0]?.name).toBe('x');
  });
});

describe('checkConfigVersion', () => {
  it.each([
    [5, 6, true, undefined],
    [5, 100, true, undefined],
    [5, 5, false, 'same'],
    [5, 4, false, 'stale'],
    [0, 0, false, 'same'],
  ] as const)('running %i, offered %i -> ok %s', (current, next, ok, reason) => {
    const r = checkConfigVersion(current, next);
    expect(r.ok).toBe(ok);
    if (!r.ok) {
      expect(r.reason).toBe(reason);
      expect(r.message).toMatch(new RegExp(`^configuration version ${next} refused: `));
    }
  });
});
