import { isIP } from 'node:net';
import { z } from 'zod';
import { MAX_NAME_BYTES } from './udp-packet.js';

/** One ring address of a node: the IP literal and UDP port its socket for that ring binds to. */
const ringAddressSchema = z
  .object({
    address: z.string().refine((a) => isIP(a) !== 0, { message: 'must be an IPv4 or IPv6 literal' }),
    port: z.number().int().min(1).max(65535),
  })
  .strict();

const loggerSchema = z.custom<{
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'must be a Logger (debug, info, warn, error)' },
);

/**
 * Options of {@link createUdpTransport}. Every node lists the same number of rings, ring `i` of
 * every node being one network (corosync `ring0_addr`, `ring1_addr`, …).
 */
export const udpTransportOptionsSchema = z
  .object({
    /** This node's name; must be a key of `nodes`. */
    self: z.string().min(1),
    /**
     * Every cluster node (self included): optional numeric `id` (default: 1-based position in the
     * sorted list of names) and its ring addresses.
     */
    nodes: z.record(
      z.string().min(1),
      z
        .object({
          id: z.number().int().min(1).max(0xffffffff).optional(),
          rings: z.array(ringAddressSchema).min(1).max(8),
        })
        .strict(),
    ),
    /** Shared cluster key in memory (at least 16 bytes; a string is taken as UTF-8). */
    key: z.union([z.string(), z.instanceof(Uint8Array)]).optional(),
    /** File holding the shared key as raw bytes (like corosync's `/etc/corosync/authkey`). */
    keyFile: z.string().min(1).optional(),
    /** Heartbeat period on every ring, ms. Default 250. */
    heartbeatIntervalMs: z.number().int().min(5).default(250),
    /** A peer silent on every ring for this long leaves the membership, ms. Default 3000 (corosync `token`). */
    tokenTimeoutMs: z.number().int().min(20).default(3000),
    /**
     * A ring silent to a peer for this long: the link is reported down (`onReachability`) and, if
     * another ring still hears the peer, the ring is marked faulty, ms. Default: four heartbeats
     * (capped below `tokenTimeoutMs`); must be below `tokenTimeoutMs`.
     */
    ringTimeoutMs: z.number().int().min(10).optional(),
    /**
     * Largest application payload (encoded JSON, bytes); larger messages are refused, never sent.
     * Default 32768, at most 65000 (one UDP datagram; above the path MTU the kernel fragments it,
     * and losing one fragment loses the message).
     */
    maxMessageBytes: z.number().int().min(64).max(65_000).default(32_768),
    /** Structured logger; never receives the key. */
    logger: loggerSchema.optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if ((o.key === undefined) === (o.keyFile === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'give exactly one of key or keyFile' });
    }
    const self = o.nodes[o.self];
    if (!self) {
      ctx.addIssue({ code: 'custom', path: ['self'], message: `node '${o.self}' is not in nodes` });
      return;
    }
    const ringCount = self.rings.length;
    const ids = new Map<number, string>();
    for (const [name, n] of Object.entries(o.nodes)) {
      if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', name],
          message: `name longer than ${MAX_NAME_BYTES} bytes`,
        });
      }
      if (n.rings.length !== ringCount) {
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', name, 'rings'],
          message: `has ${n.rings.length} rings, node '${o.self}' has ${ringCount}`,
        });
      }
      if (n.id !== undefined) {
        const other = ids.get(n.id);
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', name, 'id'],
            message: `id ${n.id} also used by '${other}'`,
          });
        ids.set(n.id, name);
      }
    }
    if (o.ringTimeoutMs !== undefined && o.ringTimeoutMs >= o.tokenTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['ringTimeoutMs'], message: 'must be below tokenTimeoutMs' });
    }
    if (o.heartbeatIntervalMs * 2 > o.tokenTimeoutMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['heartbeatIntervalMs'],
        message: 'must be at most half of tokenTimeoutMs',
      });
    }
  });

/** What a host passes to {@link createUdpTransport}. */
export type UdpTransportOptions = z.input<typeof udpTransportOptionsSchema>;
