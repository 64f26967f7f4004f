import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  ConfigError,
  EVENT_KINDS,
  type Expectation,
  INVARIANT_NAMES,
  parseScenario,
  parseScenarioDocument,
  type ScenarioEvent,
  safeParseScenarioDocument,
} from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../../..');
const sharedDir = resolve(repo, '../shared/scenarios');
const ownDir = resolve(repo, 'test/scenarios');

const cluster = {
  name: 'lab',
  configVersion: 1,
  nodes: [
    { name: 'node1', id: 1 },
    { name: 'node2', id: 2 },
    { name: 'node3', id: 3 },
  ],
  quorum: { qdisk: { votes: 1 } },
  fencing: {
    devices: [
      { name: 'ilo1', agent: 'ipmi', hosts: ['node1'] },
      { name: 'pdu', agent: 'snmp-apc', hosts: ['node1', 'node2', 'node3'] },
    ],
    topology: { node1: [['ilo1'], ['pdu']] },
  },
  resources: [{ id: 'vm1' }, { id: 'vm2' }],
};

function scenario(extra: Record<string, unknown>): Record<string, unknown> {
  return { name: 't', cluster, ...extra };
}

function issuesOf(doc: unknown): Array<{ path: string; message: string }> {
  const r = safeParseScenarioDocument(doc);
  if (r.ok) throw new Error('expected the scenario to be refused');
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('public examples (../shared/scenarios)', () => {
  const files = existsSync(sharedDir) ? readdirSync(sharedDir).filter((f) => f.endsWith('.yaml')) : [];
  it.skipIf(files.length === 0)(
    `parse unchanged${files.length === 0 ? ' (SKIPPED: ../shared/scenarios is absent)' : ''}`,
    () => {
      for (const f of files) {
        const s = parseScenario(readFileSync(join(sharedDir, f), 'utf8'));
        expect(s.name, f).toBe(f.replace(/\.yaml$/, ''));
        expect(s.expect.length, f).toBeGreaterThan(0);
      }
    },
  );
});

describe('own corpus (test/scenarios)', () => {
  const files = existsSync(ownDir) ? readdirSync(ownDir).filter((f) => f.endsWith('.yaml')) : [];
  it('has at least 40 scenarios, named <family>-<what>-<n>.yaml after their name field', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
    for (const f of files) {
      expect(f).toMatch(/^(fence|quorum|partition|resource|config|seed)-[a-z0-9-]+-\d+\.yaml$/);
    }
  });
  it.each(files)('%s parses', (f) => {
    const s = parseScenario(readFileSync(join(ownDir, f), 'utf8'));
    expect(s.name).toBe(f.replace(/\.yaml$/, ''));
  });
  it('covers every event kind and every expectation kind', () => {
    const events = new Set<string>();
    const kinds = new Set<string>();
    for (const f of files) {
      const s = parseScenario(readFileSync(join(ownDir, f), 'utf8'));
      for (const e of s.events) events.add(e.kind);
      for (const x of s.expect) kinds.add(x.kind);
    }
    expect([...EVENT_KINDS].filter((k) => !events.has(k))).toEqual([]);
    const allKinds: Expectation['kind'][] = [
      'fenced',
      'neverFenced',
      'runningBy',
      'runningAt',
      'neverRunning',
      'quorate',
      'fencePending',
      'stopped',
      'quorum',
      'fenceCount',
      'power',
      'configVersion',
    ];
    expect(allKinds.filter((k) => !kinds.has(k))).toEqual([]);
  });
});

