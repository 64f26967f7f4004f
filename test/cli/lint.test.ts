/**
 * `quorate lint`: exit codes, what goes to stdout and stderr, every issue with its path, and the
 * warnings (table-driven: each row is a document and the warning paths it must give, no more).
 * Every scenario file of the repo (and of ../shared/scenarios when present) must lint clean as a
 * scenario.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { quorate } from './run-quorate.js';

const dir = mkdtempSync(join(tmpdir(), 'quorate-cli-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(content: unknown, ext = 'yaml'): string {
  const f = join(dir, `doc-${++n}.${ext}`);
  writeFileSync(
    f,
    typeof content === 'string' ? content : ext === 'json' ? JSON.stringify(content) : stringify(content),
  );
  return f;
}

/** Three nodes, one IPMI device each: nothing to warn about. */
const clean = {
  name: 'lab',
  configVersion: 7,
  nodes: [{ name: 'n1' }, { name: 'n2' }, { name: 'n3' }],
  fencing: {
    devices: ['n1', 'n2', 'n3'].map((h) => ({
      name: `ipmi-${h}`,
      agent: 'ipmi',
      hosts: [h],
      params: { ip: '127.0.0.1', passwordEnv: 'IPMI_PASSWORD' },
    })),
  },
  resources: [{ id: 'vm1', agent: 'ocf:heartbeat:Dummy' }, { id: 'vm2' }],
};

describe('quorate lint: valid documents', () => {
  it('prints the summary line on stdout, nothing on stderr, exit 0', async () => {
    const r = await quorate('lint', file(clean));
    expect(r).toEqual({
      code: 0,
      out: "ok: cluster 'lab' configVersion 7, 3 nodes, 2 resources, 3 fence devices\n",
      err: '',
    });
  });

  it('reads JSON as well, and counts in the singular', async () => {
    const one = { nodes: [{ name: 'solo' }], options: { stonithEnabled: false } };
    const r = await quorate('lint', file(one, 'json'));
    expect(r.code).toBe(0);
    expect(r.out).toBe("ok: cluster 'quorate' configVersion 0, 1 node, 0 resources, 0 fence devices\n");
  });

  it("checks only the 'cluster:' section of a file that has one (what 'quorate import' prints)", async () => {
    const r = await quorate('lint', file({ cluster: clean, events: 'not looked at' }));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: cluster 'lab' /);
  });

  it('with --json prints one object with the summary and the warnings', async () => {
    const r = await quorate('lint', '--json', file({ ...clean, options: { maintenanceMode: true } }));
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o).toMatchObject({
      ok: true,
      summary: "cluster 'lab' configVersion 7, 3 nodes, 2 resources, 3 fence devices",
      issues: [],
    });
    expect(o.warnings.map((w: { path: unknown }) => w.path)).toEqual([['options', 'maintenanceMode']]);
  });
});

describe('quorate lint: invalid documents (exit 2, every issue with its path, nothing on stdout)', () => {
  it('lists every bad field, each with its path', async () => {
    const bad = {
      ...clean,
      nodes: [{ name: 'n1' }, { name: 'n3', votes: -1 }],
      options: { tokenTimeout: 'soon', bogus: 1 },
    };
    const r = await quorate('lint', file(bad));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('nodes[1].votes: ');
    expect(r.err).toContain("options.tokenTimeout: expected a duration such as '250ms'");
    expect(r.err).toContain('options: Unrecognized key: "bogus"');
    // The cross-field issue (a device's host that is not a node) is reported in the same run.
    expect(r.err).toContain("fencing.devices[1].hosts[0]: node 'n2' is not defined");
    expect(r.err).toContain('is invalid (4 issues)');
  });

  it('lists every cross-field issue once the fields themselves are well-formed', async () => {
    const bad = {
      ...clean,
      nodes: [{ name: 'n1' }, { name: 'n1' }, { name: 'n3' }],
      fencing: { devices: clean.fencing.devices, topology: { n3: [['pdu-9']] } },
      quorum: { twoNode: true },
    };
    const r = await quorate('lint', file(bad));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("nodes[1].name: node name 'n1' is used twice");
    expect(r.err).toContain("fencing.topology.n3[0][0]: device 'pdu-9' is not defined");
    expect(r.err).toContain('quorum.twoNode: twoNode needs exactly 2 nodes');
  });

  it("prefixes paths with 'cluster.' when the document is a 'cluster:' section", async () => {
    const r = await quorate('lint', file({ cluster: { nodes: [] } }));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('cluster.nodes: a cluster needs at least one node');
  });

  it('says where the YAML is broken', async () => {
    const r = await quorate('lint', file('nodes: [a\nname: x: y\n'));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/\(document\): not valid YAML or JSON: .*line/s);
  });

  it('refuses a list, a scalar and an empty file as a cluster document', async () => {
    for (const text of ['- a\n- b\n', 'hello\n', '']) {
      const r = await quorate('lint', file(text));
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain('expected a cluster document');
    }
  });

  it('--json still prints the issues as an object, and exit 2', async () => {
    const r = await quorate('lint', '--json', file({ nodes: [{ name: 'all' }] }));
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toMatchObject({ ok: false, issues: [{ path: ['nodes', 0, 'name'] }] });
  });

  it('--scenario checks the whole scenario and reports paths from its root', async () => {
    const sc = { name: 's', cluster: clean, events: [{ at: 'soon', crash: 'n9' }] };
    const r = await quorate('lint', '--scenario', file(sc));
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/events\[0\]/);
  });
});

