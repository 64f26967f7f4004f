/**
 * The cluster.conf files of the field reports (seeds 000 and 001), read in place from
 * `../shared/seeds/` (never copied into the repo). Values are checked against the XML text itself
 * with plain regular expressions, independent of the importer. Skipped, and saying so, when the
 * seeds are absent.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importClusterConf } from '../../src/cman/index.js';
import { parseClusterConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/errors.js';
import { computeQuorum, createQuorumState, electQdiskMaster, qdiskVotes } from '../../src/quorum/index.js';

const seedsDir = fileURLToPath(new URL('../../../../../shared/seeds/', import.meta.url));
const seedFile = (prefix: string): string | undefined => {
  if (!existsSync(seedsDir)) return undefined;
  const f = readdirSync(seedsDir).find((n) => n.startsWith(prefix) && n.endsWith('.txt'));
  return f === undefined ? undefined : readFileSync(`${seedsDir}${f}`, 'utf8');
};
const seed000 = seedFile('000_');
const seed001 = seedFile('001_');
if (seed000 === undefined || seed001 === undefined) {
  console.warn(`cman seed tests skipped: seeds 000/001 not found in ${seedsDir}`);
}

/** The first `<tag ...>` of `xml` as text, or '' (for reading attributes independently). */
function tagText(xml: string, tag: string): string {
  return new RegExp(`<${tag}\\b[^>]*>`).exec(xml)?.[0] ?? '';
}
function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
}
/** Text from the first `open` to the following `close` (inclusive), from `from`. */
function block(text: string, open: string, close: string, from = 0): string {
  const start = text.indexOf(open, from);
  const end = text.indexOf(close, start);
  if (start < 0 || end < 0) throw new Error(`block ${open}..${close} not found in the seed`);
  return text.slice(start, end + close.length);
}

describe.skipIf(seed000 === undefined)('seed 000: Intel Modular Server chassis (fence_intelmodular)', () => {
  const text = seed000 ?? '';
  const xml = block(text, '<?xml', '</cluster>');
  const out = importClusterConf(xml);
  const cfg = parseClusterConfig(out.document);
  const clusterTag = tagText(xml, 'cluster');
  const deviceTag = tagText(xml, 'fencedevice');
  const nodeTags = [...xml.matchAll(/<clusternode\b[^>]*>[\s\S]*?<\/clusternode>/g)].map((m) => m[0]);

  it('imports name, version and every node with its id and votes', () => {
    expect(out.document.name).toBe(attr(clusterTag, 'name'));
    expect(out.document.configVersion).toBe(Number(attr(clusterTag, 'config_version')));
    expect(nodeTags).toHaveLength(2);
    expect(cfg.nodes.map((n) => [n.name, n.id, n.votes])).toEqual(
      nodeTags.map((t) => [attr(t, 'name'), Number(attr(t, 'nodeid')), Number(attr(t, 'votes'))]),
    );
  });

  it('makes the chassis one snmp-ims device with the blade slot of each node as its port', () => {
    const ims = cfg.fencing.devices[0];
    expect(cfg.fencing.devices).toHaveLength(1);
    expect(ims?.name).toBe(attr(deviceTag, 'name'));
    expect(ims?.agent).toBe('snmp-ims');
    const ports = Object.fromEntries(
      nodeTags.map((t) => [attr(t, 'name'), attr(tagText(t, 'device'), 'port')]),
    );
    expect(ims?.port).toEqual(ports);
    expect(ims?.hosts).toEqual(Object.keys(ports));
    for (const n of cfg.nodes) expect(cfg.fencing.topology[n.name]).toEqual([[ims?.name]]);
    expect(ims?.params).toEqual({
      ip: attr(deviceTag, 'ipaddr'),
      username: attr(deviceTag, 'login'),
      passwordEnv: `${String(attr(deviceTag, 'name')).toUpperCase()}_PASSWORD`,
      snmpVersion: attr(deviceTag, 'snmp_version'),
      secLevel: attr(deviceTag, 'snmp_sec_level'),
      authProtocol: attr(deviceTag, 'snmp_auth_prot'),
    });
  });

  it('never copies the SNMP password, and says which variable to set instead', () => {
    const secret = attr(deviceTag, 'passwd');
    expect(secret).toBeTruthy();
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(out.warnings.some((w) => w.includes('plaintext password') && w.includes('_PASSWORD'))).toBe(true);
  });

  it('warns that two nodes without two_node lose quorum with one node, as the page itself notes', () => {
    expect(cfg.quorum.twoNode).toBe(false);
    expect(out.warnings.some((w) => w.includes('losing either node loses quorum'))).toBe(true);
    const s = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 2], deviceVotes: 0 }).state;
    expect(computeQuorum(cfg, s, { members: [1], deviceVotes: 0 }).result).toMatchObject({
      votes: 1,
      expected: 2,
      quorum: 2,
      quorate: false,
    });
  });

  it('reports the cman keyfile attribute it leaves out', () => {
    expect(out.warnings.some((w) => w.startsWith("cluster/cman: attribute 'keyfile' not imported"))).toBe(
      true,
    );
  });
});