describe('world defaults', () => {
  const s = parseScenarioDocument(scenario({}));
  it('fills SCENARIO-FORMAT defaults for every device and resource', () => {
    expect(s.world).toEqual({
      rings: 1,
      bootTimeMs: 30_000,
      start: { up: ['node1', 'node2', 'node3'], running: {} },
      fenceDevices: { ilo1: { result: 'ok', afterMs: 1000 }, pdu: { result: 'ok', afterMs: 1000 } },
      resourceAgents: {
        vm1: { startMs: 1000, stopMs: 1000, monitorMs: 0, failStart: {}, failStop: {} },
        vm2: { startMs: 1000, stopMs: 1000, monitorMs: 0, failStart: {}, failStop: {} },
      },
    });
    expect(s.invariants).toEqual([...INVARIANT_NAMES]);
    expect(s.events).toEqual([]);
    expect(s.untilMs).toBe(60_000);
  });
  it('reads world overrides', () => {
    const w = parseScenarioDocument(
      scenario({
        world: {
          rings: 2,
          bootTime: '1m',
          start: { up: ['node1', 'node2'], running: { vm1: 'node2' } },
          fenceDevices: { ilo1: { result: 'timeout', after: '3s', poweredBy: 'node1' } },
          resourceAgents: { vm2: { start: '5s', failStart: { node2: 3 }, failStop: { node1: 1 } } },
        },
      }),
    ).world;
    expect(w.rings).toBe(2);
    expect(w.bootTimeMs).toBe(60_000);
    expect(w.start).toEqual({ up: ['node1', 'node2'], running: { vm1: 'node2' } });
    expect(w.fenceDevices.ilo1).toEqual({ result: 'timeout', afterMs: 3000, poweredBy: 'node1' });
    expect(w.resourceAgents.vm2).toEqual({
      startMs: 5000,
      stopMs: 1000,
      monitorMs: 0,
      failStart: { node2: 3 },
      failStop: { node1: 1 },
    });
  });
});

describe('events: every kind', () => {
  const table: Array<[Record<string, unknown>, Partial<ScenarioEvent>]> = [
    [{ crash: 'node1' }, { kind: 'crash', node: 'node1' }],
    [{ powerLoss: 'node2' }, { kind: 'powerLoss', node: 'node2' }],
    [{ powerOn: 'node2' }, { kind: 'powerOn', node: 'node2' }],
    [{ hang: 'node3' }, { kind: 'hang', node: 'node3' }],
    [
      {
        partition: [
          ['node1', 'node2'],
          ['node3', 'qdisk'],
        ],
      },
      {
        kind: 'partition',
        groups: [
          { nodes: ['node1', 'node2'], quorumDevice: false },
          { nodes: ['node3'], quorumDevice: true },
        ],
      },
    ],
    [
      { partition: [['node1', 'qdisk']] },
      {
        kind: 'partition',
        groups: [
          { nodes: ['node1'], quorumDevice: true },
          { nodes: ['node2'], quorumDevice: false },
          { nodes: ['node3'], quorumDevice: false },
        ],
      },
    ],
    [{ heal: 'all' }, { kind: 'heal' }],
    [{ ringDown: { node: 'node1', ring: 0 } }, { kind: 'ringDown', node: 'node1', ring: 0 }],
    [{ ringUp: { node: 'node1', ring: 0 } }, { kind: 'ringUp', node: 'node1', ring: 0 }],
    [{ qdiskLost: 'node2' }, { kind: 'qdiskLost', node: 'node2' }],
    [{ qdiskLost: 'all' }, { kind: 'qdiskLost', node: 'all' }],
    [{ shutdown: 'node2' }, { kind: 'shutdown', node: 'node2' }],
    [{ reboot: 'node3' }, { kind: 'reboot', node: 'node3' }],
    [{ fence: 'node3' }, { kind: 'fence', node: 'node3' }],
    [
      { setExpectedVotes: { node: 'node1', votes: 2 } },
      { kind: 'setExpectedVotes', node: 'node1', votes: 2 },
    ],
    [
      { fenceDevice: { name: 'pdu', result: 'timeout' } },
      { kind: 'fenceDevice', device: 'pdu', result: 'timeout' },
    ],
    [{ resourceFail: { resource: 'vm2' } }, { kind: 'resourceFail', resource: 'vm2' }],
    [{ confirmFenced: 'node1' }, { kind: 'confirmFenced', node: 'node1' }],
    [{ standby: { node: 'node2', on: true } }, { kind: 'standby', node: 'node2', on: true }],
    [{ maintenance: { node: 'node2', on: false } }, { kind: 'maintenance', node: 'node2', on: false }],
  ];
  it.each(table)('%j', (raw, expected) => {
    const s = parseScenarioDocument(scenario({ events: [{ at: '2s', ...raw }] }));
    expect(s.events).toEqual([{ atMs: 2000, index: 0, ...expected }]);
  });

  it('merges a configUpdate into the document and validates the result', () => {
    const s = parseScenarioDocument(
      scenario({
        events: [
          { at: '10s', configUpdate: { configVersion: 2, options: { fenceDelay: '5s' } } },
          { at: '20s', configUpdate: { configVersion: 1, options: { tokenTimeout: '9s' } } },
          { at: '30s', configUpdate: { configVersion: 3, resources: [{ id: 'vm1' }] } },
        ],
      }),
    );
    const [a, b, c] = s.events;
    if (a?.kind !== 'configUpdate' || b?.kind !== 'configUpdate' || c?.kind !== 'configUpdate')
      throw new Error('kinds');
    expect(a.config.options.fenceDelayMs).toBe(5000);
    expect(a.config.configVersion).toBe(2);
    // A stale update (version 1 after 2) is still a valid document, merged onto version 2.
    expect(b.config.configVersion).toBe(1);
    expect(b.config.options.tokenTimeoutMs).toBe(9000);
    // The next update merges onto the last accepted one (version 2), not onto the refused one.
    expect(c.config.options.tokenTimeoutMs).toBe(3000);
    expect(c.config.options.fenceDelayMs).toBe(5000);
    expect(c.config.resources.map((r) => r.id)).toEqual(['vm1']);
  });

  it('sorts events by time, keeping file order for the same instant', () => {
    const s = parseScenarioDocument(
      scenario({
        events: [
          { at: '20s', heal: 'all' },
          { at: '5s', crash: 'node2' },
          { at: 5000, hang: 'node3' },
          { at: '1s', powerLoss: 'node1' },
        ],
      }),
    );
    expect(s.events.map((e) => [e.kind, e.atMs, e.index])).toEqual([
      ['powerLoss', 1000, 3],
      ['crash', 5000, 1],
      ['hang', 5000, 2],
      ['heal', 20_000, 0],
    ]);
    expect(s.untilMs).toBe(80_000);
  });
});

