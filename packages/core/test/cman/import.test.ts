/**
 * cluster.conf import on Quorate's own files (`testdata/cman/*.conf`, each with a reviewed golden
 * `<name>.expect.json` rewritten by `vitest -u`) and on malformed input.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importClusterConf } from '../../src/cman/index.js';
import { parseClusterConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { computeQuorum, createQuorumState } from '../../src/quorum/index.js';

const dir = fileURLToPath(new URL('../../testdata/cman/', import.meta.url));
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.conf'))
  .sort();
const read = (f: string) => readFileSync(`${dir}${f}`, 'utf8');

/** Every attribute value of XML text whose name says it is a secret. */
function secretsIn(xml: string): string[] {
  return [...xml.matchAll(/\b(?:passwd|password|snmp_priv_passwd)="([^"]*)"/g)].map((m) => m[1] ?? '');
}

describe('importClusterConf on the testdata files', () => {
  it('has files to import', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    describe(file, () => {
      const xml = read(file);
      const out = importClusterConf(xml);

      it('matches its reviewed golden', async () => {
        await expect(`${JSON.stringify(out, null, 2)}\n`).toMatchFileSnapshot(
          `${dir}${file.replace(/\.conf$/, '.expect.json')}`,
        );
      });

      it('gives a document that parseClusterConfig accepts', () => {
        expect(() => parseClusterConfig(out.document)).not.toThrow();
      });

      it('never copies a password', () => {
        const text = JSON.stringify(out);
        const secrets = secretsIn(xml);
        for (const s of secrets) expect(text).not.toContain(s);
      });
    });
  }
});

describe('three nodes, IPMI then dual-PSU PDUs, rgmanager domains', () => {
  const { document, warnings } = importClusterConf(read('three-nodes-pdu-rm.conf'));
  const cfg = parseClusterConfig(document);

  it('keeps the methods as levels in document order, the PDU halves as one level of offs', () => {
    expect(cfg.fencing.topology['alpha.lab.example']).toEqual([['bmc-alpha'], ['pdu-a', 'pdu-b']]);
    expect(cfg.fencing.topology['gamma.lab.example']).toEqual([['bmc-gamma']]);
    expect(cfg.fencing.devices.find((d) => d.name === 'pdu-a')?.port).toEqual({
      'alpha.lab.example': '1',
      'beta.lab.example': '2',
    });
    expect(warnings.filter((w) => w.includes("action 'on' dropped"))).toHaveLength(4);
  });

  it('maps IPMI devices with their parameters and a password placeholder', () => {
    const alpha = cfg.fencing.devices.find((d) => d.name === 'bmc-alpha');
    expect(alpha).toMatchObject({ agent: 'ipmi', delayMs: 15_000, hosts: ['alpha.lab.example'] });
    expect(alpha?.params).toEqual({
      ip: '10.9.0.11',
      username: 'admin',
      passwordEnv: 'BMC_ALPHA_PASSWORD',
      lanplus: true,
      cipher: 3,
    });
    expect(cfg.fencing.devices.find((d) => d.name === 'bmc-beta')?.params).toMatchObject({
      lanplus: true,
      passwordEnv: 'BMC_BETA_PASSWORD',
    });
    expect(cfg.fencing.devices.find((d) => d.name === 'bmc-gamma')?.params).toMatchObject({
      privilege: 'operator',
      username: 'root',
    });
    expect(warnings.some((w) => w.includes("set the environment variable 'BMC_ALPHA_PASSWORD'"))).toBe(true);
  });

  it('maps totem token, post_fail_delay and clean_start', () => {
    expect(cfg.options).toMatchObject({ tokenTimeoutMs: 10_000, fenceDelayMs: 5_000, startupFencing: true });
    expect(cfg.quorum.expectedVotes).toBe(3);
  });

  it('turns failover domains into location constraints', () => {
    const scores = Object.fromEntries(
      cfg.constraints.filter((c) => c.resource === 'vm100').map((c) => ['node' in c ? c.node : '', c.score]),
    );
    expect(scores).toEqual({
      'alpha.lab.example': 200,
      'beta.lab.example': 100,
      'gamma.lab.example': -1_000_000,
    });
    const vm100 = cfg.resources.find((r) => r.id === 'vm100');
    expect(vm100).toMatchObject({
      agent: 'pvevm',
      params: { vmid: '100' },
      stickiness: 1_000_000,
      targetRole: 'started',
    });
    expect(cfg.resources.find((r) => r.id === 'vm101')).toMatchObject({
      targetRole: 'stopped',
      migrationThreshold: 1,
    });
    expect(cfg.resources.find((r) => r.id === 'web')).toMatchObject({
      agent: 'rgmanager-service',
      migrationThreshold: 3,
      failureTimeoutMs: 600_000,
    });
  });

  it('reports every element and attribute it did not carry over', () => {
    for (const fragment of [
      "cluster/logging: element 'logging' not imported",
      "cluster/clusternodes/clusternode[alpha.lab.example]/altname[alpha-r2.lab.example]: element 'altname' not imported",
      "clusternode[gamma.lab.example]: attribute 'weight' not imported",
      "cluster/totem: attribute 'rrp_mode' not imported",
      "cluster/fence_daemon: attribute 'post_join_delay' not imported",
      "cluster/rm/resources: element 'resources' not imported",
      "the child resources of service 'web' (ip, script) are not imported",
      "cluster/rm: attribute 'log_level' not imported",
    ]) {
      expect(
        warnings.some((w) => w.includes(fragment)),
        fragment,
      ).toBe(true);
    }
  });

  it('does not warn about what it did carry over', () => {
    expect(warnings.filter((w) => w.includes('pvevm[101]'))).toEqual([]);
    expect(warnings.filter((w) => w.includes("'token'") || w.includes("'post_fail_delay'"))).toEqual([]);
  });
});

