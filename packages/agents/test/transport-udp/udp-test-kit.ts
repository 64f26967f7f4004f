import { createSocket } from 'node:dgram';
import type { Message, NodeName } from '@quorate/core';
import {
  createUdpTransport,
  type UdpTransport,
  type UdpTransportOptions,
} from '../../src/transport-udp/index.js';

/** Finds `n` free UDP ports on `address` (bind to port 0, note the port, close). */
export async function freeUdpPorts(address: string, n: number): Promise<number[]> {
  const socks = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createSocket>>((resolve, reject) => {
          const s = createSocket(address.includes(':') ? 'udp6' : 'udp4');
          s.once('error', reject);
          s.bind(0, address, () => resolve(s));
        }),
    ),
  );
  const ports = socks.map((s) => s.address().port);
  await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Polls `cond` every 10 ms until it holds; throws after `timeoutMs` with `what`. */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const KEY = 'quorate-test-key-0123456789abcdef';

export interface Harness {
  nodes: Record<string, { rings: Array<{ address: string; port: number }> }>;
  /** Started transports by name. */
  t: Record<string, UdpTransport>;
  /** Messages received per node. */
  inbox: Record<string, Array<{ from: NodeName; msg: Message }>>;
  /** Every membership list reported per node, in order. */
  memberships: Record<string, NodeName[][]>;
  start(name: string, extra?: Partial<UdpTransportOptions>): Promise<UdpTransport>;
  closeAll(): Promise<void>;
}

/**
 * Builds a cluster description of `names` with `ringCount` rings (ring i on 127.0.0.(i+1)) on
 * free ports; `start(name)` creates and joins that node's transport.
 */
export async function makeHarness(
  names: string[],
  ringCount: number,
  base: Partial<UdpTransportOptions> = {},
): Promise<Harness> {
  const nodes: Harness['nodes'] = {};
  const portsPerRing = await Promise.all(
    Array.from({ length: ringCount }, (_, r) => freeUdpPorts(`127.0.0.${r + 1}`, names.length)),
  );
  names.forEach((name, i) => {
    nodes[name] = {
      rings: portsPerRing.map((ports, r) => ({ address: `127.0.0.${r + 1}`, port: ports[i]! })),
    };
  });
  const h: Harness = {
    nodes,
    t: {},
    inbox: {},
    memberships: {},
    async start(name, extra = {}) {
      const t = createUdpTransport({
        self: name,
        nodes,
        key: KEY,
        heartbeatIntervalMs: 20,
        tokenTimeoutMs: 1000,
        ringTimeoutMs: 150,
        ...base,
        ...extra,
      } as UdpTransportOptions);
      h.inbox[name] = [];
      h.memberships[name] = [];
      t.onMembership((m) => h.memberships[name]!.push(m));
      await t.join(name, (from, msg) => h.inbox[name]!.push({ from, msg }), {
        signal: new AbortController().signal,
      });
      h.t[name] = t;
      return t;
    },
    async closeAll() {
      await Promise.all(Object.values(h.t).map((t) => t.close()));
    },
  };
  return h;
}
