import type { Message, NodeName } from '@quorate/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createEtcdConfigStore,
  createEtcdTransport,
  type EtcdTransport,
  type EtcdTransportOptions,
} from '../../src/etcd/index.js';
import { type EtcdServer, etcdUnavailableReason, freeTcpPort, startEtcd } from '../helpers/etcd-server.js';

const skipReason = etcdUnavailableReason();
if (skipReason) console.log(`[etcd] SKIPPED etcd adapter tests: ${skipReason}`);
const ctx = () => ({ signal: new AbortController().signal });

async function waitFor(what: string, cond: () => boolean, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Node {
  t: EtcdTransport;
  inbox: Array<{ from: NodeName; msg: Message }>;
  views: NodeName[][];
}

describe.skipIf(skipReason !== undefined)('etcd transport and config store against a real etcd', () => {
  let etcd: EtcdServer;
  const open: EtcdTransport[] = [];
  let prefixN = 0;
  let prefix = '';

  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  function nextPrefix(): string {
    prefixN += 1;
    prefix = `/quorate-test/${process.pid}-${prefixN}`;
    return prefix;
  }

  async function node(self: string, extra: Partial<EtcdTransportOptions> = {}): Promise<Node> {
    const t = createEtcdTransport({
      hosts: [etcd.endpoint],
      prefix,
      self,
      leaseTtlMs: 1000,
      reconnectMs: 100,
      ...extra,
    });
    open.push(t);
    const n: Node = { t, inbox: [], views: [] };
    t.onMembership((m) => n.views.push(m));
    const r = await t.joinOutcome(self, (from, msg) => n.inbox.push({ from, msg }), ctx());
    expect(r).toEqual({ ok: true });
    return n;
  }

  it('gives membership from lease-bound member keys and delivers send and broadcast', async () => {
    nextPrefix();
    const a = await node('a');
    const b = await node('b');
    const c = await node('c');
    for (const n of [a, b, c]) await waitFor('all see three', () => n.t.members().length === 3);
    expect(a.t.members()).toEqual(['a', 'b', 'c']);
    a.t.send('b', { type: 'ping', n: 1 });
    a.t.broadcast({ type: 'hello' });
    await waitFor('deliveries', () => b.inbox.length === 2 && c.inbox.length === 1);
    expect(b.inbox).toEqual([
      { from: 'a', msg: { type: 'ping', n: 1 } },
      { from: 'a', msg: { type: 'hello' } },
    ]);
    expect(c.inbox).toEqual([{ from: 'a', msg: { type: 'hello' } }]);
    expect(a.inbox).toEqual([]);
    expect(a.t.trySend('zed', { type: 'x' })).toMatchObject({ ok: false, reason: 'not-member' });
    expect(a.t.trySend('b', { type: 'big', blob: 'x'.repeat(70_000) })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    expect(a.t.rings()).toEqual([{ ring: 0, status: 'ok' }]);
    expect(a.t.leaseTtlMs()).toBe(1000); // honoured: the test etcd runs with a 100 ms election timeout
    for (let i = 0; i < 20; i++) c.t.send('b', { type: 'seq', i });
    await waitFor('20 in order', () => b.inbox.length === 22);
    expect(b.inbox.slice(2).map((m) => m.msg.i)).toEqual([...Array(20).keys()]);
  });

  it('sees a clean leave at once and a crashed node after its lease TTL', async () => {
    nextPrefix();
    const a = await node('a');
    const b = await node('b');
    const c = await node('c');
    await waitFor('a sees three', () => a.t.members().length === 3);
    await c.t.close();
    await waitFor('c left', () => a.t.members().join() === 'a,b', 2000);
    const t0 = performance.now();
    await b.t.abandon();
    await waitFor('b expired', () => a.t.members().join() === 'a', 6000);
    const detect = performance.now() - t0;
    console.log(
      `[etcd] crashed node (keepalive stopped) -> membership change: ${detect.toFixed(0)} ms (lease TTL 1 s)`,
    );
    expect(a.views.at(-1)).toEqual(['a']);
  });

  it('reports a node restarted before its lease expired as a leave and a rejoin', async () => {
    nextPrefix();
    const a = await node('a');
    const b = await node('b');
    await waitFor('a sees b', () => a.t.members().length === 2);
    const n = a.views.length;
    await b.t.abandon();
    const b2 = await node('b');
    await waitFor('restart seen', () => a.views.length >= n + 2);
    expect(a.views.slice(n)).toEqual([['a'], ['a', 'b']]);
    // The old lease expiring later does not remove the new incarnation's key.
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.t.members()).toEqual(['a', 'b']);
    a.t.send('b', { type: 'to-new-b' });
    await waitFor('new b got it', () => b2.inbox.length === 1);
  });

  it('reports the TTL etcd really granted when it raises a short one (default election timeout)', async () => {
    const slow = await startEtcd({ fast: false });
    const t = createEtcdTransport({ hosts: [slow.endpoint], prefix: '/ttl', self: 'a', leaseTtlMs: 1000 });
    try {
      expect(await t.joinOutcome('a', () => {}, ctx())).toEqual({ ok: true });
      expect(t.leaseTtlMs()).toBe(2000);
    } finally {
      await t.close();
      await slow.destroy();
    }
  });

  it('answers unreachable etcd with a value, quickly, and reports the node alone', async () => {
    nextPrefix();
    const deadPort = await freeTcpPort();
    const t = createEtcdTransport({
      hosts: [`http://127.0.0.1:${deadPort}`],
      prefix,
      self: 'lonely',
      leaseTtlMs: 1000,
      callTimeoutMs: 300,
      dialTimeoutMs: 300,
    });
    open.push(t);
    const views: NodeName[][] = [];
    t.onMembership((m) => views.push(m));
    const t0 = performance.now();
    const r = await t.joinOutcome('lonely', () => {}, ctx());
    const took = performance.now() - t0;
    expect(r).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(took).toBeLessThan(5000);
    expect(t.members()).toEqual(['lonely']);
    expect(views).toEqual([['lonely']]);
    expect(t.rings()[0]).toMatchObject({ status: 'faulty' });
    expect(t.trySend('x', { type: 'y' })).toMatchObject({ ok: false, reason: 'not-connected' });
    const store = createEtcdConfigStore({
      hosts: [`http://127.0.0.1:${deadPort}`],
      prefix,
      callTimeoutMs: 300,
      dialTimeoutMs: 300,
    });
    expect(await store.read(ctx())).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(await store.compareAndSwap({ configVersion: 1 }, ctx())).toMatchObject({
      ok: false,
      reason: 'unreachable',
    });
    const ac = new AbortController();
    ac.abort();
    expect(await store.read({ signal: ac.signal })).toMatchObject({ ok: false, reason: 'aborted' });
    await store.close();
  });

  it('stores the config document only with a higher configVersion; a stale writer is refused', async () => {
    nextPrefix();
    const s1 = createEtcdConfigStore({ hosts: [etcd.endpoint], prefix });
    const s2 = createEtcdConfigStore({ hosts: [etcd.endpoint], prefix });
    try {
      const seen: number[] = [];
      const unsubscribe = s2.onChange((d) => seen.push(d.configVersion));
      await unsubscribe.ready;
      expect(await s1.read(ctx())).toEqual({ ok: true, doc: null, revision: null });
      expect(await s1.compareAndSwap({ configVersion: 1, name: 'c1' }, ctx())).toMatchObject({
        ok: true,
        configVersion: 1,
      });
      expect(await s2.compareAndSwap({ configVersion: 1, name: 'other' }, ctx())).toMatchObject({
        ok: false,
        reason: 'stale',
        currentVersion: 1,
      });
      expect(await s2.compareAndSwap({ configVersion: 0 }, ctx())).toMatchObject({
        ok: false,
        reason: 'stale',
      });
      expect(await s2.compareAndSwap({ configVersion: 1.5 } as never, ctx())).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
      // Two writers race from the same base version 1 with version 2: exactly one wins.
      const [r1, r2] = await Promise.all([
        s1.compareAndSwap({ configVersion: 2, name: 'from-s1' }, ctx()),
        s2.compareAndSwap({ configVersion: 2, name: 'from-s2' }, ctx()),
      ]);
      const wins = [r1, r2].filter((r) => r.ok);
      expect(wins).toHaveLength(1);
      expect([r1, r2].find((r) => !r.ok)).toMatchObject({ ok: false, reason: 'stale', currentVersion: 2 });
      const now = await s2.read(ctx());
      expect(now.ok && now.doc).toEqual({ configVersion: 2, name: r1.ok ? 'from-s1' : 'from-s2' });
      expect(await s2.compareAndSwap({ configVersion: 3, name: 'c3' }, ctx())).toMatchObject({
        ok: true,
        configVersion: 3,
      });
      await waitFor('watch saw 1, 2, 3', () => seen.length === 3);
      expect(seen).toEqual([1, 2, 3]);
      unsubscribe();
    } finally {
      await s1.close();
      await s2.close();
    }
  });

  // Stops and restarts the shared etcd: keep it last.
  it('shrinks membership to itself when etcd is lost, and rejoins when it is back', async () => {
    nextPrefix();
    const a = await node('a');
    const b = await node('b');
    await waitFor('joined', () => a.t.members().length === 2 && b.t.members().length === 2);
    const t0 = performance.now();
    await etcd.stop();
    await waitFor('both alone', () => a.t.members().join() === 'a' && b.t.members().join() === 'b', 8000);
    const alone = performance.now() - t0;
    expect(a.t.connected()).toBe(false);
    expect(a.t.rings()[0]!.status).toBe('faulty');
    expect(a.t.trySend('b', { type: 'x' })).toMatchObject({ ok: false, reason: 'not-connected' });
    const t1 = performance.now();
    await etcd.restart();
    await waitFor(
      'both back',
      () => a.t.members().join() === 'a,b' && b.t.members().join() === 'a,b',
      15_000,
    );
    const back = performance.now() - t1;
    a.t.send('b', { type: 'after' });
    await waitFor('message after rejoin', () => b.inbox.some((m) => m.msg.type === 'after'));
    expect(a.views).toContainEqual(['a']);
    expect(a.t.stats().sessions).toBeGreaterThanOrEqual(1);
    console.log(
      `[etcd] etcd stopped -> nodes alone: ${alone.toFixed(0)} ms; etcd restarted -> membership back: ${back.toFixed(0)} ms (lease TTL 1 s)`,
    );
  }, 40_000);
});
