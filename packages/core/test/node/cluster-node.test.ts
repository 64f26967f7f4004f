import { describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/config/index.js';
import { callAdapter, createClusterNode } from '../../src/node/index.js';
import type { Transport } from '../../src/ports.js';
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
