/**
 * Pure encoders and decoders for IPMI over LAN: the RMCP header, the IPMI v1.5 and v2.0 (RMCP+)
 * session headers, IPMI messages with their checksums, and the RMCP+ session-setup payloads
 * (Open Session, RAKP 1–4). No I/O, no crypto: MACs and ciphers are in `rmcp-crypto.ts`.
 *
 * Every decoder takes untrusted bytes and never throws: it returns `{ ok: true, value }` or a
 * {@link DecodeFailure} naming what was wrong. Multi-byte integers on the wire are little-endian
 * and are kept unsigned (`>>> 0`).
 */

/** RMCP message class of ASF (presence ping/pong). */
export const RMCP_CLASS_ASF = 0x06;
/** RMCP message class of IPMI. */
export const RMCP_CLASS_IPMI = 0x07;

/** Session header authentication types (IPMI v2.0 table 13-17); 6 = RMCP+ (IPMI v2.0 format). */
export const AuthType = { none: 0, md2: 1, md5: 2, password: 4, oem: 5, rmcpPlus: 6 } as const;

/** RMCP+ payload types (IPMI v2.0 table 13-16). */
export const PayloadType = {
  ipmi: 0x00,
  openSessionRequest: 0x10,
  openSessionResponse: 0x11,
  rakp1: 0x12,
  rakp2: 0x13,
  rakp3: 0x14,
  rakp4: 0x15,
} as const;

/** Why a decoder rejected its input. */
export type DecodeErrorCode =
  | 'truncated'
  | 'not-rmcp'
  | 'unsupported-class'
  | 'unsupported-auth-type'
  | 'unsupported-payload'
  | 'bad-length'
  | 'bad-checksum'
  | 'malformed';

/** A decoder's typed failure. `detail` is a short sentence for logs (bytes are never secret). */
export interface DecodeFailure {
  ok: false;
  error: DecodeErrorCode;
  detail: string;
}

/** Result of a decoder. */
export type Decoded<T> = { ok: true; value: T } | DecodeFailure;

const fail = (error: DecodeErrorCode, detail: string): DecodeFailure => ({ ok: false, error, detail });

/** An ASF message (presence pong when `messageType` is 0x40). */
export interface AsfPacket {
  kind: 'asf';
  messageType: number;
  tag: number;
  data: Buffer;
}

/** An IPMI v1.5 session packet. `authCode` is present when `authType` is not `none`. */
export interface Ipmi15Packet {
  kind: 'ipmi15';
  authType: number;
  sessionSeq: number;
  sessionId: number;
  authCode: Buffer | undefined;
  /** The IPMI message (netFn, cmd, data, checksums). */
  message: Buffer;
}

/**
 * An IPMI v2.0 (RMCP+) packet. `payload` is as on the wire (still encrypted when `encrypted`).
 * When `authenticated`, `trailer` holds the integrity pad, pad length, next header and AuthCode,
 * and `signed` the bytes the AuthCode covers (authType through next header) plus the code, so the
 * session layer, which knows the AuthCode length, can check it.
 */
export interface Ipmi20Packet {
  kind: 'ipmi20';
  payloadType: number;
  encrypted: boolean;
  authenticated: boolean;
  sessionId: number;
  sessionSeq: number;
  payload: Buffer;
  trailer: Buffer;
  /** Bytes from the session header's authType to the end of the datagram. */
  session: Buffer;
}

/** Any decoded RMCP datagram. */
export type RmcpPacket = AsfPacket | Ipmi15Packet | Ipmi20Packet;

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Decodes one UDP datagram received from (or sent to) a BMC. Never throws. */
export function decodeRmcpPacket(input: Uint8Array): Decoded<RmcpPacket> {
  const buf = toBuffer(input);
  if (buf.length < 4)
    return fail('truncated', `datagram of ${buf.length} bytes is shorter than an RMCP header`);
  if (buf[0] !== 0x06) return fail('not-rmcp', `RMCP version byte is 0x${hex(buf[0])}, expected 0x06`);
  const cls = (buf[3] ?? 0) & 0x1f;
  if (cls === RMCP_CLASS_ASF) {
    if (buf.length < 12) return fail('truncated', 'ASF message shorter than 12 bytes');
    const dataLen = buf[11] ?? 0;
    if (buf.length < 12 + dataLen) return fail('bad-length', 'ASF data length exceeds datagram');
    return {
      ok: true,
      value: {
        kind: 'asf',
        messageType: buf[8] ?? 0,
        tag: buf[9] ?? 0,
        data: buf.subarray(12, 12 + dataLen),
      },
    };
  }
  if (cls !== RMCP_CLASS_IPMI) return fail('unsupported-class', `RMCP class 0x${hex(cls)} is not IPMI`);
  if (buf.length < 5) return fail('truncated', 'no session header');
  const authType = (buf[4] ?? 0) & 0x0f;
  if (authType === AuthType.rmcpPlus) return decodeIpmi20(buf);
  if (
    authType === AuthType.none ||
    authType === AuthType.md2 ||
    authType === AuthType.md5 ||
    authType === AuthType.password
  ) {
    return decodeIpmi15(buf, authType);
  }
  return fail('unsupported-auth-type', `session auth type ${authType} is not supported`);
}

