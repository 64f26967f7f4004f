import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import type { Ctx, Logger, Message, NodeName, RingStatus, Transport } from '@quorate/core';
import { ConfigError, QuorateError, UsageError } from '@quorate/core';
import { z } from 'zod';
import { type UdpTransportOptions, udpTransportOptionsSchema } from './udp-options.js';
import {
  HEADER_BYTES,
  MAC_BYTES,
  openPacket,
  type Packet,
  type PacketKind,
  sealPacket,
} from './udp-packet.js';

/** Counters of {@link UdpTransport.stats}; they only grow. */
export interface UdpTransportStats {
  /** Datagrams handed to the kernel (one per ring per peer). */
  packetsSent: number;
  /** Datagrams received, before any check. */
  packetsReceived: number;
  /** Application messages given to `onMessage`. */
  messagesDelivered: number;
  /** Failed the HMAC check (wrong key, forged, corrupted): dropped unread. */
  authFailed: number;
  /** Shorter than a header, or larger than the biggest allowed packet: dropped unread. */
  badSize: number;
  /** Authenticated but inconsistent (lengths, magic, kind, ring, JSON). */
  malformed: number;
  /** Authenticated but another protocol version. */
  badVersion: number;
  /** Sender not in the configuration, or itself, or not from that sender's ring address. */
  badSender: number;
  /** Sequence number not above the last one seen from that sender on that ring (replay, reorder). */
  replayed: number;
  /** From a boot of the sender older than the one already seen (a restarted node's old packets). */
  staleBoot: number;
  /** Copies of an already delivered message that arrived on another ring. */
  duplicates: number;
  /** Data packets addressed to another node. */
  misaddressed: number;
  /** `send`/`broadcast` calls refused because the message exceeds `maxMessageBytes`. */
  oversizeRefused: number;
  /** `send`/`broadcast` calls refused for other reasons (unknown node, not joined, not JSON). */
  sendRefused: number;
  /** Errors reported by the kernel for a datagram we sent. */
  sendErrors: number;
}

/** Outcome of {@link UdpTransport.trySend} / {@link UdpTransport.tryBroadcast}. */
export type UdpSendOutcome =
  | { ok: true; packets: number }
  | { ok: false; reason: 'too-large' | 'unknown-node' | 'not-joined' | 'invalid'; detail: string };

/**
 * The UDP transport: the {@link Transport} port plus a few extras (all optional for core).
 */
export interface UdpTransport extends Transport {
  /**
   * Subscribes to membership changes: `cb` gets the sorted list of nodes heard on any ring within
   * `tokenTimeoutMs` (always with this node) on every change, and once at subscription when
   * already joined. Returns unsubscribe.
   */
  onMembership(cb: (members: NodeName[]) => void): () => void;
  /** Counters of sent, received and dropped packets; never contains key material. */
  stats(): UdpTransportStats;
  /** Like `send`, but says why a message was refused. */
  trySend(to: NodeName, msg: Message): UdpSendOutcome;
  /** Like `broadcast`, but says why a message was refused. */
  tryBroadcast(msg: Message): UdpSendOutcome;
  /** Membership as this node sees it now (sorted; always includes itself once joined). */
  members(): NodeName[];
  /** Called with the full ring status list whenever a ring turns faulty or recovers. Returns unsubscribe. */
  onRingStatus(cb: (rings: RingStatus[]) => void): () => void;
  /**
   * Per-link reports for core (the port's `onReachability`): link (peer, ring) is up from the
   * first fresh authenticated packet on that ring and down once the ring was silent to that peer
   * for `ringTimeoutMs`. On subscription every link's current state is reported synchronously,
   * then every change. A down report from silence carries `silentForMs` (how long the link had
   * been silent), so core's token timeout counts from the last packet heard and membership loss
   * takes core's `tokenTimeout`, not `ringTimeoutMs` + `tokenTimeout`.
   */
  onReachability(cb: (peer: NodeName, ring: number, up: boolean, silentForMs?: number) => void): () => void;
  /**
   * Administrative ring control: closes ring `ring`'s socket (the ring then goes silent in both
   * directions, as if its cable were pulled) until {@link resumeRing}. Used by tests and by hosts
   * that take a network down for maintenance.
   */
  suspendRing(ring: number): Promise<void>;
  /** Binds ring `ring`'s socket again after {@link suspendRing}. Rejects if the bind fails. */
  resumeRing(ring: number): Promise<void>;
  /** This process's boot id (16 hex digits), as peers see it in its packets. */
  bootId(): string;
}

