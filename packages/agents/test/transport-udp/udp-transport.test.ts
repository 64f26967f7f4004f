import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuorateError } from '@quorate/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createUdpTransport } from '../../src/transport-udp/index.js';
import { type Packet, sealPacket } from '../../src/transport-udp/udp-packet.js';
import { freeUdpPorts, type Harness, KEY, makeHarness, waitFor } from './udp-test-kit.js';

const signal = () => ({ signal: new AbortController().signal });
let h: Harness | undefined;
let raw: Socket | undefined;

afterEach(async () => {
  await h?.closeAll();
  h = undefined;
  if (raw) await new Promise<void>((r) => raw!.close(() => r()));
  raw = undefined;
});

/** A raw socket bound to `name`'s ring-0 address, to send hand-made packets as that node. */
async function rawAs(harness: Harness, name: string): Promise<Socket> {
  const addr = harness.nodes[name]!.rings[0]!;
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(addr.port, addr.address, () => resolve()));
  return s;
}

function packetFrom(
  sender: string,
  senderId: number,
  seq: number,
  msg: object,
  bootId: string,
  bootTimeMs = 1000,
): Packet {
  return {
    kind: 'data',
    ring: 0,
    sender,
    senderId,
    to: '',
    bootTimeMs,
    bootId,
    seq,
    payload: Buffer.from(JSON.stringify(msg)),
  };
}

async function sendRaw(s: Socket, buf: Buffer, to: { address: string; port: number }): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    s.send(buf, to.port, to.address, (e) => (e ? reject(e) : resolve())),
  );
}