function decodeIpmi15(buf: Buffer, authType: number): Decoded<Ipmi15Packet> {
  // authType(1) seq(4) sid(4) [authCode(16)] len(1) message
  const codeLen = authType === AuthType.none ? 0 : 16;
  const lenAt = 4 + 1 + 4 + 4 + codeLen;
  if (buf.length < lenAt + 1) return fail('truncated', 'IPMI v1.5 session header truncated');
  const len = buf[lenAt] ?? 0;
  if (buf.length < lenAt + 1 + len)
    return fail('bad-length', `IPMI v1.5 message length ${len} exceeds datagram`);
  return {
    ok: true,
    value: {
      kind: 'ipmi15',
      authType,
      sessionSeq: buf.readUInt32LE(5),
      sessionId: buf.readUInt32LE(9),
      authCode: codeLen ? Buffer.from(buf.subarray(13, 13 + codeLen)) : undefined,
      message: Buffer.from(buf.subarray(lenAt + 1, lenAt + 1 + len)),
    },
  };
}

function decodeIpmi20(buf: Buffer): Decoded<Ipmi20Packet> {
  // authType(1) payloadType(1) [OEM IANA(4) + OEM payload id(2) when type 2] sid(4) seq(4) len(2)
  if (buf.length < 16) return fail('truncated', 'IPMI v2.0 session header truncated');
  const pt = buf[5] ?? 0;
  const payloadType = pt & 0x3f;
  if (payloadType === 0x02) return fail('unsupported-payload', 'OEM explicit payloads are not supported');
  const sessionId = buf.readUInt32LE(6);
  const sessionSeq = buf.readUInt32LE(10);
  const len = buf.readUInt16LE(14);
  const end = 16 + len;
  if (buf.length < end)
    return fail('bad-length', `IPMI v2.0 payload length ${len} exceeds datagram of ${buf.length} bytes`);
  const authenticated = (pt & 0x40) !== 0;
  const trailer = buf.subarray(end);
  if (!authenticated && trailer.length !== 0) {
    return fail('bad-length', `unauthenticated packet has ${trailer.length} bytes after its payload`);
  }
  if (authenticated && trailer.length < 2)
    return fail('truncated', 'authenticated packet has no integrity trailer');
  return {
    ok: true,
    value: {
      kind: 'ipmi20',
      payloadType,
      encrypted: (pt & 0x80) !== 0,
      authenticated,
      sessionId,
      sessionSeq,
      payload: Buffer.from(buf.subarray(16, end)),
      trailer: Buffer.from(trailer),
      session: Buffer.from(buf.subarray(4)),
    },
  };
}

const RMCP_IPMI_HEADER = Buffer.from([0x06, 0x00, 0xff, RMCP_CLASS_IPMI]);

/** Encodes an ASF Presence Ping (RMCP class 6), answered by a pong from a BMC. */
export function encodeAsfPing(tag: number): Buffer {
  return Buffer.from([
    0x06,
    0x00,
    0xff,
    RMCP_CLASS_ASF,
    0x00,
    0x00,
    0x11,
    0xbe,
    0x80,
    tag & 0xff,
    0x00,
    0x00,
  ]);
}

/** Fields of an IPMI v1.5 session packet to encode. */
export interface Ipmi15PacketFields {
  authType: number;
  sessionSeq: number;
  sessionId: number;
  /** 16 bytes; required unless `authType` is none. */
  authCode?: Uint8Array | undefined;
  message: Uint8Array;
}