interface RingAddress {
  address: string;
  port: number;
}

interface PeerState {
  name: NodeName;
  id: number;
  rings: RingAddress[];
  bootTimeMs: number;
  bootId: string | undefined;
  retiredBoots: Set<string>;
  /** Highest sequence number accepted per ring (replay protection), for the current boot. */
  ringSeq: number[];
  /** Highest sequence number delivered to the application (cross-ring deduplication). */
  deliveredSeq: number;
  /** Monotonic time of the last accepted packet per ring. */
  lastHeard: number[];
  /** Monotonic time it last became a member (ring silence is counted from there at most). */
  aliveSince: number;
}

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Creates the UDP transport (`node:dgram`), Quorate's counterpart of corosync totem with
 * `rrp_mode: passive` over unicast (udpu):
 *
 * - One socket per ring, bound to this node's ring address; every packet is unicast to every
 *   peer on every ring, so a message survives the loss of all rings but one.
 * - Every packet carries a header (protocol version, sender name and id, a per-boot id and boot
 *   time, a per-sender sequence number) and an HMAC-SHA256 over all of it with the shared key. A
 *   datagram failing the MAC is dropped unread and counted (`stats().authFailed`).
 * - Replays are refused: per sender and ring, a sequence number must exceed the last one accepted
 *   for the same boot; packets of an older boot of the sender are refused once a newer boot was
 *   seen. Copies of one message on several rings are delivered once.
 * - Heartbeats every `heartbeatIntervalMs` on every ring. A peer heard on any ring within
 *   `tokenTimeoutMs` is a member. A ring silent to a live peer for `ringTimeoutMs` while another
 *   ring still hears it is reported `faulty` by `rings()`; it recovers by itself when packets flow
 *   again, and causes no membership change while any ring works.
 * - Two ways to feed core: `onMembership` (the transport applies `tokenTimeoutMs` itself) and
 *   `onReachability` (per-link up/down after `ringTimeoutMs` of silence, a down report carrying
 *   how long the link has been silent; core counts its own token timeout from that silence and
 *   marks faulty rings). Core uses `onReachability` when present.
 * - Pause detection: when this process was not scheduled for more than two heartbeats, the pause
 *   is not counted as the peers' silence (their packets wait unread in the socket buffers).
 * - A peer that restarts (new boot id) while it is a member is reported as leaving and rejoining
 *   (two membership callbacks), so core notices that it lost its state.
 * - `send`/`broadcast` are fire-and-forget; `broadcast` goes to every peer (not to self),
 *   `send(self, …)` is delivered locally. Refused messages (too large, unknown node) are counted
 *   and logged; `trySend`/`tryBroadcast` return the reason as a value.
 *
 * Throws `ConfigError` on invalid options or an unreadable/short key file (nothing is opened
 * then). The key never appears in logs, errors or stats. Nothing happens until `join`;
 * `close()` stops the timers and closes every socket.
 */
