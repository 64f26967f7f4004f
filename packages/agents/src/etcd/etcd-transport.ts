import { randomBytes } from 'node:crypto';
import type { Ctx, Logger, Message, NodeName, RingStatus, Transport } from '@quorate/core';
import { ConfigError, UsageError } from '@quorate/core';
import type { Etcd3, IKeyValue, Lease, Watcher } from 'etcd3';
import { z } from 'zod';
import { createEtcdClient, type EtcdFailure, etcdCall, normalisePrefix } from './etcd-client.js';

const loggerSchema = z.custom<Logger>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    ['debug', 'info', 'warn', 'error'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
  { message: 'must be a Logger' },
);

/** Options of {@link createEtcdTransport}. */
export const etcdTransportOptionsSchema = z
  .object({
    /** etcd client URLs, e.g. `['http://10.0.0.1:2379']`. */
    hosts: z.array(z.string().url()).min(1),
    /** Key prefix of this cluster, e.g. `/quorate/prod`. Members live under `<prefix>/members/`. */
    prefix: z.string().min(1).regex(/^\//, 'must start with /'),
    /** This node's name. */
    self: z
      .string()
      .min(1)
      .regex(/^[^/]+$/, 'must not contain /'),
    /**
     * Lease TTL = the token timeout: a node whose keepalives stop leaves everyone's membership
     * after this long, and a node that cannot refresh its lease for this long considers itself
     * alone. Rounded up to whole seconds (etcd leases are in seconds; etcd also raises any TTL
     * below 1.5 × its election timeout, 2 s with default settings). Default 3000.
     */
    leaseTtlMs: z.number().int().min(1000).default(3000),
    /** gRPC deadline of each call, ms. Default 1000. */
    callTimeoutMs: z.number().int().min(50).default(1000),
    /** Connection timeout, ms. Default 1000. */
    dialTimeoutMs: z.number().int().min(50).default(1000),
    /** Pause between reconnection attempts, ms. Default 250. */
    reconnectMs: z.number().int().min(10).default(250),
    /** Largest message (encoded JSON), bytes. Default 65536 (etcd allows 1.5 MiB per request). */
    maxMessageBytes: z.number().int().min(64).max(1_000_000).default(65_536),
    logger: loggerSchema.optional(),
  })
  .strict();

/** What a host passes to {@link createEtcdTransport}. */
export type EtcdTransportOptions = z.input<typeof etcdTransportOptionsSchema>;

/** Counters of {@link EtcdTransport.stats}. */
export interface EtcdTransportStats {
  messagesSent: number;
  messagesDelivered: number;
  /** Refused sends: too large, not a member, not connected, not JSON. */
  sendRefused: number;
  /** Puts that etcd did not confirm. */
  sendErrors: number;
  /** Inbox entries that were not a valid message. */
  malformed: number;
  /** Sessions (lease + member key + watches) started. */
  sessions: number;
  /** Sessions lost (lease expired or revoked, own member key gone). */
  sessionsLost: number;
}

/** Outcome of {@link EtcdTransport.trySend}. */
export type EtcdSendOutcome =
  | { ok: true }
  | {
      ok: false;
      reason: 'too-large' | 'not-member' | 'not-connected' | 'not-joined' | 'invalid';
      detail: string;
    };

/** The etcd transport: the {@link Transport} port with membership, plus extras. */
export interface EtcdTransport extends Transport {
  /**
   * Subscribes to membership: `cb` gets the sorted names whose member key exists (always with
   * this node), or only this node while its own lease cannot be refreshed. Called at once when
   * joined, then on every change. Returns unsubscribe.
   */
  onMembership(cb: (members: NodeName[]) => void): () => void;
  /**
   * `join` with its outcome as a value: `ok: false` (`unreachable`, `timeout`, `aborted`,
   * `etcd-error`) when the first session could not be set up; the transport then keeps retrying
   * in the background and reports membership `[self]` meanwhile. `join` is this without the value.
   */
  joinOutcome(
    self: NodeName,
    onMessage: (from: NodeName, msg: Message) => void,
    ctx: Ctx,
  ): Promise<{ ok: true } | EtcdFailure>;
  trySend(to: NodeName, msg: Message): EtcdSendOutcome;
  members(): NodeName[];
  /** Whether this node's lease was refreshed within the TTL (its view of etcd is current). */
  connected(): boolean;
  /**
   * The lease TTL etcd granted, ms: the real membership timeout. etcd raises a TTL below
   * 1.5 × its election timeout (2 s with default settings), so it can exceed `leaseTtlMs`.
   */
  leaseTtlMs(): number;
  stats(): EtcdTransportStats;
  /**
   * Stops keepalives and watches without revoking the lease, as a crashed node would: peers see
   * this node leave only when the lease expires. For tests and for hosts that want that behaviour.
   */
  abandon(): Promise<void>;
}

interface Session {
  lease: Lease;
  watchers: Watcher[];
  dead: boolean;
}

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates a transport over etcd (npm `etcd3`), for clusters that already run etcd and want it
 * as their membership authority, like Patroni's member keys:
 *
 * - **Membership**: each node holds a lease of TTL `leaseTtlMs` (kept alive by the client every
 *   TTL/3) and a key `<prefix>/members/<self>` bound to it. Members are the names under
 *   `<prefix>/members/`, followed with a watch. A node that restarts before its old lease
 *   expired (new boot id in its member key) is reported as leaving and rejoining. A crashed node's key vanishes when its lease
 *   expires; `close()` revokes the lease, so a clean leave is seen at once.
 * - **Losing etcd** = losing every peer: when the node's own lease was not refreshed for a TTL,
 *   etcd has dropped (or is about to drop) its key and it reports membership `[self]`, exactly
 *   what a UDP node cut off from its peers reports. It reconnects by itself (new lease, new
 *   member key) when etcd answers again.
 * - **Messages**: `send(to, msg)` puts `<prefix>/msg/<to>/<bootId>-<seq>` (bound to the sender's
 *   lease, so a dead sender's undelivered messages vanish); the receiver watches its own
 *   `<prefix>/msg/<self>/`, delivers each put once, then deletes the key. Messages go to members
 *   only; `broadcast` goes to every member but self. One node's messages are written one at a
 *   time, so each receiver gets them in the order they were sent.
 *
 * Throws `ConfigError` on invalid options only. Every etcd call has a deadline; nothing hangs.
 * There is a single "ring": `rings()` reports ring 0 `faulty` while etcd is unreachable.
 */
export function createEtcdTransport(options: EtcdTransportOptions): EtcdTransport {
  const parsed = etcdTransportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(
      z.prettifyError(parsed.error),
      parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
    );
  }
  const o = parsed.data;
  const log = o.logger ?? noopLogger;
  const prefix = normalisePrefix(o.prefix);
  const selfName = o.self;
  const membersPrefix = `${prefix}/members/`;
  const inboxPrefix = `${prefix}/msg/${selfName}/`;
  const ttlSec = Math.ceil(o.leaseTtlMs / 1000);
  const ttlMs = ttlSec * 1000;
  /** The TTL etcd actually granted (it raises TTLs below 1.5 × its election timeout). */
  let grantedTtlMs = ttlMs;
  const hardTimeoutMs = o.callTimeoutMs + o.dialTimeoutMs + 500;
  const bootId = randomBytes(6).toString('hex');
  const now = (): number => performance.now();

  let client: Etcd3 | undefined;
  let state: 'idle' | 'joined' | 'closed' = 'idle';
  let onMessage: ((from: NodeName, msg: Message) => void) | undefined;
  let session: Session | undefined;
  let starting = false;
  let lastOk = Number.NEGATIVE_INFINITY;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastError = '';
  let seq = 0;
  let sendChain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  /** Peer name -> boot id read from its member key. */
  const peers = new Map<NodeName, string>();
  let reported: NodeName[] = [];
  const subs = new Set<(m: NodeName[]) => void>();
  const stats: EtcdTransportStats = {
    messagesSent: 0,
    messagesDelivered: 0,
    sendRefused: 0,
    sendErrors: 0,
    malformed: 0,
    sessions: 0,
    sessionsLost: 0,
  };

  const isConnected = (): boolean => session !== undefined && !session.dead && now() - lastOk <= grantedTtlMs;

  function currentMembers(): NodeName[] {
    if (state !== 'joined') return [];
    if (!isConnected()) return [selfName];
    return [selfName, ...peers.keys()].sort();
  }

  function evaluate(): void {
    if (state !== 'joined') return;
    const m = currentMembers();
    if (m.join('\0') === reported.join('\0')) return;
    log.info('etcd transport: membership changed', { members: m, before: reported });
    reported = m;
    for (const cb of [...subs]) {
      try {
        cb([...m]);
      } catch (err) {
        log.error('etcd transport: subscriber threw', { error: String(err) });
      }
    }
  }

  function loseSession(s: Session, why: string): void {
    if (s.dead) return;
    s.dead = true;
    stats.sessionsLost += 1;
    log.warn('etcd transport: session lost', { node: selfName, why });
    for (const w of s.watchers) w.cancel().catch(() => undefined);
    s.lease.release();
    if (session === s) session = undefined;
    peers.clear();
    evaluate();
  }

  async function startSession(ctx: Ctx): Promise<{ ok: true } | EtcdFailure> {
    const c = client!;
    starting = true;
    lastAttempt = now();
    const lease = c.lease(ttlSec, { autoKeepAlive: true });
    const s: Session = { lease, watchers: [], dead: false };
    const fail = (f: EtcdFailure): EtcdFailure => {
      s.dead = true;
      for (const w of s.watchers) w.cancel().catch(() => undefined);
      lease.release();
      lastError = f.detail;
      return f;
    };
    try {
      lease.on('keepaliveSucceeded', () => {
        if (s.dead) return;
        const wasConnected = isConnected();
        lastOk = now();
        if (!wasConnected) evaluate();
      });
      lease.on('lost', (err) => loseSession(s, `lease lost: ${err.message}`));
      const granted = await etcdCall(ctx, hardTimeoutMs, 'granting lease', () => lease.grant());
      if (!granted.ok) return fail(granted);
      const ttl = await etcdCall(ctx, hardTimeoutMs, 'reading lease TTL', () =>
        c.leaseClient.leaseTimeToLive({ ID: granted.value }),
      );
      if (!ttl.ok) return fail(ttl);
      const grantedSec = Number(ttl.value.grantedTTL);
      if (Number.isFinite(grantedSec) && grantedSec > 0 && grantedSec * 1000 !== grantedTtlMs) {
        grantedTtlMs = grantedSec * 1000;
        if (grantedSec !== ttlSec) {
          log.warn('etcd transport: etcd changed the lease TTL', { requestedSec: ttlSec, grantedSec });
        }
      }
      const put = await etcdCall(ctx, hardTimeoutMs, 'writing member key', () =>
        lease.put(`${membersPrefix}${selfName}`).value(JSON.stringify({ bootId })).exec(),
      );
      if (!put.ok) return fail(put);
      const cleared = await etcdCall(ctx, hardTimeoutMs, 'clearing inbox', () =>
        c.delete().prefix(inboxPrefix).exec(),
      );
      if (!cleared.ok) return fail(cleared);
      const listed = await etcdCall(ctx, hardTimeoutMs, 'listing members', () =>
        c.getAll().prefix(membersPrefix).exec(),
      );
      if (!listed.ok) return fail(listed);
      const membersRev = BigInt(listed.value.header.revision) + 1n;
      const inboxRev = BigInt(cleared.value.header.revision) + 1n;
      const mw = await etcdCall(ctx, hardTimeoutMs, 'watching members', () =>
        c.watch().prefix(membersPrefix).startRevision(String(membersRev)).create(),
      );
      if (!mw.ok) return fail(mw);
      s.watchers.push(mw.value);
      const iw = await etcdCall(ctx, hardTimeoutMs, 'watching inbox', () =>
        c.watch().prefix(inboxPrefix).startRevision(String(inboxRev)).create(),
      );
      if (!iw.ok) return fail(iw);
      s.watchers.push(iw.value);
      if (state !== 'joined')
        return fail({ ok: false, reason: 'aborted', detail: 'transport closed while connecting' });

      peers.clear();
      for (const kv of listed.value.kvs) {
        const name = kv.key.toString().slice(membersPrefix.length);
        if (name !== selfName && name !== '') peers.set(name, bootOf(kv));
      }
      mw.value.on('put', (kv) => {
        const name = kv.key.toString().slice(membersPrefix.length);
        if (s.dead || name === selfName || name === '') return;
        const boot = bootOf(kv);
        const known = peers.get(name);
        if (known !== undefined && known !== boot) {
          // Restarted before its old lease expired: report a leave and a rejoin, as the UDP
          // transport does, so core notices that it lost its state.
          peers.delete(name);
          evaluate();
        }
        peers.set(name, boot);
        evaluate();
      });
      mw.value.on('delete', (kv) => {
        const name = kv.key.toString().slice(membersPrefix.length);
        if (s.dead) return;
        if (name === selfName) {
          loseSession(s, 'own member key deleted');
          return;
        }
        peers.delete(name);
        evaluate();
      });
      iw.value.on('put', (kv) => {
        if (!s.dead) receive(kv);
      });
      for (const w of s.watchers) {
        w.on('disconnected', (err) =>
          log.debug('etcd transport: watch disconnected', { error: err.message }),
        );
        w.on('error', (err) => log.debug('etcd transport: watch error', { error: err.message }));
      }
      session = s;
      lastOk = now();
      stats.sessions += 1;
      lastError = '';
      log.info('etcd transport: session started', { node: selfName, ttlSec });
      evaluate();
      return { ok: true };
    } finally {
      starting = false;
    }
  }

  function receive(kv: IKeyValue): void {
    const key = kv.key.toString();
    client
      ?.delete()
      .key(key)
      .exec()
      .catch(() => undefined);
    let parsedValue: unknown;
    try {
      parsedValue = JSON.parse(kv.value.toString('utf8'));
    } catch {
      stats.malformed += 1;
      return;
    }
    const v = parsedValue as { from?: unknown; msg?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.from !== 'string' || !isMessage(v.msg)) {
      stats.malformed += 1;
      return;
    }
    stats.messagesDelivered += 1;
    const cb = onMessage;
    if (!cb) return;
    try {
      cb(v.from, v.msg);
    } catch (err) {
      log.error('etcd transport: onMessage handler threw', { from: v.from, error: String(err) });
    }
  }

  function tick(): void {
    if (state !== 'joined') return;
    if (!session && !starting && now() - lastAttempt >= o.reconnectMs) {
      void startSession({ signal: new AbortController().signal }).then((r) => {
        if (!r.ok) log.debug('etcd transport: reconnect failed', { detail: r.detail });
      });
    }
    evaluate();
  }

  function refuse(out: Extract<EtcdSendOutcome, { ok: false }>): EtcdSendOutcome {
    stats.sendRefused += 1;
    log.warn('etcd transport: message refused', { reason: out.reason, detail: out.detail });
    return out;
  }

  function putMessage(s: Session, to: NodeName, value: string): void {
    seq += 1;
    const key = `${prefix}/msg/${to}/${bootId}-${String(seq).padStart(12, '0')}`;
    stats.messagesSent += 1;
    // One put at a time, so a receiver sees one sender's messages in the order they were sent
    // (concurrent gRPC calls may be applied in any order).
    sendChain = sendChain.then(() =>
      s.lease
        .put(key)
        .value(value)
        .exec()
        .then(
          () => undefined,
          (err: unknown) => {
            stats.sendErrors += 1;
            log.debug('etcd transport: send failed', { to, error: String(err) });
          },
        ),
    );
  }

  function encode(msg: Message): { ok: true; value: string } | Extract<EtcdSendOutcome, { ok: false }> {
    if (!isMessage(msg))
      return { ok: false, reason: 'invalid', detail: 'message must be an object with a string type' };
    let value: string;
    try {
      value = JSON.stringify({ from: selfName, msg });
    } catch (err) {
      return { ok: false, reason: 'invalid', detail: `message is not JSON: ${String(err)}` };
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > o.maxMessageBytes) {
      return {
        ok: false,
        reason: 'too-large',
        detail: `message '${msg.type}' is ${bytes} bytes, limit is ${o.maxMessageBytes}`,
      };
    }
    return { ok: true, value };
  }

  async function stop(revoke: boolean): Promise<void> {
    if (state === 'closed') return;
    state = 'closed';
    if (timer) clearInterval(timer);
    timer = undefined;
    onMessage = undefined;
    subs.clear();
    const s = session;
    session = undefined;
    if (s && !s.dead) {
      s.dead = true;
      await Promise.all(s.watchers.map((w) => w.cancel().catch(() => undefined)));
      if (revoke) {
        await etcdCall({ signal: new AbortController().signal }, hardTimeoutMs, 'revoking lease', () =>
          s.lease.revoke(),
        );
      } else {
        s.lease.release();
      }
    }
    client?.close();
    client = undefined;
  }

  const transport = {
    async join(self: NodeName, handler: (from: NodeName, msg: Message) => void, ctx: Ctx): Promise<void> {
      await transport.joinOutcome(self, handler, ctx);
    },

    async joinOutcome(self: NodeName, handler: (from: NodeName, msg: Message) => void, ctx: Ctx) {
      if (self !== selfName)
        throw new UsageError(`transport created for node '${selfName}' cannot join as '${self}'`);
      if (state !== 'idle') throw new UsageError(`transport of node '${selfName}' already joined or closed`);
      state = 'joined';
      onMessage = handler;
      client = createEtcdClient({
        hosts: o.hosts,
        dialTimeoutMs: o.dialTimeoutMs,
        callTimeoutMs: o.callTimeoutMs,
        reconnectMs: o.reconnectMs,
      });
      timer = setInterval(tick, Math.max(50, Math.min(250, ttlMs / 4)));
      timer.unref?.();
      const r = await startSession(ctx);
      if (!r.ok) {
        log.warn('etcd transport: cannot reach etcd, alone until it answers', {
          node: selfName,
          detail: r.detail,
        });
        evaluate();
      }
      return r;
    },

    send(to: NodeName, msg: Message): void {
      transport.trySend(to, msg);
    },

    trySend(to: NodeName, msg: Message): EtcdSendOutcome {
      if (state !== 'joined')
        return refuse({ ok: false, reason: 'not-joined', detail: `node '${selfName}' has not joined` });
      const enc = encode(msg);
      if (!enc.ok) return refuse(enc);
      if (to === selfName) {
        queueMicrotask(() => {
          stats.messagesDelivered += 1;
          onMessage?.(selfName, JSON.parse(enc.value).msg as Message);
        });
        return { ok: true };
      }
      const s = session;
      if (!s || !isConnected())
        return refuse({ ok: false, reason: 'not-connected', detail: 'etcd session is down' });
      if (!peers.has(to))
        return refuse({ ok: false, reason: 'not-member', detail: `node '${to}' is not a member` });
      putMessage(s, to, enc.value);
      return { ok: true };
    },

    broadcast(msg: Message): void {
      if (state !== 'joined') {
        refuse({ ok: false, reason: 'not-joined', detail: `node '${selfName}' has not joined` });
        return;
      }
      const enc = encode(msg);
      if (!enc.ok) {
        refuse(enc);
        return;
      }
      const s = session;
      if (!s || !isConnected()) {
        refuse({ ok: false, reason: 'not-connected', detail: 'etcd session is down' });
        return;
      }
      for (const p of peers.keys()) putMessage(s, p, enc.value);
    },

    rings(): RingStatus[] {
      if (state !== 'joined' || isConnected()) return [{ ring: 0, status: 'ok' }];
      return [{ ring: 0, status: 'faulty', detail: lastError || 'etcd lease not refreshed within its TTL' }];
    },

    onMembership(cb: (members: NodeName[]) => void): () => void {
      subs.add(cb);
      if (state === 'joined') cb(currentMembers());
      return () => {
        subs.delete(cb);
      };
    },

    members(): NodeName[] {
      return currentMembers();
    },

    connected(): boolean {
      return isConnected();
    },

    leaseTtlMs(): number {
      return grantedTtlMs;
    },

    stats(): EtcdTransportStats {
      return { ...stats };
    },

    abandon(): Promise<void> {
      return stop(false);
    },

    close(): Promise<void> {
      return stop(true);
    },
  } satisfies EtcdTransport;
  return transport;
}

function bootOf(kv: IKeyValue): string {
  try {
    const v = JSON.parse(kv.value.toString('utf8')) as { bootId?: unknown };
    return typeof v.bootId === 'string' ? v.bootId : '';
  } catch {
    return '';
  }
}

function isMessage(v: unknown): v is Message {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { type?: unknown }).type === 'string'
  );
}