describe('quorum disk with heuristics', () => {
  const { document, warnings } = importClusterConf(read('qdisk-heuristics.conf'));
  const cfg = parseClusterConfig(document);

  it('maps quorumd and reports what it leaves out', () => {
    expect(cfg.quorum).toMatchObject({
      expectedVotes: 6,
      qdisk: { votes: 3, intervalMs: 2000, tko: 12, label: 'qlab_disk', masterWins: false },
    });
    expect(cfg.options.tokenTimeoutMs).toBe(33_000);
    expect(
      warnings.some((w) =>
        w.includes("element 'heuristic' not imported (qdisk heuristics are not supported"),
      ),
    ).toBe(true);
    expect(warnings.some((w) => w.includes("attribute 'allow_kill' not imported"))).toBe(true);
    expect(warnings.some((w) => w.includes("attribute 'quorum_dev_poll' not imported"))).toBe(true);
  });

  it('gives the vote arithmetic of PEERS.md: 3 nodes + 3 disk votes, quorum 4', () => {
    const { result } = computeQuorum(cfg, createQuorumState(cfg), { members: [1], deviceVotes: 3 });
    expect(result).toMatchObject({ votes: 4, expected: 6, quorum: 4, quorate: true });
  });

  it('passes other agents through as exec with their stdin parameters, entities decoded', () => {
    const pdu = cfg.fencing.devices.find((d) => d.name === 'pdu');
    expect(pdu?.agent).toBe('exec:fence_apc');
    expect(pdu?.params).toEqual({
      ipaddr: '10.9.1.5',
      login: 'apc',
      cmd_prompt: 'apc>',
      secure: '1',
      passwordEnv: 'PDU_PASSWORD',
    });
  });
});

describe('fence_pcmk redirect, manual fencing, two_node', () => {
  const { document, warnings } = importClusterConf(read('pcmk-redirect-manual.conf'));
  const cfg = parseClusterConfig(document);

  it('skips the redirect, keeps the manual method and says so', () => {
    expect(cfg.fencing.topology).toEqual({ right: [['operator']] });
    expect(cfg.fencing.devices.map((d) => [d.name, d.agent])).toEqual([
      ['operator', 'manual'],
      ['spare', 'exec:fence_virsh'],
    ]);
    expect(warnings.some((w) => w.includes('redirects fencing to Pacemaker'))).toBe(true);
    expect(warnings.some((w) => w.includes("node 'left' has no fence method"))).toBe(true);
    expect(warnings.some((w) => w.includes("device 'spare' is not used"))).toBe(true);
  });

  it('imports two_node as twoNode with expected votes 2, which implies wait-for-all', () => {
    expect(document.quorum).toEqual({ twoNode: true });
    expect(cfg.quorum).toMatchObject({ twoNode: true, waitForAll: true });
    expect(warnings.some((w) => w.includes('cman had no wait-for-all'))).toBe(true);
  });
});