export function createUdpTransport(options: UdpTransportOptions): UdpTransport {
  const parsed = udpTransportOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ConfigError(z.prettifyError(parsed.error), parsed.error.issues.map(issueOf));
  }
  const opts = parsed.data;
  const key = loadKey(opts.key, opts.keyFile);
  const log = opts.logger ?? noopLogger;
  const selfName = opts.self;
  const names = Object.keys(opts.nodes).sort();
  const idOf = (name: string): number => opts.nodes[name]?.id ?? names.indexOf(name) + 1;
  const selfCfg = opts.nodes[selfName]!;
  const selfId = idOf(selfName);
  const ringCount = selfCfg.rings.length;
  const hb = opts.heartbeatIntervalMs;
  const tokenTimeoutMs = opts.tokenTimeoutMs;
  const ringTimeoutMs = opts.ringTimeoutMs ?? Math.min(tokenTimeoutMs - 1, 4 * hb);
  const maxPacketBytes = HEADER_BYTES + 2 * 64 + opts.maxMessageBytes + MAC_BYTES;
  const bootId = randomBytes(8).toString('hex');
  const bootTimeMs = Date.now();
  const now = (): number => performance.now();

  const peers = new Map<NodeName, PeerState>();
  for (const name of names) {
    if (name === selfName) continue;
    peers.set(name, {
      name,
      id: idOf(name),
      rings: opts.nodes[name]!.rings,
      bootTimeMs: 0,
      bootId: undefined,
      retiredBoots: new Set(),
      ringSeq: new Array<number>(ringCount).fill(0),
      deliveredSeq: 0,
      lastHeard: new Array<number>(ringCount).fill(Number.NEGATIVE_INFINITY),
      aliveSince: 0,
    });
  }

  const stats: UdpTransportStats = {
    packetsSent: 0,
    packetsReceived: 0,
    messagesDelivered: 0,
    authFailed: 0,
    badSize: 0,
    malformed: 0,
    badVersion: 0,
    badSender: 0,
    replayed: 0,
    staleBoot: 0,
    duplicates: 0,
    misaddressed: 0,
    oversizeRefused: 0,
    sendRefused: 0,
    sendErrors: 0,
  };

  const sockets: Array<Socket | undefined> = new Array(ringCount).fill(undefined);
  const suspended = new Array<boolean>(ringCount).fill(false);
  let state: 'idle' | 'joining' | 'joined' | 'closed' = 'idle';
  let onMessage: ((from: NodeName, msg: Message) => void) | undefined;
  let seq = 0;
  let timer: NodeJS.Timeout | undefined;
  let joinedAt = 0;
  let members: NodeName[] = [];
  let ringView: RingStatus[] = Array.from({ length: ringCount }, (_, ring) => ({
    ring,
    status: 'ok' as const,
  }));
  const membershipSubs = new Set<(m: NodeName[]) => void>();
  const ringSubs = new Set<(r: RingStatus[]) => void>();
  const reachSubs = new Set<(peer: NodeName, ring: number, up: boolean, silentForMs?: number) => void>();
  /** Link state per peer and ring, as last reported to `onReachability` subscribers. */
  const linkUp = new Map<NodeName, boolean[]>(
    names.filter((n) => n !== selfName).map((n) => [n, new Array<boolean>(ringCount).fill(false)]),
  );

  /** `silentForMs`: with a down report from silence, how long the link had been silent. */
  function setLink(peer: NodeName, ring: number, up: boolean, silentForMs?: number): void {
    const arr = linkUp.get(peer);
    if (!arr || arr[ring] === up) return;
    arr[ring] = up;
    log.debug('udp transport: link changed', { peer, ring, up });
    for (const cb of [...reachSubs]) {
      try {
        cb(peer, ring, up, silentForMs);
      } catch (err) {
        log.error('udp transport: subscriber threw', { error: String(err) });
      }
    }
  }

  function bindRing(ring: number): Promise<Socket> {
    const addr = selfCfg.rings[ring]!;
    return new Promise((resolve, reject) => {
      const sock = createSocket({ type: isIPv6(addr.address) ? 'udp6' : 'udp4' });
      const onError = (err: Error): void => {
        sock.close();
        reject(err);
      };
      sock.once('error', onError);
      sock.on('message', (buf, rinfo) => receive(ring, buf, rinfo.address, rinfo.port));
      sock.bind({ address: addr.address, port: addr.port, exclusive: true }, () => {
        sock.off('error', onError);
        sock.on('error', (err) => {
          // A socket error after bind (rare with UDP): log it and keep the socket; sends report
          // their own errors.
          log.warn('udp transport: socket error', { ring, error: err.message });
        });
        resolve(sock);
      });
    });
  }

  function nextSeq(): number {
    seq += 1;
    return seq;
  }

  function transmit(
    kind: PacketKind,
    to: PeerState,
    packetSeq: number,
    payload: Buffer,
    toName: string,
  ): number {
    let n = 0;
    for (let ring = 0; ring < ringCount; ring++) {
      const sock = sockets[ring];
      const dst = to.rings[ring]!;
      if (!sock) continue;
      const buf = sealPacket(
        {
          kind,
          ring,
          sender: selfName,
          senderId: selfId,
          to: toName,
          bootTimeMs,
          bootId,
          seq: packetSeq,
          payload,
        },
        key,
      );
      stats.packetsSent += 1;
      n += 1;
      sock.send(buf, dst.port, dst.address, (err) => {
        if (err) {
          stats.sendErrors += 1;
          log.debug('udp transport: send failed', { ring, to: to.name, error: err.message });
        }
      });
    }
    return n;
  }

  function receive(ring: number, buf: Buffer, fromAddress: string, fromPort: number): void {
    stats.packetsReceived += 1;
    if (state !== 'joined') return;
    if (buf.length > maxPacketBytes) {
      stats.badSize += 1;
      return;
    }
    const opened = openPacket(buf, key);
    if (!opened.ok) {
      if (opened.reason === 'auth') stats.authFailed += 1;
      else if (opened.reason === 'too-short') stats.badSize += 1;
      else if (opened.reason === 'version') stats.badVersion += 1;
      else stats.malformed += 1;
      return;
    }
    const p = opened.packet;
    if (p.ring !== ring) {
      stats.malformed += 1;
      return;
    }
    const peer = peers.get(p.sender);
    const expectAddr = peer?.rings[ring];
    if (
      !peer ||
      p.senderId !== peer.id ||
      !expectAddr ||
      !sameAddress(expectAddr.address, fromAddress) ||
      expectAddr.port !== fromPort
    ) {
      stats.badSender += 1;
      warnBadSender(p.sender, p.senderId, `${fromAddress}:${fromPort}`, peer, expectAddr);
      return;
    }
    if (!acceptBoot(peer, p)) return;
    if (p.seq <= peer.ringSeq[ring]!) {
      stats.replayed += 1;
      return;
    }
    peer.ringSeq[ring] = p.seq;
    const wasMember = members.includes(peer.name);
    peer.lastHeard[ring] = now();
    setLink(peer.name, ring, true);
    if (!wasMember) evaluate();
    if (p.kind === 'heartbeat') return;
    if (p.to !== '' && p.to !== selfName) {
      stats.misaddressed += 1;
      return;
    }
    if (p.seq <= peer.deliveredSeq) {
      stats.duplicates += 1;
      return;
    }
    peer.deliveredSeq = p.seq;
    let msg: unknown;
    try {
      msg = JSON.parse(p.payload.toString('utf8'));
    } catch {
      stats.malformed += 1;
      return;
    }
    if (!isMessage(msg)) {
      stats.malformed += 1;
      return;
    }
    stats.messagesDelivered += 1;
    deliver(peer.name, msg);
  }

  /**
   * An authenticated packet whose sender does not match the configured node (wrong id or wrong
   * address): a node name or id used twice, or a key holder posing as another node. Dropped, and
   * logged once per sender and source, so an operator sees it without a log flood.
   */
  const badSenderSeen = new Set<string>();
  function warnBadSender(
    sender: string,
    senderId: number,
    from: string,
    peer: PeerState | undefined,
    expected: { address: string; port: number } | undefined,
  ): void {
    const k = `${sender}|${senderId}|${from}`;
    if (badSenderSeen.has(k) || badSenderSeen.size > 256) return;
    badSenderSeen.add(k);
    const why =
      sender === selfName
        ? `it claims to be this node ('${selfName}'): is the node name or id used twice?`
        : !peer
          ? `'${sender}' is not a configured node`
          : senderId !== peer.id
            ? `'${sender}' has id ${peer.id}, the packet says ${senderId}: a node id used twice?`
            : `'${sender}' is configured at ${expected?.address}:${expected?.port}: a node name used twice, or a spoofed sender?`;
    log.error(`udp transport: dropped authenticated packet from ${from}: ${why}`, {
      sender,
      senderId,
      from,
    });
  }

  function acceptBoot(peer: PeerState, p: Packet): boolean {
    if (peer.bootId === p.bootId) {
      if (peer.bootTimeMs !== p.bootTimeMs) {
        stats.malformed += 1;
        return false;
      }
      return true;
    }
    // A boot that does not look newer is a replay while the current boot is alive; once that one
    // has been silent for the token timeout it is accepted (the peer's clock may have stepped
    // back across its restart). Boot ids already replaced are refused for good.
    const currentAlive = peer.lastHeard.some((h) => now() - h <= tokenTimeoutMs);
    if (
      peer.retiredBoots.has(p.bootId) ||
      (peer.bootId !== undefined && p.bootTimeMs <= peer.bootTimeMs && currentAlive)
    ) {
      stats.staleBoot += 1;
      return false;
    }
    if (peer.bootId !== undefined) {
      log.info('udp transport: peer restarted', { peer: peer.name });
      peer.retiredBoots.add(peer.bootId);
      if (peer.retiredBoots.size > 64) {
        const oldest = peer.retiredBoots.values().next().value;
        if (oldest !== undefined) peer.retiredBoots.delete(oldest);
      }
    }
    peer.bootId = p.bootId;
    peer.bootTimeMs = p.bootTimeMs;
    peer.ringSeq.fill(0);
    peer.deliveredSeq = 0;
    if (members.includes(peer.name)) {
      // Restarted within the token timeout: it lost its state, so report it as having left (and,
      // from the caller, as rejoined), as corosync forms a new membership when a node restarts.
      peer.lastHeard.fill(Number.NEGATIVE_INFINITY);
      for (let r = 0; r < ringCount; r++) setLink(peer.name, r, false);
      evaluate();
    }
    return true;
  }

  function deliver(from: NodeName, msg: Message): void {
    const cb = onMessage;
    if (!cb) return;
    try {
      cb(from, msg);
    } catch (err) {
      log.error('udp transport: onMessage handler threw', { from, error: String(err) });
    }
  }

  /** When `evaluate` last ran; a longer gap than two heartbeats means this process was paused. */
  let lastEvaluateAt = Number.NaN;

  /** Recomputes membership and ring status; notifies subscribers of changes. */
  function evaluate(): void {
    if (state !== 'joined') return;
    const t = now();
    // Pause detection (as corosync's): when this process was not scheduled for a while (CPU
    // starvation, a stopped VM), the peers' packets wait unread in the socket buffers. Our own pause
    // is not their silence, so it is taken off every peer's silence before anything is judged.
    const gap = t - lastEvaluateAt;
    lastEvaluateAt = t;
    if (gap > 2 * hb) {
      const pause = gap - hb;
      for (const peer of peers.values()) {
        for (let r = 0; r < ringCount; r++) {
          const h = peer.lastHeard[r] as number;
          if (Number.isFinite(h)) peer.lastHeard[r] = Math.min(t, h + pause);
        }
      }
      if (pause > ringTimeoutMs)
        log.warn('udp transport: process was paused', { node: selfName, pauseMs: Math.round(pause) });
    }
    const alive: NodeName[] = [selfName];
    const faultDetail: string[][] = Array.from({ length: ringCount }, () => []);
    for (const peer of peers.values()) {
      const heard = peer.lastHeard.map((h) => t - h);
      heard.forEach((d, ring) => {
        // Core counts its token timeout from the silence, not from this report.
        if (d > ringTimeoutMs) setLink(peer.name, ring, false, d);
      });
      if (!heard.some((d) => d <= tokenTimeoutMs)) continue;
      alive.push(peer.name);
      // A peer that just (re)appeared gets ringTimeout of grace on each ring before a ring that
      // has not carried its packets yet counts as faulty.
      if (!members.includes(peer.name)) peer.aliveSince = t;
      const anyRingFresh = heard.some((d) => d <= ringTimeoutMs);
      for (let ring = 0; ring < ringCount; ring++) {
        const silent = t - Math.max(peer.lastHeard[ring]!, peer.aliveSince, joinedAt);
        if (silent > ringTimeoutMs && anyRingFresh) faultDetail[ring]!.push(`'${peer.name}'`);
      }
    }
    alive.sort();
    if (alive.join('\0') !== members.join('\0')) {
      const before = members;
      members = alive;
      log.info('udp transport: membership changed', { members: alive, before });
      for (const cb of [...membershipSubs]) safeCall(cb, [...alive]);
    }
    const view: RingStatus[] = [];
    for (let ring = 0; ring < ringCount; ring++) {
      if (!sockets[ring]) {
        view.push({
          ring,
          status: 'faulty',
          detail: suspended[ring] ? 'ring suspended locally' : 'socket not bound',
        });
      } else if (faultDetail[ring]!.length > 0) {
        view.push({ ring, status: 'faulty', detail: `silent to ${faultDetail[ring]!.join(', ')}` });
      } else {
        view.push({ ring, status: 'ok' });
      }
    }
    const changed = view.some((r, i) => r.status !== ringView[i]?.status);
    ringView = view;
    if (changed) {
      for (const r of view) {
        if (r.status === 'faulty') log.warn('udp transport: ring faulty', { ring: r.ring, detail: r.detail });
      }
      for (const cb of [...ringSubs])
        safeCall(
          cb,
          view.map((r) => ({ ...r })),
        );
    }
  }

  function safeCall<T>(cb: (v: T) => void, v: T): void {
    try {
      cb(v);
    } catch (err) {
      log.error('udp transport: subscriber threw', { error: String(err) });
    }
  }

  function tick(): void {
    if (state !== 'joined') return;
    const s = nextSeq();
    for (const peer of peers.values()) transmit('heartbeat', peer, s, Buffer.alloc(0), '');
    evaluate();
  }

  function encodeMessage(
    msg: Message,
  ): { ok: true; payload: Buffer } | Extract<UdpSendOutcome, { ok: false }> {
    if (!isMessage(msg))
      return { ok: false, reason: 'invalid', detail: 'message must be an object with a string type' };
    let text: string;
    try {
      text = JSON.stringify(msg);
    } catch (err) {
      return { ok: false, reason: 'invalid', detail: `message is not JSON: ${String(err)}` };
    }
    const payload = Buffer.from(text, 'utf8');
    if (payload.length > opts.maxMessageBytes) {
      return {
        ok: false,
        reason: 'too-large',
        detail: `message '${msg.type}' is ${payload.length} bytes, limit is ${opts.maxMessageBytes}`,
      };
    }
    return { ok: true, payload };
  }

  function refuse(o: Extract<UdpSendOutcome, { ok: false }>): UdpSendOutcome {
    if (o.reason === 'too-large') stats.oversizeRefused += 1;
    else stats.sendRefused += 1;
    log.warn('udp transport: message refused', { reason: o.reason, detail: o.detail });
    return o;
  }

  const transport = {
    async join(self: NodeName, handler: (from: NodeName, msg: Message) => void, ctx: Ctx): Promise<void> {
      if (self !== selfName)
        throw new UsageError(`transport created for node '${selfName}' cannot join as '${self}'`);
      if (state !== 'idle') throw new UsageError(`transport of node '${selfName}' already joined or closed`);
      ctx.signal.throwIfAborted();
      state = 'joining';
      const results = await Promise.allSettled(selfCfg.rings.map((_, ring) => bindRing(ring)));
      const failed = results.findIndex((r) => r.status === 'rejected');
      if (failed >= 0 || ctx.signal.aborted || (state as string) === 'closed') {
        for (const r of results) if (r.status === 'fulfilled') r.value.close();
        if ((state as string) !== 'closed') state = 'idle';
        ctx.signal.throwIfAborted();
        if (failed >= 0) {
          const addr = selfCfg.rings[failed]!;
          const reason = (results[failed] as PromiseRejectedResult).reason as Error;
          throw new QuorateError(
            'TRANSPORT_BIND',
            `node '${selfName}' cannot bind ring ${failed} to ${addr.address}:${addr.port}: ${reason.message}`,
            { cause: reason },
          );
        }
        throw new UsageError(`transport of node '${selfName}' was closed while joining`);
      }
      results.forEach((r, ring) => {
        if (r.status === 'fulfilled') sockets[ring] = r.value;
      });
      onMessage = handler;
      joinedAt = now();
      state = 'joined';
      members = [selfName];
      for (const cb of [...membershipSubs]) safeCall(cb, [...members]);
      log.info('udp transport: joined', { node: selfName, rings: ringCount, bootId });
      timer = setInterval(tick, hb);
      timer.unref?.();
      tick();
    },

    send(to: NodeName, msg: Message): void {
      transport.trySend(to, msg);
    },

    broadcast(msg: Message): void {
      transport.tryBroadcast(msg);
    },

    trySend(to: NodeName, msg: Message): UdpSendOutcome {
      if (state !== 'joined')
        return refuse({ ok: false, reason: 'not-joined', detail: `node '${selfName}' has not joined` });
      const enc = encodeMessage(msg);
      if (!enc.ok) return refuse(enc);
      if (to === selfName) {
        queueMicrotask(() => {
          if (state === 'joined') {
            stats.messagesDelivered += 1;
            deliver(selfName, JSON.parse(enc.payload.toString('utf8')) as Message);
          }
        });
        return { ok: true, packets: 0 };
      }
      const peer = peers.get(to);
      if (!peer)
        return refuse({
          ok: false,
          reason: 'unknown-node',
          detail: `node '${to}' is not in the configuration`,
        });
      return { ok: true, packets: transmit('data', peer, nextSeq(), enc.payload, to) };
    },

    tryBroadcast(msg: Message): UdpSendOutcome {
      if (state !== 'joined')
        return refuse({ ok: false, reason: 'not-joined', detail: `node '${selfName}' has not joined` });
      const enc = encodeMessage(msg);
      if (!enc.ok) return refuse(enc);
      const s = nextSeq();
      let packets = 0;
      for (const peer of peers.values()) packets += transmit('data', peer, s, enc.payload, '');
      return { ok: true, packets };
    },

    rings(): RingStatus[] {
      return ringView.map((r) => ({ ...r }));
    },

    onMembership(cb: (members: NodeName[]) => void): () => void {
      membershipSubs.add(cb);
      if (state === 'joined') safeCall(cb, [...members]);
      return () => {
        membershipSubs.delete(cb);
      };
    },

    onReachability(
      cb: (peer: NodeName, ring: number, up: boolean, silentForMs?: number) => void,
    ): () => void {
      reachSubs.add(cb);
      for (const [peer, arr] of linkUp) {
        arr.forEach((up, ring) => {
          cb(peer, ring, up);
        });
      }
      return () => {
        reachSubs.delete(cb);
      };
    },

    onRingStatus(cb: (rings: RingStatus[]) => void): () => void {
      ringSubs.add(cb);
      return () => {
        ringSubs.delete(cb);
      };
    },

    members(): NodeName[] {
      return [...members];
    },

    stats(): UdpTransportStats {
      return { ...stats };
    },

    bootId(): string {
      return bootId;
    },

    async suspendRing(ring: number): Promise<void> {
      if (!Number.isInteger(ring) || ring < 0 || ring >= ringCount) throw new UsageError(`no ring ${ring}`);
      suspended[ring] = true;
      const sock = sockets[ring];
      sockets[ring] = undefined;
      if (sock) await new Promise<void>((resolve) => sock.close(() => resolve()));
      log.warn('udp transport: ring suspended', { ring });
      evaluate();
    },

    async resumeRing(ring: number): Promise<void> {
      if (!Number.isInteger(ring) || ring < 0 || ring >= ringCount) throw new UsageError(`no ring ${ring}`);
      if (state !== 'joined') throw new UsageError(`transport of node '${selfName}' is not joined`);
      if (sockets[ring]) return;
      const sock = await bindRing(ring);
      if ((state as string) !== 'joined') {
        sock.close();
        return;
      }
      sockets[ring] = sock;
      suspended[ring] = false;
      log.info('udp transport: ring resumed', { ring });
      evaluate();
    },

    async close(): Promise<void> {
      if (state === 'closed') return;
      state = 'closed';
      if (timer) clearInterval(timer);
      timer = undefined;
      onMessage = undefined;
      membershipSubs.clear();
      ringSubs.clear();
      reachSubs.clear();
      await Promise.all(
        sockets.map((s, i) => {
          sockets[i] = undefined;
          return s ? new Promise<void>((resolve) => s.close(() => resolve())) : Promise.resolve();
        }),
      );
    },
  } satisfies UdpTransport;
  return transport;
}