describe('quorate lint: usage', () => {
  it.each([
    [['lint'], 'missing FILE'],
    [['lint', 'a', 'b'], 'one file only'],
    [['lint', '--frobnicate', 'a'], "unknown option '--frobnicate'"],
    [['lint', join(dir, 'nope.yaml')], 'no such file'],
  ])('%j → exit 2, %s', async (argv, msg) => {
    const r = await quorate(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(msg);
  });

  it('--help prints the usage on stdout, exit 0', async () => {
    const r = await quorate('lint', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: quorate lint FILE/);
  });
});

type Doc = Record<string, unknown>;
const twoNodes = (extra: Doc = {}): Doc => ({
  nodes: [{ name: 'a' }, { name: 'b' }],
  fencing: {
    devices: [
      { name: 'fa', agent: 'ipmi', hosts: ['a'], params: { ip: '127.0.0.1' } },
      { name: 'fb', agent: 'ipmi', hosts: ['b'], params: { ip: '127.0.0.1' } },
    ],
  },
  ...extra,
});

const warningCases: Array<[string, Doc, string[]]> = [
  ['three nodes, each with a device: nothing', clean, []],
  ['two nodes, equal votes, no twoNode/qdisk/qdevice', twoNodes(), ['quorum']],
  ['two nodes with twoNode', twoNodes({ quorum: { twoNode: true } }), []],
  ['two nodes with a qdisk', twoNodes({ quorum: { qdisk: {} } }), []],
  ['two nodes with a qdevice', twoNodes({ quorum: { qdevice: {} } }), []],
  ['two nodes with autoTieBreaker', twoNodes({ quorum: { autoTieBreaker: true } }), []],
  [
    'two nodes, one with 2 votes (that one keeps quorum alone)',
    { ...twoNodes(), nodes: [{ name: 'a', votes: 2 }, { name: 'b' }] },
    [],
  ],
  [
    'stonith on, no device at all',
    { nodes: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
    ['options.stonithEnabled'],
  ],
  [
    'stonith off (and so no device needed)',
    { nodes: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], options: { stonithEnabled: false } },
    ['options.stonithEnabled'],
  ],
  [
    'stonith off on a one-node cluster: nothing',
    { nodes: [{ name: 'a' }], options: { stonithEnabled: false } },
    [],
  ],
  [
    'one node of three has no device',
    { ...clean, fencing: { devices: clean.fencing.devices.slice(0, 2) } },
    ['fencing.topology.n3'],
  ],
  [
    'a watchdog covers the node without a device',
    {
      ...clean,
      fencing: {
        devices: [...clean.fencing.devices.slice(0, 2), { name: 'wd', agent: 'watchdog', hosts: ['n3'] }],
      },
    },
    [],
  ],
  [
    'a device that fences nobody',
    { ...clean, fencing: { devices: [...clean.fencing.devices, { name: 'spare', agent: 'manual' }] } },
    ['fencing.devices[3]'],
  ],
  [
    'a password in the params',
    {
      ...clean,
      fencing: {
        devices: [
          { ...clean.fencing.devices[0], params: { ip: '127.0.0.1', passwd: 'x' } },
          ...clean.fencing.devices.slice(1),
        ],
      },
    },
    ['fencing.devices[0].params.passwd'],
  ],
  ['maintenanceMode', { ...clean, options: { maintenanceMode: true } }, ['options.maintenanceMode']],
  ['stopAllResources', { ...clean, options: { stopAllResources: true } }, ['options.stopAllResources']],
];

describe('quorate lint: warnings', () => {
  it.each(warningCases)('%s', async (_what, doc, paths) => {
    const r = await quorate('lint', file(doc));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: /);
    const got = r.err
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => /^warning: (\S+): /.exec(l)?.[1] ?? `unparsed line: ${l}`);
    expect(got).toEqual(paths);
  });

  it('--strict turns warnings into exit 1 (the summary is still printed)', async () => {
    const r = await quorate('lint', '--strict', file(twoNodes()));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ok: /);
    expect((await quorate('lint', '--strict', file(clean))).code).toBe(0);
  });

  it('never prints the value of a password it warns about', async () => {
    const doc = twoNodes({ quorum: { twoNode: true } });
    (doc.fencing as { devices: Array<{ params: Doc }> }).devices[0]!.params.password = 'hunter2-secret';
    const r = await quorate('lint', file(doc));
    expect(r.err).toContain('params.password');
    expect(r.out + r.err).not.toContain('hunter2-secret');
  });
});

const root = fileURLToPath(new URL('../../', import.meta.url));
const scenarioDirs = [join(root, 'test/scenarios'), join(root, '../shared/scenarios')];
if (!existsSync(scenarioDirs[1] as string))
  console.warn(`lint: ../shared/scenarios not found; only the repo's scenarios are linted`);

describe('quorate lint --scenario on every scenario file', () => {
  const files = scenarioDirs
    .filter((d) => existsSync(d))
    .flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(d, f)),
    );
  it('finds scenario files', () => expect(files.length).toBeGreaterThan(10));
  it.each(files.map((f) => [relative(root, f)]))('%s is valid', async (f) => {
    const r = await quorate('lint', '--scenario', join(root, f));
    expect(r.err.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '))).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ok: scenario '.+', cluster '.+' configVersion \d+, /);
  });
});