/** Encodes an IPMI v1.5 session packet (with its RMCP header). */
export function encodeIpmi15Packet(f: Ipmi15PacketFields): Buffer {
  const codeLen = f.authType === AuthType.none ? 0 : 16;
  const out = Buffer.alloc(4 + 1 + 8 + codeLen + 1 + f.message.length);
  RMCP_IPMI_HEADER.copy(out, 0);
  out[4] = f.authType;
  out.writeUInt32LE(f.sessionSeq >>> 0, 5);
  out.writeUInt32LE(f.sessionId >>> 0, 9);
  if (codeLen) {
    const code = f.authCode ?? new Uint8Array(16);
    out.set(code.subarray(0, 16), 13);
  }
  out[13 + codeLen] = f.message.length;
  out.set(f.message, 14 + codeLen);
  return out;
}

/** Fields of an IPMI v2.0 session packet to encode. */
export interface Ipmi20PacketFields {
  payloadType: number;
  encrypted: boolean;
  sessionId: number;
  sessionSeq: number;
  /** The payload as it goes on the wire (already encrypted when `encrypted`). */
  payload: Uint8Array;
  /**
   * When given, the packet is marked authenticated and gets an integrity trailer whose AuthCode
   * is `sign(bytes from authType through next header)`.
   */
  sign?: ((covered: Buffer) => Buffer) | undefined;
}

/** Encodes an IPMI v2.0 / RMCP+ session packet (with its RMCP header and optional trailer). */
export function encodeIpmi20Packet(f: Ipmi20PacketFields): Buffer {
  const headLen = 4 + 12;
  let trailerPadLen = 0;
  if (f.sign) {
    // Bytes from authType (offset 4) through next header must be a multiple of 4.
    const covered = 12 + f.payload.length + 2;
    trailerPadLen = (4 - (covered % 4)) % 4;
  }
  const bodyLen = headLen + f.payload.length + (f.sign ? trailerPadLen + 2 : 0);
  const body = Buffer.alloc(bodyLen);
  RMCP_IPMI_HEADER.copy(body, 0);
  body[4] = AuthType.rmcpPlus;
  body[5] = (f.payloadType & 0x3f) | (f.encrypted ? 0x80 : 0) | (f.sign ? 0x40 : 0);
  body.writeUInt32LE(f.sessionId >>> 0, 6);
  body.writeUInt32LE(f.sessionSeq >>> 0, 10);
  body.writeUInt16LE(f.payload.length, 14);
  body.set(f.payload, 16);
  if (!f.sign) return body;
  const at = 16 + f.payload.length;
  body.fill(0xff, at, at + trailerPadLen);
  body[at + trailerPadLen] = trailerPadLen;
  body[at + trailerPadLen + 1] = 0x07;
  return Buffer.concat([body, f.sign(body.subarray(4))]);
}

/**
 * Splits an integrity trailer whose AuthCode is `authCodeLength` bytes: returns the covered bytes
 * (authType through next header) and the AuthCode, or a failure when the pad is malformed.
 */