describe('udp transport on loopback', () => {
  it('forms a three-node membership and delivers send and broadcast once despite two rings', async () => {
    h = await makeHarness(['a', 'b', 'c'], 2);
    await h.start('a');
    await h.start('b');
    await h.start('c');
    for (const n of ['a', 'b', 'c']) {
      await waitFor(`${n} sees all`, () => h!.t[n]!.members().length === 3);
    }
    expect(h.t.a!.members()).toEqual(['a', 'b', 'c']);
    h.t.a!.send('c', { type: 'ping', n: 1 });
    await waitFor('c got ping', () => h!.inbox.c!.length === 1);
    h.t.a!.broadcast({ type: 'hello', text: 'all' });
    await waitFor('b and c got hello', () =>
      ['b', 'c'].every((n) => h!.inbox[n]!.some((m) => m.msg.type === 'hello')),
    );
    // Let the second-ring copies arrive, then check nothing was delivered twice.
    await waitFor('duplicates counted', () => h!.t.c!.stats().duplicates >= 2);
    expect(h.inbox.c!.map((m) => m.msg.type)).toEqual(['ping', 'hello']);
    expect(h.inbox.b!.map((m) => m.msg)).toEqual([{ type: 'hello', text: 'all' }]);
    expect(h.inbox.a).toEqual([]);
    expect(h.inbox.c![0]).toEqual({ from: 'a', msg: { type: 'ping', n: 1 } });
    expect(h.t.a!.rings()).toEqual([
      { ring: 0, status: 'ok' },
      { ring: 1, status: 'ok' },
    ]);
  });

  it('drops and counts a forged packet (wrong key) without reading it', async () => {
    h = await makeHarness(['a', 'b', 'c'], 1);
    const a = await h.start('a');
    raw = await rawAs(h, 'c');
    const forged = sealPacket(
      packetFrom('c', 3, 1, { type: 'evil' }, randomBytes(8).toString('hex')),
      Buffer.from('not-the-cluster-key!!'),
    );
    await sendRaw(raw, forged, h.nodes.a!.rings[0]!);
    await waitFor('auth failure counted', () => a.stats().authFailed === 1);
    expect(h.inbox.a).toEqual([]);
    expect(a.members()).toEqual(['a']);
    expect(a.stats().malformed).toBe(0);
  });

  it('drops a replayed packet and packets from an older boot of the sender', async () => {
    h = await makeHarness(['a', 'b', 'c'], 1);
    const a = await h.start('a');
    raw = await rawAs(h, 'c');
    const dst = h.nodes.a!.rings[0]!;
    const boot1 = randomBytes(8).toString('hex');
    const p5 = sealPacket(packetFrom('c', 3, 5, { type: 'm5' }, boot1), Buffer.from(KEY));
    await sendRaw(raw, p5, dst);
    await waitFor('m5 delivered', () => h!.inbox.a!.length === 1);
    await sendRaw(raw, p5, dst); // the very same bytes again
    await sendRaw(raw, sealPacket(packetFrom('c', 3, 4, { type: 'm4' }, boot1), Buffer.from(KEY)), dst); // older seq
    await waitFor('replays counted', () => a.stats().replayed === 2);
    // c restarts: new boot id, later boot time, sequence starts again at 1.
    const boot2 = randomBytes(8).toString('hex');
    await sendRaw(
      raw,
      sealPacket(packetFrom('c', 3, 1, { type: 'reborn' }, boot2, 2000), Buffer.from(KEY)),
      dst,
    );
    await waitFor('reborn delivered', () => h!.inbox.a!.length === 2);
    // The restart shows as a leave and a rejoin.
    expect(h.memberships.a).toEqual([['a'], ['a', 'c'], ['a'], ['a', 'c']]);
    // Packets of the first boot are now refused, even with a fresh sequence number.
    await sendRaw(raw, sealPacket(packetFrom('c', 3, 99, { type: 'ghost' }, boot1), Buffer.from(KEY)), dst);
    await waitFor('stale boot counted', () => a.stats().staleBoot === 1);
    expect(h.inbox.a!.map((m) => m.msg.type)).toEqual(['m5', 'reborn']);
  });

  it('accepts a restart whose boot time looks older only once the current boot fell silent', async () => {
    h = await makeHarness(['a', 'b', 'c'], 1);
    const a = await h.start('a');
    raw = await rawAs(h, 'c');
    const dst = h.nodes.a!.rings[0]!;
    await sendRaw(
      raw,
      sealPacket(
        packetFrom('c', 3, 1, { type: 'first' }, randomBytes(8).toString('hex'), 5000),
        Buffer.from(KEY),
      ),
      dst,
    );
    await waitFor('first delivered', () => h!.inbox.a!.length === 1);
    // Clock stepped back across the restart: while the first boot is alive this is a replay.
    const back = randomBytes(8).toString('hex');
    await sendRaw(
      raw,
      sealPacket(packetFrom('c', 3, 1, { type: 'early' }, back, 4000), Buffer.from(KEY)),
      dst,
    );
    await waitFor('refused as stale', () => a.stats().staleBoot === 1);
    await waitFor('c silent for the token timeout', () => a.members().length === 1, 3000);
    await sendRaw(
      raw,
      sealPacket(packetFrom('c', 3, 2, { type: 'late' }, back, 4000), Buffer.from(KEY)),
      dst,
    );
    await waitFor('accepted after silence', () => h!.inbox.a!.length === 2);
    expect(h.inbox.a!.map((m) => m.msg.type)).toEqual(['first', 'late']);
  });

  it('refuses a packet claiming another sender than its source address', async () => {
    h = await makeHarness(['a', 'b', 'c'], 1);
    const a = await h.start('a');
    raw = await rawAs(h, 'c');
    const claimB = sealPacket(
      packetFrom('b', 2, 1, { type: 'spoof' }, randomBytes(8).toString('hex')),
      Buffer.from(KEY),
    );
    await sendRaw(raw, claimB, h.nodes.a!.rings[0]!);
    await waitFor('bad sender counted', () => a.stats().badSender === 1);
    expect(h.inbox.a).toEqual([]);
  });

  it('logs a node name used twice once, with the reason, and never lets it in', async () => {
    h = await makeHarness(['a', 'b', 'c'], 1);
    const lines: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn() {},
      error(msg: string) {
        lines.push(msg);
      },
    };
    const a = await h.start('a', { logger });
    raw = await rawAs(h, 'c');
    // A second process that believes it is 'b' (same key), sending from 'c''s address.
    for (let seq = 1; seq <= 3; seq++) {
      const twin = sealPacket(
        packetFrom('b', 2, seq, { type: 'twin' }, 'feedfacefeedface'),
        Buffer.from(KEY),
      );
      await sendRaw(raw, twin, h.nodes.a!.rings[0]!);
    }
    await waitFor('three bad senders counted', () => a.stats().badSender === 3);
    expect(h.inbox.a).toEqual([]);
    expect(a.members()).toEqual(['a']);
    const about = lines.filter((l) => l.includes('dropped authenticated packet'));
    expect(about).toHaveLength(1);
    expect(about[0]).toMatch(/'b' is configured at 127\.0\.0\.1:\d+: a node name used twice/);
  });

  it('never lets a node with the wrong key join', async () => {
    h = await makeHarness(['a', 'b'], 2);
    const a = await h.start('a');
    const b = await h.start('b', { key: 'another-key-0123456789abcdefgh' });
    await waitFor(
      'both sides count auth failures',
      () => a.stats().authFailed >= 10 && b.stats().authFailed >= 10,
    );
    expect(a.members()).toEqual(['a']);
    expect(b.members()).toEqual(['b']);
    expect(h.memberships.a).toEqual([['a']]);
    b.broadcast({ type: 'x' });
    expect(h.inbox.a).toEqual([]);
  });

  it('refuses a message larger than maxMessageBytes, as a value and as a counted send', async () => {
    h = await makeHarness(['a', 'b'], 1, { maxMessageBytes: 1024 });
    const a = await h.start('a');
    await h.start('b');
    await waitFor('joined', () => a.members().length === 2);
    const big = { type: 'big', blob: 'x'.repeat(2000) };
    const out = a.trySend('b', big);
    expect(out).toMatchObject({ ok: false, reason: 'too-large' });
    a.broadcast(big);
    expect(a.stats().oversizeRefused).toBe(2);
    expect(a.trySend('nobody', { type: 'x' })).toMatchObject({ ok: false, reason: 'unknown-node' });
    a.send('b', { type: 'small', blob: 'y'.repeat(900) });
    await waitFor('small delivered', () => h!.inbox.b!.length === 1);
    expect(h.inbox.b!.map((m) => m.msg.type)).toEqual(['small']);
  });

  it('marks a silent ring faulty without a membership change, then recovers by itself', async () => {
    h = await makeHarness(['a', 'b'], 2);
    const a = await h.start('a');
    const b = await h.start('b');
    await waitFor('joined', () => a.members().length === 2 && b.members().length === 2);
    const before = { a: h.memberships.a!.length, b: h.memberships.b!.length };
    await a.suspendRing(1);
    await waitFor('b sees ring 1 faulty', () => b.rings()[1]!.status === 'faulty');
    expect(b.rings()[1]!.detail).toContain("'a'");
    expect(b.rings()[0]!.status).toBe('ok');
    expect(a.rings()[1]).toMatchObject({ status: 'faulty', detail: 'ring suspended locally' });
    // Messages still flow on ring 0, for longer than the token timeout.
    for (let i = 0; i < 10; i++) {
      a.send('b', { type: 'during', i });
      await new Promise((r) => setTimeout(r, 120));
    }
    await waitFor('messages during fault', () => h!.inbox.b!.length === 10);
    expect(h.memberships.a!.length).toBe(before.a);
    expect(h.memberships.b!.length).toBe(before.b);
    expect(b.members()).toEqual(['a', 'b']);
    await a.resumeRing(1);
    await waitFor('ring 1 recovered on both', () =>
      [a, b].every((t) => t.rings().every((r) => r.status === 'ok')),
    );
    expect(h.memberships.b!.length).toBe(before.b);
  });

  it('reports per-link reachability for core: initial state, ring loss and recovery, peer loss', async () => {
    h = await makeHarness(['a', 'b'], 2);
    const a = await h.start('a');
    const b = await h.start('b');
    const events: string[] = [];
    b.onReachability((peer, ring, up) => events.push(`${peer}:${ring}:${up ? 'up' : 'down'}`));
    await waitFor('links up', () => events.includes('a:0:up') && events.includes('a:1:up'));
    events.length = 0;
    await a.suspendRing(1);
    await waitFor('ring 1 link down', () => events.includes('a:1:down'));
    expect(events).toEqual(['a:1:down']);
    await a.resumeRing(1);
    await waitFor('ring 1 link up', () => events.includes('a:1:up'));
    events.length = 0;
    await a.close();
    await waitFor('both links down', () => events.length === 2);
    expect([...events].sort()).toEqual(['a:0:down', 'a:1:down']);
  });

  it('drops a peer silent on every ring after the token timeout, not before', async () => {
    h = await makeHarness(['a', 'b'], 2);
    const a = await h.start('a');
    const b = await h.start('b');
    await waitFor('joined', () => a.members().length === 2);
    // t0 = a moment at which a has certainly just heard b (a message from b arrived).
    b.send('a', { type: 'last-words' });
    await waitFor('last words', () => h!.inbox.a!.length === 1);
    const t0 = performance.now();
    await b.close();
    await waitFor('a alone', () => a.members().length === 1, 3000);
    const detect = performance.now() - t0;
    expect(h.memberships.a!.at(-1)).toEqual(['a']);
    // Never before the token timeout (1000 ms), whatever the machine's speed.
    expect(detect).toBeGreaterThanOrEqual(1000 - 15); // waitFor polls every 10 ms
    // No ring was reported faulty on the way: every ring went silent together.
    expect(a.rings().every((r) => r.status === 'ok')).toBe(true);
    console.log(
      `[udp] silence -> membership change: ${detect.toFixed(0)} ms (token timeout 1000 ms, heartbeat 20 ms)`,
    );
  });

  it('works over IPv6 loopback', async (t) => {
    const ports = await freeUdpPorts('::1', 2).catch(() => undefined);
    if (!ports) {
      console.log('[udp] SKIPPED IPv6 test: cannot bind ::1');
      t.skip();
      return;
    }
    const nodes = {
      a: { rings: [{ address: '::1', port: ports[0]! }] },
      b: { rings: [{ address: '::1', port: ports[1]! }] },
    };
    const got: string[] = [];
    const a = createUdpTransport({
      self: 'a',
      nodes,
      key: KEY,
      heartbeatIntervalMs: 20,
      tokenTimeoutMs: 400,
    });
    const b = createUdpTransport({
      self: 'b',
      nodes,
      key: KEY,
      heartbeatIntervalMs: 20,
      tokenTimeoutMs: 400,
    });
    try {
      await a.join('a', () => {}, signal());
      await b.join('b', (from, msg) => got.push(`${from}:${msg.type}`), signal());
      await waitFor('v6 membership', () => a.members().length === 2);
      a.send('b', { type: 'v6' });
      await waitFor('v6 message', () => got.length === 1);
      expect(got).toEqual(['a:v6']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('releases its sockets on close: the same addresses can be bound again', async () => {
    h = await makeHarness(['a', 'b'], 2);
    const first = await h.start('a');
    await first.close();
    await first.close(); // idempotent
    const again = createUdpTransport({ self: 'a', nodes: h.nodes, key: KEY });
    await again.join('a', () => {}, signal());
    expect(again.rings().map((r) => r.status)).toEqual(['ok', 'ok']);
    await again.close();
    const aborted = new AbortController();
    aborted.abort();
    const third = createUdpTransport({ self: 'a', nodes: h.nodes, key: KEY });
    await expect(third.join('a', () => {}, { signal: aborted.signal })).rejects.toThrow(/abort/i);
    await third.close();
  });

  it('reads the key from a key file of raw bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qkey-'));
    try {
      const keyFile = join(dir, 'authkey');
      writeFileSync(keyFile, randomBytes(128));
      h = await makeHarness(['a', 'b'], 1, { key: undefined, keyFile } as never);
      const a = await h.start('a');
      await h.start('b');
      await waitFor('joined via keyFile', () => a.members().length === 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad options and a bind failure with clear errors', async () => {
    const nodes = {
      a: { rings: [{ address: '127.0.0.1', port: 1 }] },
      b: { rings: [{ address: '127.0.0.1', port: 2 }] },
    };
    expect(() => createUdpTransport({ self: 'a', nodes, key: 'short' })).toThrow(/at least 16/);
    expect(() => createUdpTransport({ self: 'z', nodes, key: KEY })).toThrow(/node 'z' is not in nodes/);
    expect(() => createUdpTransport({ self: 'a', nodes })).toThrow(/exactly one of key or keyFile/);
    expect(() => createUdpTransport({ self: 'a', nodes: { ...nodes, c: { rings: [] } }, key: KEY })).toThrow(
      /rings/,
    );
    h = await makeHarness(['a', 'b'], 1);
    await h.start('a');
    const clash = createUdpTransport({ self: 'a', nodes: h.nodes, key: KEY });
    const err = await clash.join('a', () => {}, signal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuorateError);
    expect((err as QuorateError).code).toBe('TRANSPORT_BIND');
    expect(String((err as Error).message)).not.toContain(KEY);
    await clash.close();
  });
});
