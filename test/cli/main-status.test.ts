/**
 * `quorate status`: snapshots from real `ClusterNode`s (three nodes on the simulator's World and a
 * virtual clock), written as a host would (JSON lines among other log lines), shown and checked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ClusterNode,
  type ClusterNodeStatus,
  createClusterNode,
  parseScenario,
  World,
} from '@quorate/core';
import { createSeededRandom, silentLogger, VirtualClock } from '@quorate/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quorate } from './run-quorate.js';

const dir = mkdtempSync(join(tmpdir(), 'quorate-cli-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = parseScenario(`
name: status-source
cluster:
  name: lab
  configVersion: 4
  nodes: [{ name: node1, id: 1 }, { name: node2, id: 2 }, { name: node3, id: 3 }]
  options: { tokenTimeout: 3s }
  fencing:
    devices:
      - { name: f1, agent: sim, hosts: [node1] }
      - { name: f2, agent: sim, hosts: [node2] }
      - { name: f3, agent: sim, hosts: [node3] }
    maxAttempts: 1
    retryInterval: 10m
  resources: [{ id: vm1 }, { id: vm2 }]
world:
  fenceDevices:
    f3: { result: fail }
`);

const clock = new VirtualClock();
const nodes = new Map<string, ClusterNode>();
const world = new World(clock, scenario.world, scenario.cluster, {
  log: () => {},
  actionBegins: () => {},
  resourceUp: () => {},
  fenceDeviceRun: () => {},
  nodeGone: () => {},
  powerOff: () => {},
  nodeBooted(m) {
    const node = createClusterNode({
      config: scenario.cluster,
      node: m.name,
      transport: world.transportFor(m.name),
      fenceAgents: Object.fromEntries(
        scenario.cluster.fencing.devices.map((d) => [d.name, world.fenceAgentFor(m.name, d.name)]),
      ),
      resourceAgents: Object.fromEntries(
        scenario.cluster.resources.map((r) => [r.id, world.resourceAgentFor(m.name, r.id)]),
      ),
      clock,
      logger: silentLogger,
      random: createSeededRandom(1),
    });
    m.node = node;
    nodes.set(m.name, node);
    void node.start().then(() => world.refreshLinks());
  },
});

/** What a host writes: its own log lines, and `status()` as JSON lines with extra keys. */
function hostLog(name: string): string {
  const lines = ['booting', JSON.stringify({ t: 1, event: 'boot', pid: 1 })];
  for (const node of nodes.values()) {
    if (node.status().running)
      lines.push(JSON.stringify({ t: 2, event: 'status', ...node.status() }), 'plain text');
  }
  const f = join(dir, name);
  writeFileSync(f, `${lines.join('\n')}\n`);
  return f;
}

let healthy: string;
let degraded: string;
let statuses: ClusterNodeStatus[];
beforeAll(async () => {
  for (const name of ['node1', 'node2', 'node3']) {
    const m = world.machine(name);
    m.power = true;
    world.startSoftware(m);
  }
  await clock.advanceTo(15_000);
  healthy = hostLog('healthy.jsonl');
  // node3 is cut off; its only fence device fails, so node1/node2 wait for a fence of node3.
  world.groups = [['node1', 'node2'], ['node3']];
  world.refreshLinks();
  await clock.advanceTo(40_000);
  degraded = hostLog('degraded.jsonl');
  statuses = [...nodes.values()].map((n) => n.status());
  for (const n of nodes.values()) await n.stop();
});

describe('quorate status', () => {
  it('shows each node’s view of a healthy cluster; --check exits 0', async () => {
    const r = await quorate('status', '--check', healthy);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const first = r.out.split('\n')[0];
    expect(first).toBe('node1: quorate, 3 of 3 votes (quorum 2), coordinator, configVersion 4');
    expect(r.out).toMatch(/^node2: quorate, 3 of 3 votes \(quorum 2\), coordinator node1, configVersion 4$/m);
    expect(r.out).toContain('  nodes: node1 member, node2 member, node3 member\n');
    const placed = r.out.match(/resources here: (.*)/g)?.join(' ') ?? '';
    expect(placed).toMatch(/vm1 started/);
    expect(placed).toMatch(/vm2 started/);
  });

  it('after node3 is cut off and cannot be fenced: the pending fence is shown, --check exits 1', async () => {
    const n1 = statuses.find((s) => s.node === 'node1');
    expect(n1?.fencePending).toEqual(['node3']);
    const r = await quorate('status', degraded);
    expect(r.code).toBe(0);
    expect(r.out).toContain('node1: quorate, 2 of 3 votes (quorum 2), coordinator, configVersion 4\n');
    expect(r.out).toContain('  nodes: node1 member, node2 member, node3 unclean\n');
    expect(r.out).toContain('  fence pending: node3\n');
    expect(r.out).toMatch(/^node3: NOT quorate, 1 of 3 votes/m);
    const c = await quorate('status', '--check', degraded);
    expect(c.code).toBe(1);
    expect(c.err).toContain("problem: 'node1' waits for a fence of 'node3'\n");
    expect(c.err).toContain("problem: 'node3' is not quorate (1 of 3 votes)\n");
    expect(c.err).toContain("problem: 'node1' sees 'node3' unclean\n");
  });

  it('reads one snapshot or an array as plain JSON, and --json prints the snapshots used', async () => {
    const one = join(dir, 'one.json');
    writeFileSync(one, JSON.stringify(statuses[0]));
    expect((await quorate('status', one)).out.split('\n')[0]).toMatch(/^node1: quorate/);
    const all = join(dir, 'all.json');
    writeFileSync(all, JSON.stringify(statuses));
    const j = await quorate('status', '--json', all);
    expect(j.code).toBe(0);
    expect((JSON.parse(j.out) as ClusterNodeStatus[]).map((s) => s.node)).toEqual([
      'node1',
      'node2',
      'node3',
    ]);
  });

  it.each([
    [['status'], 'missing FILE'],
    [['status', 'a', 'b'], 'one file only'],
    [['status', '--watch', 'a'], "unknown option '--watch'"],
    [['status', join(dir, 'nope.json')], 'no such file'],
  ])('%j → exit 2 (%s)', async (argv, msg) => {
    const r = await quorate(...argv);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(msg);
  });

  it('a file without any snapshot is exit 2 and says which field is missing', async () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, JSON.stringify({ node: 'node1', members: [] }));
    const r = await quorate('status', f);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("no node status snapshot in '");
    expect(r.err).toMatch(/ {2}running: /);
  });
});
