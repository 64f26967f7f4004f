/**
 * Seed 001 with the library API: two `createClusterNode` instances on simulated hardware (the
 * simulator's World gives them a network, IPMI devices, a quorum disk and a VM agent), driven by a
 * virtual clock. Then the whole failover story of `failover.yaml` through `runScenario`.
 *
 * Run: node --conditions=@quorate/source --import tsx examples/seed-001/main.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClusterNode,
  createClusterNode,
  formatTimelineEntry,
  parseScenario,
  runScenario,
  World,
} from '@quorate/core';
import { createSeededRandom, silentLogger, VirtualClock } from '@quorate/core/testing';

const here = dirname(fileURLToPath(import.meta.url));
const scenario = parseScenario(readFileSync(join(here, 'failover.yaml'), 'utf8'));

// ---- 1. The library API: one ClusterNode per machine ------------------------------------------
const clock = new VirtualClock();
const nodes = new Map<string, ClusterNode>();
const world: World = new World(clock, scenario.world, scenario.cluster, {
  log: () => {},
  actionBegins: () => {},
  resourceUp: () => {},
  fenceDeviceRun: () => {},
  nodeGone: () => {},
  powerOff: (m, cause) => console.log(`  world: ${m.name} power off (${cause})`),
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
      quorumDisk: world.quorumDiskFor(m.name),
      clock,
      logger: silentLogger,
      random: createSeededRandom(1),
    });
    m.node = node;
    nodes.set(m.name, node);
    node.on('quorum', (q) =>
      console.log(`  ${m.name}: ${q.quorate ? 'quorate' : 'inquorate'} (${q.votes}/${q.expected} votes)`),
    );
    node.on('fence', (f) => {
      if (f.kind === 'succeeded') console.log(`  ${m.name}: fenced ${f.target} with ${f.device}`);
    });
    node.on('resource', (r) => {
      if (r.action !== 'probe')
        console.log(`  ${m.name}: ${r.action} ${r.resource} ${r.ok ? 'ok' : 'failed'}`);
    });
    void node.start().then(() => world.refreshLinks());
  },
});

console.log('1. two ClusterNodes, then node1 loses its cable at 10s:');
world.machine('node1').running.add('vm100');
for (const name of ['node1', 'node2']) {
  const m = world.machine(name);
  m.power = true;
  world.startSoftware(m);
}
await clock.advanceTo(10_000);
world.groups = [['node1'], ['node2']];
world.qdiskPath.set('node1', false);
world.refreshLinks();
await clock.advanceTo(40_000);
const s = nodes.get('node2')?.status();
console.log(
  `  node2 status at 40s: members [${s?.members.join(', ')}], quorate ${s?.quorate}, runs ${JSON.stringify(s?.resources)}`,
);
for (const n of nodes.values()) await n.stop();

// ---- 2. The whole story as a scenario ---------------------------------------------------------
console.log('\n2. failover.yaml through runScenario:');
const result = await runScenario(scenario, { seed: 1 });
for (const e of result.timeline) if (e.atMs > 0) console.log(formatTimelineEntry(e));
console.log(
  result.ok
    ? '\nevery expectation and invariant holds'
    : `\nFAILED: ${result.failures.map((f) => f.message).join('; ')}`,
);
process.exitCode = result.ok ? 0 : 1;