describe('expectations: every kind', () => {
  const table: Array<[Record<string, unknown>, Partial<Expectation>]> = [
    [
      { by: '20s', fenced: 'node1' },
      { kind: 'fenced', byMs: 20_000, node: 'node1' },
    ],
    [
      { by: '20s', fenced: 'node1', device: 'pdu', level: 2 },
      { kind: 'fenced', byMs: 20_000, node: 'node1', device: 'pdu', level: 2 },
    ],
    [{ never: { fenced: 'node2' } }, { kind: 'neverFenced', node: 'node2', fromMs: 0, toMs: 'end' }],
    [
      { never: { fenced: 'node2' }, from: '5s', to: '50s' },
      { kind: 'neverFenced', node: 'node2', fromMs: 5000, toMs: 50_000 },
    ],
    [
      { by: '30s', running: { vm1: 'node2', vm2: null } },
      { kind: 'runningBy', byMs: 30_000, placement: { vm1: 'node2', vm2: null } },
    ],
    [
      { at: '30s', running: { vm1: 'node2' } },
      { kind: 'runningAt', atMs: 30_000, placement: { vm1: 'node2' } },
    ],
    [
      { at: 'end', running: { vm1: 'node2' } },
      { kind: 'runningAt', atMs: 'end', placement: { vm1: 'node2' } },
    ],
    [
      { never: { running: { vm1: 'node3' } } },
      { kind: 'neverRunning', placement: { vm1: 'node3' }, fromMs: 0, toMs: 'end' },
    ],
    [
      { at: '1m', quorate: ['node1', 'node2'] },
      { kind: 'quorate', atMs: 60_000, nodes: ['node1', 'node2'] },
    ],
    [
      { at: '1m', fencePending: 'node3' },
      { kind: 'fencePending', atMs: 60_000, node: 'node3' },
    ],
    [
      { at: '1m', stopped: ['vm1', 'vm2'] },
      { kind: 'stopped', atMs: 60_000, resources: ['vm1', 'vm2'] },
    ],
    [
      { at: '1m', quorum: { votes: 2, expected: 4, quorum: 3, node: 'node1' } },
      { kind: 'quorum', atMs: 60_000, node: 'node1', votes: 2, expected: 4, quorum: 3 },
    ],
    [
      { at: '1m', fenceCount: { node1: 2 } },
      { kind: 'fenceCount', atMs: 60_000, counts: { node1: 2 } },
    ],
    [
      { at: '1m', power: { node1: 'off', node2: 'on' } },
      { kind: 'power', atMs: 60_000, power: { node1: 'off', node2: 'on' } },
    ],
    [
      { at: '1m', configVersion: 4 },
      { kind: 'configVersion', atMs: 60_000, version: 4 },
    ],
  ];
  it.each(table)('%j', (raw, expected) => {
    const s = parseScenarioDocument(scenario({ expect: [raw] }));
    expect(s.expect).toEqual([
      { index: 0, text: stringify(raw, { collectionStyle: 'flow', lineWidth: 0 }).trim(), ...expected },
    ]);
  });

  it('reads power on/off as strings under YAML 1.2 (not booleans)', () => {
    const s = parseScenario(`name: t
cluster: { name: c, nodes: [{ name: node1, id: 1 }] }
expect:
  - { at: 5s, power: { node1: off } }
  - { at: 6s, power: { node1: on } }
`);
    expect(s.expect.map((x) => (x.kind === 'power' ? x.power.node1 : undefined))).toEqual(['off', 'on']);
  });

  it('computes until from the last deadline when absent', () => {
    const s = parseScenarioDocument(
      scenario({
        events: [{ at: '10s', crash: 'node3' }],
        expect: [
          { by: '2m', fenced: 'node3' },
          { at: 'end', stopped: ['vm1'] },
        ],
      }),
    );
    expect(s.untilMs).toBe(180_000);
  });
});

