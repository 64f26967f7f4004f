import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Wire format of the UDP transport, version 1. Every field is big-endian.
 *
 * ```
 * off len  field
 *   0   2  magic "QU"
 *   2   1  protocol version (1)
 *   3   1  kind: 1 heartbeat, 2 data
 *   4   1  ring index the packet was sent on (0-based)
 *   5   1  sender name length (1..64)
 *   6   1  destination name length (0 = broadcast)
 *   7   1  reserved (0)
 *   8   4  sender node id
 *  12   8  sender boot time (ms since the epoch, taken once at start)
 *  20   8  sender boot id (random at start)
 *  28   8  sequence number (per sender and boot; shared by all rings, so the copies of one message
 *          on several rings carry the same number)
 *  36   4  payload length
 *  40   …  sender name, destination name, payload (UTF-8 JSON for data, empty for heartbeats)
 * end-32 32 HMAC-SHA256 over every byte before it, keyed with the cluster key
 * ```
 *
 * Like corosync's authkey, the key authenticates every packet; a packet whose MAC does not match
 * is dropped before any field is read ({@link openPacket} checks the MAC first).
 */
export const PACKET_MAGIC = 0x5155; // "QU"
/** Protocol version written in every packet; a different version is refused. */
export const PROTOCOL_VERSION = 1;
/** Bytes before the names and payload. */
export const HEADER_BYTES = 40;
/** Bytes of the HMAC-SHA256 trailer. */
export const MAC_BYTES = 32;
/** Longest node name the header can carry, in UTF-8 bytes. */
export const MAX_NAME_BYTES = 64;

/** Packet kinds. */
export type PacketKind = 'heartbeat' | 'data';

/** The decoded, authenticated content of one packet. */
export interface Packet {
  kind: PacketKind;
  ring: number;
  sender: string;
  senderId: number;
  /** Empty string: broadcast. */
  to: string;
  bootTimeMs: number;
  /** 16 hex digits. */
  bootId: string;
  seq: number;
  /** Raw payload bytes (UTF-8 JSON for data packets). */
  payload: Buffer;
}

/** Why {@link openPacket} refused a datagram. */
export type OpenFailure = 'too-short' | 'auth' | 'malformed' | 'version';

/**
 * Encodes and signs one packet. Pure apart from the HMAC computation. Throws `RangeError` only on
 * a bug (name too long, bad boot id); callers validate names and sizes first.
 */
export function sealPacket(p: Packet, key: Uint8Array): Buffer {
  const sender = Buffer.from(p.sender, 'utf8');
  const to = Buffer.from(p.to, 'utf8');
  if (sender.length < 1 || sender.length > MAX_NAME_BYTES || to.length > MAX_NAME_BYTES) {
    throw new RangeError('node name length out of range');
  }
  const boot = Buffer.from(p.bootId, 'hex');
  if (boot.length !== 8) throw new RangeError('boot id must be 8 bytes');
  const body = HEADER_BYTES + sender.length + to.length + p.payload.length;
  const buf = Buffer.alloc(body + MAC_BYTES);
  buf.writeUInt16BE(PACKET_MAGIC, 0);
  buf.writeUInt8(PROTOCOL_VERSION, 2);
  buf.writeUInt8(p.kind === 'heartbeat' ? 1 : 2, 3);
  buf.writeUInt8(p.ring, 4);
  buf.writeUInt8(sender.length, 5);
  buf.writeUInt8(to.length, 6);
  buf.writeUInt8(0, 7);
  buf.writeUInt32BE(p.senderId >>> 0, 8);
  buf.writeBigUInt64BE(BigInt(p.bootTimeMs), 12);
  boot.copy(buf, 20);
  buf.writeBigUInt64BE(BigInt(p.seq), 28);
  buf.writeUInt32BE(p.payload.length, 36);
  let off = HEADER_BYTES;
  off += sender.copy(buf, off);
  off += to.copy(buf, off);
  p.payload.copy(buf, off);
  mac(buf.subarray(0, body), key).copy(buf, body);
  return buf;
}

/**
 * Authenticates, then decodes one datagram. The MAC is checked (in constant time) before any
 * field is interpreted, so a forged or corrupted datagram yields `auth` and nothing else.
 * Never throws, whatever the bytes.
 */
export function openPacket(
  buf: Buffer,
  key: Uint8Array,
): { ok: true; packet: Packet } | { ok: false; reason: OpenFailure } {
  if (buf.length < HEADER_BYTES + 1 + MAC_BYTES) return { ok: false, reason: 'too-short' };
  const body = buf.length - MAC_BYTES;
  const expected = mac(buf.subarray(0, body), key);
  if (!timingSafeEqual(expected, buf.subarray(body))) return { ok: false, reason: 'auth' };
  // Authenticated: a peer holding the key built it. Still check every length, a peer may be buggy.
  if (buf.readUInt16BE(0) !== PACKET_MAGIC) return { ok: false, reason: 'malformed' };
  if (buf.readUInt8(2) !== PROTOCOL_VERSION) return { ok: false, reason: 'version' };
  const kindByte = buf.readUInt8(3);
  if (kindByte !== 1 && kindByte !== 2) return { ok: false, reason: 'malformed' };
  const senderLen = buf.readUInt8(5);
  const toLen = buf.readUInt8(6);
  const payloadLen = buf.readUInt32BE(36);
  if (senderLen < 1 || senderLen > MAX_NAME_BYTES || toLen > MAX_NAME_BYTES) {
    return { ok: false, reason: 'malformed' };
  }
  if (HEADER_BYTES + senderLen + toLen + payloadLen !== body) return { ok: false, reason: 'malformed' };
  const seq = buf.readBigUInt64BE(28);
  const bootTime = buf.readBigUInt64BE(12);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER) || bootTime > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: 'malformed' };
  }
  const nameStart = HEADER_BYTES;
  const toStart = nameStart + senderLen;
  const payloadStart = toStart + toLen;
  return {
    ok: true,
    packet: {
      kind: kindByte === 1 ? 'heartbeat' : 'data',
      ring: buf.readUInt8(4),
      sender: buf.toString('utf8', nameStart, toStart),
      senderId: buf.readUInt32BE(8),
      to: buf.toString('utf8', toStart, payloadStart),
      bootTimeMs: Number(bootTime),
      bootId: buf.toString('hex', 20, 28),
      seq: Number(seq),
      payload: buf.subarray(payloadStart, body),
    },
  };
}

function mac(data: Buffer, key: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