describe('importClusterConf refuses broken input with a ConfigError naming the element', () => {
  const wrap = (inner: string, attrs = 'name="c" config_version="1"') =>
    `<cluster ${attrs}>${inner}</cluster>`;
  const nodes = '<clusternodes><clusternode name="a" nodeid="1"/></clusternodes>';
  it.each([
    {
      why: 'a mismatched closing tag',
      xml: wrap('<clusternodes><clusternode name="a" nodeid="1"></clusternodes>'),
      names: 'clusternode',
    },
    { why: 'an unclosed root', xml: '<cluster name="c" config_version="1">', names: 'cluster' },
    { why: 'empty text', xml: '', names: 'cluster' },
    {
      why: 'a placeholder left in an attribute',
      xml: wrap('<clusternodes><clusternode name="<node1>" nodeid="1"/></clusternodes>'),
      names: 'clusternode',
    },
    { why: 'a root other than cluster', xml: '<clusterconf name="c"/>', names: 'clusterconf' },
    {
      why: 'two root elements',
      xml: `${wrap(nodes)}<cluster name="d" config_version="1"/>`,
      names: 'cluster',
    },
    { why: 'a cluster without name', xml: wrap(nodes, 'config_version="1"'), names: "'name'" },
    { why: 'a cluster without config_version', xml: wrap(nodes, 'name="c"'), names: 'config_version' },
    { why: 'no clusternodes', xml: wrap('<cman/>'), names: 'clusternodes' },
    { why: 'an empty clusternodes', xml: wrap('<clusternodes/>'), names: 'clusternode' },
    {
      why: 'a node without nodeid',
      xml: wrap('<clusternodes><clusternode name="a"/></clusternodes>'),
      names: 'nodeid',
    },
    {
      why: 'a non-numeric nodeid',
      xml: wrap('<clusternodes><clusternode name="a" nodeid="one"/></clusternodes>'),
      names: 'nodeid',
    },
    { why: 'a non-numeric token', xml: wrap(`<totem token="3s"/>${nodes}`), names: 'totem' },
    {
      why: 'a method naming an undefined device',
      xml: wrap(
        '<clusternodes><clusternode name="a" nodeid="1"><fence><method name="1"><device name="nope"/></method></fence></clusternode></clusternodes>',
      ),
      names: 'nope',
    },
    {
      why: 'an IPMI device without an address',
      xml: wrap(
        `${nodes}<fencedevices><fencedevice name="b" agent="fence_ipmilan" login="x"/></fencedevices>`,
      ),
      names: 'ipaddr',
    },
    {
      why: 'an entity declaration',
      xml: `<!DOCTYPE cluster [<!ENTITY x "y">]>${wrap(nodes)}`,
      names: 'ENTITY',
    },
    {
      why: 'a domain naming an unknown node',
      xml: wrap(
        `${nodes}<rm><failoverdomains><failoverdomain name="d"><failoverdomainnode name="zz"/></failoverdomain></failoverdomains></rm>`,
      ),
      names: 'zz',
    },
  ])('$why', ({ xml, names }) => {
    let caught: unknown;
    try {
      importClusterConf(xml);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(names);
    expect((caught as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('reports text content it does not import', () => {
    const out = importClusterConf(
      wrap(
        `<cman>two_node</cman>${nodes}<fencedevices><fencedevice name="f" agent="fence_x">hunter2</fencedevice></fencedevices>`,
      ),
    );
    expect(out.warnings).toContain('cluster/cman: text content (8 characters) not imported');
    expect(out.warnings).toContain(
      'cluster/fencedevices/fencedevice[f]: text content (7 characters) not imported',
    );
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('accepts a minimal file and says what the defaults mean', () => {
    const out = importClusterConf(wrap(nodes));
    expect(out.document).toEqual({ name: 'c', configVersion: 1, nodes: [{ name: 'a', id: 1 }] });
    expect(out.warnings.some((w) => w.includes("node 'a' has no fence method"))).toBe(true);
  });
});