export function splitIntegrityTrailer(
  packet: Ipmi20Packet,
  authCodeLength: number,
): Decoded<{ covered: Buffer; authCode: Buffer }> {
  const t = packet.trailer;
  if (t.length < authCodeLength + 2) return fail('truncated', 'integrity trailer shorter than its AuthCode');
  const padLen = t[t.length - authCodeLength - 2] ?? 0;
  const nextHeader = t[t.length - authCodeLength - 1];
  if (nextHeader !== 0x07) return fail('malformed', `integrity trailer next header is 0x${hex(nextHeader)}`);
  if (padLen !== t.length - authCodeLength - 2)
    return fail('malformed', 'integrity pad length does not match trailer');
  for (let i = 0; i < padLen; i++)
    if (t[i] !== 0xff) return fail('malformed', 'integrity pad byte is not 0xFF');
  const s = packet.session;
  return {
    ok: true,
    value: {
      covered: s.subarray(0, s.length - authCodeLength),
      authCode: s.subarray(s.length - authCodeLength),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// IPMI messages

/** An IPMI LAN message (request or response), as carried in a session payload. */
export interface IpmiMessage {
  /** Responder address of a request, requester address of a response. */
  targetAddr: number;
  netFn: number;
  targetLun: number;
  /** Requester address of a request, responder address of a response. */
  sourceAddr: number;
  /** 6-bit requester sequence number. */
  seq: number;
  sourceLun: number;
  cmd: number;
  /** For a response: completion code first, then the data. */
  data: Buffer;
}

/** Two's complement checksum of `bytes`. */
export function ipmiChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

/** Encodes an IPMI LAN message with both checksums. */
export function encodeIpmiMessage(m: IpmiMessage): Buffer {
  const out = Buffer.alloc(7 + m.data.length);
  out[0] = m.targetAddr;
  out[1] = ((m.netFn & 0x3f) << 2) | (m.targetLun & 3);
  out[2] = ipmiChecksum(out.subarray(0, 2));
  out[3] = m.sourceAddr;
  out[4] = ((m.seq & 0x3f) << 2) | (m.sourceLun & 3);
  out[5] = m.cmd;
  out.set(m.data, 6);
  out[6 + m.data.length] = ipmiChecksum(out.subarray(3, 6 + m.data.length));
  return out;
}

/** Decodes an IPMI LAN message and checks both checksums. Never throws. */
export function decodeIpmiMessage(input: Uint8Array): Decoded<IpmiMessage> {
  const b = toBuffer(input);
  if (b.length < 7) return fail('truncated', `IPMI message of ${b.length} bytes is shorter than 7`);
  if (ipmiChecksum(b.subarray(0, 2)) !== b[2]) return fail('bad-checksum', 'IPMI header checksum mismatch');
  if (ipmiChecksum(b.subarray(3, b.length - 1)) !== b[b.length - 1]) {
    return fail('bad-checksum', 'IPMI data checksum mismatch');
  }
  const b1 = b[1] ?? 0;
  const b4 = b[4] ?? 0;
  return {
    ok: true,
    value: {
      targetAddr: b[0] ?? 0,
      netFn: b1 >> 2,
      targetLun: b1 & 3,
      sourceAddr: b[3] ?? 0,
      seq: b4 >> 2,
      sourceLun: b4 & 3,
      cmd: b[5] ?? 0,
      data: Buffer.from(b.subarray(6, b.length - 1)),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RMCP+ session setup payloads (IPMI v2.0 §13.17–13.23)

/** Algorithms of one cipher suite as numbers on the wire. */
export interface AlgorithmIds {
  auth: number;
  integrity: number;
  confidentiality: number;
}

/** Open Session Request (payload 0x10). */
export interface OpenSessionRequest {
  tag: number;
  /** Requested maximum privilege (0 = highest the user has). */
  maxPrivilege: number;
  consoleSessionId: number;
  algorithms: AlgorithmIds;
}

/** Open Session Response (payload 0x11). When `status` is not 0 the remaining fields may be 0. */
export interface OpenSessionResponse {
  tag: number;
  status: number;
  maxPrivilege: number;
  consoleSessionId: number;
  bmcSessionId: number;
  algorithms: AlgorithmIds;
}

function algRecord(type: number, alg: number): Buffer {
  return Buffer.from([type, 0, 0, 0x08, alg & 0x3f, 0, 0, 0]);
}

/** Encodes an Open Session Request payload (32 bytes). */
export function encodeOpenSessionRequest(r: OpenSessionRequest): Buffer {
  const head = Buffer.alloc(8);
  head[0] = r.tag;
  head[1] = r.maxPrivilege;
  head.writeUInt32LE(r.consoleSessionId >>> 0, 4);
  return Buffer.concat([
    head,
    algRecord(0, r.algorithms.auth),
    algRecord(1, r.algorithms.integrity),
    algRecord(2, r.algorithms.confidentiality),
  ]);
}

function readAlgRecords(b: Buffer, at: number): Decoded<AlgorithmIds> {
  const ids: number[] = [];
  for (let i = 0; i < 3; i++) {
    const o = at + 8 * i;
    if ((b[o] ?? 0xff) !== i) return fail('malformed', `algorithm record ${i} has type ${b[o]}`);
    ids.push((b[o + 4] ?? 0) & 0x3f);
  }
  return { ok: true, value: { auth: ids[0] ?? 0, integrity: ids[1] ?? 0, confidentiality: ids[2] ?? 0 } };
}

/** Decodes an Open Session Request payload (BMC side). */
export function decodeOpenSessionRequest(input: Uint8Array): Decoded<OpenSessionRequest> {
  const b = toBuffer(input);
  if (b.length < 32) return fail('truncated', 'Open Session Request shorter than 32 bytes');
  const algs = readAlgRecords(b, 8);
  if (!algs.ok) return algs;
  return {
    ok: true,
    value: {
      tag: b[0] ?? 0,
      maxPrivilege: (b[1] ?? 0) & 0x0f,
      consoleSessionId: b.readUInt32LE(4),
      algorithms: algs.value,
    },
  };
}

/** Encodes an Open Session Response payload (36 bytes; 8 when `status` is not 0). */
export function encodeOpenSessionResponse(r: OpenSessionResponse): Buffer {
  const head = Buffer.alloc(8);
  head[0] = r.tag;
  head[1] = r.status;
  head[2] = r.maxPrivilege;
  head.writeUInt32LE(r.consoleSessionId >>> 0, 4);
  if (r.status !== 0) return head;
  const sid = Buffer.alloc(4);
  sid.writeUInt32LE(r.bmcSessionId >>> 0, 0);
  return Buffer.concat([
    head,
    sid,
    algRecord(0, r.algorithms.auth),
    algRecord(1, r.algorithms.integrity),
    algRecord(2, r.algorithms.confidentiality),
  ]);
}

/** Decodes an Open Session Response payload (console side). */
export function decodeOpenSessionResponse(input: Uint8Array): Decoded<OpenSessionResponse> {
  const b = toBuffer(input);
  // A BMC may answer a refused request with only tag and status (ipmi_sim does).
  if (b.length < 2 || (b.length < 8 && b[1] === 0))
    return fail('truncated', 'Open Session Response too short');
  const status = b[1] ?? 0;
  const base = {
    tag: b[0] ?? 0,
    status,
    maxPrivilege: (b[2] ?? 0) & 0x0f,
    consoleSessionId: b.length >= 8 ? b.readUInt32LE(4) : 0,
  };
  if (status !== 0) {
    return {
      ok: true,
      value: { ...base, bmcSessionId: 0, algorithms: { auth: 0, integrity: 0, confidentiality: 0 } },
    };
  }
  if (b.length < 36) return fail('truncated', 'Open Session Response shorter than 36 bytes');
  const algs = readAlgRecords(b, 12);
  if (!algs.ok) return algs;
  return { ok: true, value: { ...base, bmcSessionId: b.readUInt32LE(8), algorithms: algs.value } };
}

/** RAKP Message 1 (payload 0x12). */
export interface Rakp1 {
  tag: number;
  bmcSessionId: number;
  /** Console random number Rm, 16 bytes. */
  consoleRandom: Buffer;
  /** Requested role byte as sent, including the 0x10 name-only lookup bit. */
  role: number;
  username: Buffer;
}

/** Encodes RAKP 1. */
export function encodeRakp1(r: Rakp1): Buffer {
  const out = Buffer.alloc(28 + r.username.length);
  out[0] = r.tag;
  out.writeUInt32LE(r.bmcSessionId >>> 0, 4);
  r.consoleRandom.copy(out, 8, 0, 16);
  out[24] = r.role;
  out[27] = r.username.length;
  r.username.copy(out, 28);
  return out;
}

/** Decodes RAKP 1 (BMC side). */
export function decodeRakp1(input: Uint8Array): Decoded<Rakp1> {
  const b = toBuffer(input);
  if (b.length < 28) return fail('truncated', 'RAKP 1 shorter than 28 bytes');
  const ulen = b[27] ?? 0;
  if (ulen > 16) return fail('malformed', `RAKP 1 user name length ${ulen} exceeds 16`);
  if (b.length < 28 + ulen) return fail('bad-length', 'RAKP 1 user name exceeds message');
  return {
    ok: true,
    value: {
      tag: b[0] ?? 0,
      bmcSessionId: b.readUInt32LE(4),
      consoleRandom: Buffer.from(b.subarray(8, 24)),
      role: b[24] ?? 0,
      username: Buffer.from(b.subarray(28, 28 + ulen)),
    },
  };
}

/** RAKP Message 2 (payload 0x13). */
export interface Rakp2 {
  tag: number;
  status: number;
  consoleSessionId: number;
  /** BMC random number Rc, 16 bytes. */
  bmcRandom: Buffer;
  bmcGuid: Buffer;
  /** Key exchange AuthCode (0, 16, 20 or 32 bytes by auth algorithm). */
  authCode: Buffer;
}

/** Encodes RAKP 2 (BMC side). When `status` is not 0 only the first 8 bytes are sent. */
export function encodeRakp2(r: Rakp2): Buffer {
  const head = Buffer.alloc(8);
  head[0] = r.tag;
  head[1] = r.status;
  head.writeUInt32LE(r.consoleSessionId >>> 0, 4);
  if (r.status !== 0) return head;
  return Buffer.concat([head, r.bmcRandom.subarray(0, 16), r.bmcGuid.subarray(0, 16), r.authCode]);
}

/** Decodes RAKP 2 (console side). */
export function decodeRakp2(input: Uint8Array): Decoded<Rakp2> {
  const b = toBuffer(input);
  if (b.length < 2 || (b.length < 8 && b[1] === 0)) return fail('truncated', 'RAKP 2 too short');
  const base = { tag: b[0] ?? 0, status: b[1] ?? 0, consoleSessionId: b.length >= 8 ? b.readUInt32LE(4) : 0 };
  if (base.status !== 0) {
    return {
      ok: true,
      value: { ...base, bmcRandom: Buffer.alloc(16), bmcGuid: Buffer.alloc(16), authCode: Buffer.alloc(0) },
    };
  }
  if (b.length < 40) return fail('truncated', 'RAKP 2 shorter than 40 bytes');
  return {
    ok: true,
    value: {
      ...base,
      bmcRandom: Buffer.from(b.subarray(8, 24)),
      bmcGuid: Buffer.from(b.subarray(24, 40)),
      authCode: Buffer.from(b.subarray(40)),
    },
  };
}

/** RAKP Message 3 (payload 0x14). */
export interface Rakp3 {
  tag: number;
  status: number;
  bmcSessionId: number;
  authCode: Buffer;
}

/** Encodes RAKP 3. */
export function encodeRakp3(r: Rakp3): Buffer {
  const head = Buffer.alloc(8);
  head[0] = r.tag;
  head[1] = r.status;
  head.writeUInt32LE(r.bmcSessionId >>> 0, 4);
  return Buffer.concat([head, r.authCode]);
}

/** Decodes RAKP 3 (BMC side). */
export function decodeRakp3(input: Uint8Array): Decoded<Rakp3> {
  const b = toBuffer(input);
  if (b.length < 8) return fail('truncated', 'RAKP 3 shorter than 8 bytes');
  return {
    ok: true,
    value: {
      tag: b[0] ?? 0,
      status: b[1] ?? 0,
      bmcSessionId: b.readUInt32LE(4),
      authCode: Buffer.from(b.subarray(8)),
    },
  };
}

/** RAKP Message 4 (payload 0x15). */
export interface Rakp4 {
  tag: number;
  status: number;
  consoleSessionId: number;
  /** Integrity check value (0, 12 or 16 bytes by auth algorithm). */
  icv: Buffer;
}

/** Encodes RAKP 4 (BMC side). */
export function encodeRakp4(r: Rakp4): Buffer {
  const head = Buffer.alloc(8);
  head[0] = r.tag;
  head[1] = r.status;
  head.writeUInt32LE(r.consoleSessionId >>> 0, 4);
  return Buffer.concat([head, r.icv]);
}

/** Decodes RAKP 4 (console side). */
export function decodeRakp4(input: Uint8Array): Decoded<Rakp4> {
  const b = toBuffer(input);
  if (b.length < 2 || (b.length < 8 && b[1] === 0)) return fail('truncated', 'RAKP 4 too short');
  return {
    ok: true,
    value: {
      tag: b[0] ?? 0,
      status: b[1] ?? 0,
      consoleSessionId: b.length >= 8 ? b.readUInt32LE(4) : 0,
      icv: Buffer.from(b.subarray(8)),
    },
  };
}

/** RMCP+ status codes (IPMI v2.0 table 13-15) as short texts for outcome details. */
export function rmcpStatusText(status: number): string {
  // Index = status code (0x01..0x12).
  const texts = [
    'no errors',
    'insufficient resources to create a session',
    'invalid session ID',
    'invalid payload type',
    'invalid authentication algorithm',
    'invalid integrity algorithm',
    'no matching authentication payload',
    'no matching integrity payload',
    'inactive session ID',
    'invalid role',
    'unauthorized role or privilege level requested',
    'insufficient resources to create a session at the requested role',
    'invalid name length',
    'unauthorized name',
    'unauthorized GUID',
    'invalid integrity check value',
    'invalid confidentiality algorithm',
    'no cipher suite match with proposed security algorithms',
    'illegal or unrecognized parameter',
  ];
  return texts[status] ?? `status 0x${hex(status)}`;
}

/** Two-digit lower-case hex of a byte (or `??` when absent). */
export function hex(b: number | undefined): string {
  return b === undefined ? '??' : b.toString(16).padStart(2, '0');
}