describe.skipIf(seed001 === undefined)('seed 001: two nodes with IPMI, then a quorum disk', () => {
  const text = seed001 ?? '';
  // First setup: the page gives the cman line, then <fencedevices> and <clusternodes> blocks.
  const cmanLine = /<cman\b[^>]*two_node[^>]*>/.exec(text)?.[0] ?? '';
  const devicesBlock = block(text, '<fencedevices>', '</fencedevices>');
  const nodesBlock = block(text, '<clusternodes>\n', '</clusternodes>', text.indexOf(devicesBlock));
  // Second setup: a full header (with quorumd and totem) that continues with "...".
  const header = block(text, '<?xml', '<totem');
  const headerEnd = text.indexOf('/>', text.indexOf(header) + header.length) + 2;
  const header2 = text.slice(text.indexOf(header), headerEnd);
  const clusterTag = tagText(header2, 'cluster');
  const version = Number(attr(clusterTag, 'config_version'));
  const name = attr(clusterTag, 'name') ?? '';

  /** The page's placeholders (<name_node1>) are not XML; the page also self-closes one node. */
  const repair = (s: string) =>
    s.replace(/"<([^"<>]+)>"/g, '"$1"').replace(/(<clusternode\b[^>]*?)\/>/g, '$1>');
  const cman = cmanLine.replace(/\/?>$/, '/>');
  const firstSetup = (fix: (s: string) => string) =>
    `<cluster name="${name}" config_version="${version - 1}">${cman}${fix(nodesBlock)}${fix(devicesBlock)}</cluster>`;

  it('finds the blocks it needs in the page', () => {
    expect(cmanLine).toContain('expected_votes');
    expect(nodesBlock).toContain('<clusternode');
    expect(header2).toContain('<quorumd');
    expect(header2).toContain('<totem');
  });

  it('refuses the page text as written: it is not well-formed XML', () => {
    expect(() => importClusterConf(firstSetup((s) => s))).toThrow(ConfigError);
    expect(() => importClusterConf(firstSetup((s) => s))).toThrow(/clusternode/);
  });

  describe('first setup (two_node, IPMI per node), once the placeholders are filled in', () => {
    const out = importClusterConf(firstSetup(repair));
    const cfg = parseClusterConfig(out.document);
    const deviceTags = [...repair(devicesBlock).matchAll(/<fencedevice\b[^>]*>/g)].map((m) => m[0]);

    it('imports two_node as twoNode with wait-for-all, and says how that differs from cman', () => {
      expect(cfg.quorum).toMatchObject({ twoNode: true, waitForAll: true });
      expect(cfg.quorum.expectedVotes).toBeUndefined();
      expect(out.warnings.some((w) => w.includes('cman had no wait-for-all'))).toBe(true);
      // A lone node after seeing both keeps quorum 1, as two_node intends.
      let s = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 2], deviceVotes: 0 }).state;
      s = computeQuorum(cfg, s, { members: [2], deviceVotes: 0 }).state;
      expect(s).toMatchObject({ quorate: true, quorum: 1 });
    });

    it('gives each node one level with its own IPMI device, passwords as placeholders', () => {
      expect(deviceTags).toHaveLength(2);
      expect(cfg.fencing.devices.map((d) => d.agent)).toEqual(['ipmi', 'ipmi']);
      cfg.nodes.forEach((n, i) => {
        const dev = cfg.fencing.devices[i];
        expect(cfg.fencing.topology[n.name]).toEqual([[dev?.name]]);
        expect(dev?.hosts).toEqual([n.name]);
        expect(dev?.params.username).toBe(attr(deviceTags[i] ?? '', 'login'));
        expect(dev?.params.passwordEnv).toMatch(/^[A-Z0-9_]+_PASSWORD$/);
      });
      for (const t of deviceTags) {
        const secret = attr(t, 'passwd');
        expect(secret).toBeTruthy();
        expect(JSON.stringify(out)).not.toContain(secret);
      }
    });
  });

  describe('second setup (quorum disk, expected votes 3, long token)', () => {
    const xml = `${repair(header2)}${repair(nodesBlock)}${repair(devicesBlock)}</cluster>`;
    const out = importClusterConf(xml);
    const cfg = parseClusterConfig(out.document);
    const quorumdTag = tagText(header2, 'quorumd');

    it('maps quorumd, expected votes and the totem token', () => {
      expect(cfg.configVersion).toBe(version);
      expect(cfg.quorum.twoNode).toBe(false);
      expect(cfg.quorum.expectedVotes).toBe(Number(attr(tagText(header2, 'cman'), 'expected_votes')));
      expect(cfg.quorum.qdisk).toEqual({
        votes: Number(attr(quorumdTag, 'votes')),
        intervalMs: 1000 * Number(attr(quorumdTag, 'interval')),
        tko: Number(attr(quorumdTag, 'tko')),
        label: attr(quorumdTag, 'label'),
        masterWins: true,
      });
      expect(cfg.options.tokenTimeoutMs).toBe(Number(attr(tagText(header2, 'totem'), 'token')));
      expect(out.warnings.some((w) => w.includes("attribute 'allow_kill' not imported"))).toBe(true);
    });

    it('keeps the node that holds the disk master quorate after a cable pull: 2 of 3 votes', () => {
      const qdisk = cfg.quorum.qdisk;
      // node1 is dead to the disk: one round without a master, then node2 takes over.
      const vacant = electQdiskMaster(1, [2]);
      expect(vacant).toBeNull();
      const master = electQdiskMaster(vacant, [2]);
      const deviceVotes = qdiskVotes(qdisk, { members: [2], masterId: master, liveIds: [2], selfId: 2 });
      let s = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 2], deviceVotes: 1 }).state;
      const survivor = computeQuorum(cfg, s, { members: [2], deviceVotes });
      expect(survivor.result).toMatchObject({ votes: 2, expected: 3, quorum: 2, quorate: true });
      s = computeQuorum(cfg, createQuorumState(cfg), { members: [1, 2], deviceVotes: 1 }).state;
      expect(computeQuorum(cfg, s, { members: [1], deviceVotes: 0 }).result).toMatchObject({
        votes: 1,
        quorate: false,
      });
    });
  });
});