describe('input formats', () => {
  it('reads JSON', () => {
    const s = parseScenario(
      JSON.stringify(scenario({ events: [{ at: 1000, crash: 'node1' }], until: '30s' })),
      'json',
    );
    expect(s.untilMs).toBe(30_000);
    expect(s.events[0]?.kind).toBe('crash');
  });
  it('refuses text that is not YAML, with the line', () => {
    expect(() => parseScenario('name: [unclosed\n')).toThrow(/not valid YAML.*line \d+, column \d+/s);
    expect(() => parseScenario('{"name": ', 'json')).toThrow(ConfigError);
  });
  it('refuses duplicate keys', () => {
    expect(() => parseScenario('name: a\nname: b\ncluster: {}\n')).toThrow(/Map keys must be unique/);
  });
  it('refuses invariants it does not know and accepts none', () => {
    expect(parseScenarioDocument(scenario({ invariants: 'none' })).invariants).toEqual([]);
    expect(
      parseScenarioDocument(scenario({ invariants: ['singleActive', 'noSelfFence'] })).invariants,
    ).toEqual(['singleActive', 'noSelfFence']);
    expect(issuesOf(scenario({ invariants: ['singleActive', 'noSplitBrain'] }))[0]?.path).toBe(
      'invariants.1',
    );
  });
});

