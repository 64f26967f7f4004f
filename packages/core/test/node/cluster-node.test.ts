import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import { callAdapter, createClusterNode } from '../../src/node/index.js';
import type { Message, Transport } from '../../src/ports.js';
import {
  createFakeResourceAgent,
  createSeededRandom,
  silentLogger,
  VirtualClock,
} from '../../src/testing/index.js';

const doc = {
  name: 'solo',
  configVersion: 5,
  nodes: [{ name: 'node1', id: 1 }],
  options: { stonithEnabled: false },
  resources: [{ id: 'vm1', agent: 'sim' }],
};

function loneTransport(): Transport {
  return {
    async join() {},
    send() {},
    broadcast() {},
    rings: () => [{ ring: 0, status: 'ok' }],
    onReachability: () => () => {},
    async close() {},
  };
}

function makeNode() {
  const clock = new VirtualClock();
  const agent = createFakeResourceAgent(clock, 1000);
  const node = createClusterNode({
    config: parseClusterConfig(doc),
    node: 'node1',
    transport: loneTransport(),
    fenceAgents: {},
    resourceAgents: { vm1: agent },
    clock,
    logger: silentLogger,
    random: createSeededRandom(1),
  });
  return { clock, agent, node };
}

describe('createClusterNode', () => {
  it('a lone quorate node places and starts its resource', async () => {
    const { clock, agent, node } = makeNode();
    await node.start();
    await clock.advanceTo(5000);
    expect(agent.running.has('vm1')).toBe(true);
    expect(node.status()).toMatchObject({
      quorate: true,
      isCoordinator: true,
      resources: { vm1: 'started' },
    });
    await node.stop();
  });

  it('refuses a stale or equal configVersion and changes nothing on invalid input', async () => {
    const { node } = makeNode();
    await node.start();
    expect(node.applyConfig({ ...doc, configVersion: 5 })).toMatchObject({ ok: false, reason: 'same' });
    expect(node.applyConfig({ ...doc, configVersion: 4 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(node.applyConfig({ ...doc, configVersion: 9, nodes: 'nope' })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    expect(node.status().configVersion).toBe(5);
    expect(node.applyConfig({ ...doc, configVersion: 6 })).toEqual({ ok: true, version: 6 });
    expect(node.status().configVersion).toBe(6);
    await node.stop();
  });

  it('stops the resource on an orderly shutdown before leaving', async () => {
    const { clock, agent, node } = makeNode();
    await node.start();
    await clock.advanceTo(5000);
    const done = node.shutdown();
    await clock.advanceTo(10_000);
    await done;
    expect(agent.running.has('vm1')).toBe(false);
    expect(node.status().running).toBe(false);
  });
});

/**
 * Two nodes on an in-memory network whose links the test raises one direction at a time, as a real
 * transport may: a peer can see us (and send us its report) before we see it.
 */
function pairNetwork(clock: VirtualClock) {
  const handlers: Record<string, (from: string, msg: Message) => void> = {};
  const reach: Record<string, (peer: string, ring: number, up: boolean) => void> = {};
  const transportFor = (self: string): Transport => ({
    async join(_n, onMessage) {
      handlers[self] = onMessage;
    },
    send(to, msg) {
      // Delivered when the receiver's software runs, whatever its own view of the link.
      clock.setTimeout(() => handlers[to]?.(self, msg), 0);
    },
    broadcast() {},
    rings: () => [{ ring: 0, status: 'ok' }],
    onReachability(cb) {
      reach[self] = cb;
      return () => {
        delete reach[self];
      };
    },
    async close() {},
  });
  const raise = (self: string, peer: string): void => {
    reach[self]?.(peer, 0, true);
  };
  return { transportFor, raise };
}

describe('createClusterNode: start-up race', () => {
  it('keeps a report that arrives before its sender is a member, so the coordinator still places', async () => {
    const clock = new VirtualClock();
    const net = pairNetwork(clock);
    const pairDoc = {
      name: 'pair',
      configVersion: 1,
      nodes: [
        { name: 'node1', id: 1 },
        { name: 'node2', id: 2 },
      ],
      options: { stonithEnabled: false, tokenTimeout: '1s' },
      resources: [{ id: 'vm1', agent: 'sim' }],
    };
    const agents = { node1: createFakeResourceAgent(clock, 500), node2: createFakeResourceAgent(clock, 500) };
    const nodes = (['node1', 'node2'] as const).map((n) =>
      createClusterNode({
        config: parseClusterConfig(pairDoc),
        node: n,
        transport: net.transportFor(n),
        fenceAgents: {},
        resourceAgents: { vm1: agents[n] },
        clock,
        logger: silentLogger,
        random: createSeededRandom(1),
      }),
    );
    const [node1, node2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await Promise.all([node1.start(), node2.start()]);
    // node2 hears node1 first: it forms {node1, node2} and sends node1 its report (and sync) now.
    net.raise('node2', 'node1');
    await clock.advanceTo(1000);
    expect(node2.status().members).toEqual(['node1', 'node2']);
    expect(node1.status().members).toEqual(['node1']);
    // Only later does node1 hear node2; node2 sees no change and sends nothing new.
    net.raise('node1', 'node2');
    await clock.advanceTo(10_000);
    expect(node1.status()).toMatchObject({ members: ['node1', 'node2'], quorate: true, isCoordinator: true });
    const where = (['node1', 'node2'] as const).filter((n) => agents[n].running.has('vm1'));
    expect(where).toHaveLength(1);
    // The coordinator machine: node1 leads and decided; node2 follows and never decided.
    expect(node1.status().coordinatorMachine).toMatchObject({
      role: 'leading',
      run: 'idle',
      reports: 'complete',
    });
    expect(node1.status().coordinatorMachine.decisions).toBeGreaterThan(0);
    expect(node2.status().coordinatorMachine).toMatchObject({ role: 'follower', decisions: 0 });
    await Promise.all([node1.stop(), node2.stop()]);
  });
});

describe('callAdapter', () => {
  const failures = {
    timeout: (ms: number) => `timeout ${ms}`,
    aborted: () => 'aborted',
    error: (m: string) => `error ${m}`,
  };

  it('turns a hang into a timeout at the injected clock deadline', async () => {
    const clock = new VirtualClock();
    const p = callAdapter(clock, 3000, undefined, () => new Promise<string>(() => {}), failures);
    await clock.advanceTo(3000);
    await expect(p).resolves.toBe('timeout 3000');
  });

  it('turns a rejection into an error outcome and never rejects', async () => {
    const clock = new VirtualClock();
    await expect(
      callAdapter(clock, 3000, undefined, async () => Promise.reject(new Error('boom')), failures),
    ).resolves.toBe('error boom');
  });

  it('aborts the adapter signal when the caller aborts', async () => {
    const clock = new VirtualClock();
    const ac = new AbortController();
    let seen: AbortSignal | undefined;
    const p = callAdapter(
      clock,
      3000,
      ac.signal,
      (ctx) => {
        seen = ctx.signal;
        return new Promise<string>(() => {});
      },
      failures,
    );
    ac.abort();
    await expect(p).resolves.toBe('aborted');
    expect(seen?.aborted).toBe(true);
  });
});