function loadKey(key: string | Uint8Array | undefined, keyFile: string | undefined): Buffer {
  let bytes: Buffer;
  if (keyFile !== undefined) {
    try {
      bytes = readFileSync(keyFile);
    } catch (err) {
      throw new ConfigError(
        `cannot read key file '${keyFile}'`,
        [{ path: ['keyFile'], message: `cannot read '${keyFile}'` }],
        {
          cause: err,
        },
      );
    }
  } else {
    bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key ?? new Uint8Array());
  }
  if (bytes.length < 16) {
    const path = keyFile !== undefined ? 'keyFile' : 'key';
    throw new ConfigError(`cluster key is ${bytes.length} bytes, at least 16 are needed`, [
      { path: [path], message: 'key shorter than 16 bytes' },
    ]);
  }
  return bytes;
}

function issueOf(i: z.core.$ZodIssue): { path: Array<string | number>; message: string } {
  return { path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message };
}

function isMessage(v: unknown): v is Message {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { type?: unknown }).type === 'string'
  );
}

/** Compares a configured address with a datagram's source (IPv4-mapped IPv6 allowed). */
function sameAddress(configured: string, actual: string): boolean {
  if (configured === actual) return true;
  const strip = (a: string): string => (a.startsWith('::ffff:') ? a.slice(7) : a).toLowerCase();
  return strip(configured) === strip(actual);
}