describe('errors with paths', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'cluster error keeps its path',
      { cluster: { ...cluster, options: { tokenTimeout: 'x' } } },
      'cluster.options.tokenTimeout',
      "got 'x'",
    ],
    ['unknown top-level key', { expectations: [] }, '', 'Unrecognized key: "expectations"'],
    [
      'unknown node in an event',
      { events: [{ at: '1s', crash: 'node9' }] },
      'events.0.crash',
      "node 'node9' is not defined",
    ],
    [
      'unknown node in a partition',
      { events: [{ at: '1s', partition: [['node1'], ['node9']] }] },
      'events.0.partition.1',
      "node 'node9' is not defined",
    ],
    [
      'node in two groups',
      { events: [{ at: '1s', partition: [['node1'], ['node1', 'node2']] }] },
      'events.0.partition.1',
      "node 'node1' is in two groups",
    ],
    [
      'event with two keys',
      { events: [{ at: '1s', crash: 'node1', hang: 'node2' }] },
      'events.0',
      'more than one of crash, hang',
    ],
    ['event without a key', { events: [{ at: '1s' }] }, 'events.0', 'needs exactly one of'],
    ['event without a time', { events: [{ crash: 'node1' }] }, 'events.0.at', 'required'],
    [
      'ring out of range',
      { events: [{ at: '1s', ringDown: { node: 'node1', ring: 1 } }] },
      'events.0.ringDown.ring',
      'ring 1 does not exist',
    ],
    [
      'qdeviceLost without qdevice',
      { events: [{ at: '1s', qdeviceLost: 'all' }] },
      'events.0.qdeviceLost',
      'needs a quorum device',
    ],
    [
      'unknown device event',
      { events: [{ at: '1s', fenceDevice: { name: 'x', result: 'ok' } }] },
      'events.0.fenceDevice.name',
      "device 'x' is not defined",
    ],
    [
      'bad device result',
      { events: [{ at: '1s', fenceDevice: { name: 'pdu', result: 'maybe' } }] },
      'events.0.fenceDevice.result',
      'Invalid option',
    ],
    [
      'configUpdate breaking the document',
      {
        events: [
          { at: '1s', configUpdate: { configVersion: 2, fencing: { topology: { node2: [['nope']] } } } },
        ],
      },
      'events.0.configUpdate.fencing.topology.node2.0.0',
      "device 'nope' is not defined",
    ],
    [
      'unknown resource in running',
      { expect: [{ by: '5s', running: { vm9: 'node1' } }] },
      'expect.0.running.vm9',
      "resource 'vm9' is not defined",
    ],
    [
      'device that cannot fence the node',
      { expect: [{ by: '5s', fenced: 'node2', device: 'ilo1' }] },
      'expect.0.device',
      "device 'ilo1' cannot fence 'node2'",
    ],
    [
      'level beyond the topology',
      { expect: [{ by: '5s', fenced: 'node1', level: 3 }] },
      'expect.0.level',
      "node 'node1' has 2 fence level(s), not 3",
    ],
    [
      'at after until',
      { until: '1m', expect: [{ at: '2m', quorate: [] }] },
      'expect.0.at',
      'after the end of the run',
    ],
    [
      'never window reversed',
      { expect: [{ never: { fenced: 'node1' }, from: '5s', to: '1s' }] },
      'expect.0.to',
      "'to' is before 'from'",
    ],
    [
      'running started on a node that is down',
      { world: { start: { up: ['node1'], running: { vm1: 'node2' } } } },
      'world.start.running.vm1',
      "node 'node2' is not up",
    ],
    [
      'failStart on an unknown node',
      { world: { resourceAgents: { vm1: { failStart: { node7: 1 } } } } },
      'world.resourceAgents.vm1.failStart.node7',
      "node 'node7' is not defined",
    ],
  ])('%s', (_label, change, path, message) => {
    const issues = issuesOf(scenario(change));
    expect(
      issues.find((i) => i.path === path && i.message.includes(message)),
      JSON.stringify(issues),
    ).toBeDefined();
  });

  it('prints every issue with its path in the message', () => {
    try {
      parseScenarioDocument(
        scenario({
          events: [
            { at: '1s', crash: 'node9' },
            { at: '2s', hang: 'node8' },
          ],
        }),
      );
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toBe(
        "✖ node 'node9' is not defined\n  → at events[0].crash\n✖ node 'node8' is not defined\n  → at events[1].hang",
      );
    }
  });
});
