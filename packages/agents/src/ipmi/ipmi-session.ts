/**
 * IPMI sessions over LAN: RMCP+ (IPMI v2.0, `lanplus`) and IPMI v1.5 (`lan`).
 *
 * RMCP+: Get Channel Authentication Capabilities, Open Session, RAKP 1–4 with our own check of
 * the BMC's RAKP 2 HMAC (a BMC answers RAKP 2 with status 0 even for a wrong password, so only
 * this check detects it) and of the RAKP 4 ICV, then Set Session Privilege Level. Messages carry
 * fresh session sequence numbers, HMAC integrity and AES-CBC-128 as the cipher suite says.
 * IPMI v1.5: Get Session Challenge, Activate Session (MD5, straight password or none).
 *
 * Failures are values ({@link IpmiResult}); the password never appears in a detail.
 */
import { randomBytes } from 'node:crypto';
import type { IpmiCipherSuite } from './ipmi-options.js';
import {
  AuthType,
  type Decoded,
  decodeIpmiMessage,
  decodeOpenSessionResponse,
  decodeRakp2,
  decodeRakp4,
  encodeIpmi15Packet,
  encodeIpmi20Packet,
  encodeIpmiMessage,
  encodeOpenSessionRequest,
  encodeRakp1,
  encodeRakp3,
  hex,
  PayloadType,
  type RmcpPacket,
  rmcpStatusText,
  splitIntegrityTrailer,
} from './rmcp-codec.js';
import {
  aesDecryptPayload,
  aesEncryptPayload,
  CIPHER_SUITE_ALGORITHMS,
  codesEqual,
  deriveKey,
  integrityAuthCode,
  integrityCodeLength,
  ipmi15AuthCode,
  padPassword,
  type RakpContext,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4Icv,
  sessionIntegrityKey,
} from './rmcp-crypto.js';
import {
  type Accept,
  type ExchangeTiming,
  type IpmiResult,
  openUdpChannel,
  type UdpChannel,
} from './udp-channel.js';

/** Everything needed to open a session. `password` and `kg` are secrets: never logged. */
export interface IpmiSessionOptions {
  host: string;
  port: number;
  username: string;
  password: Buffer;
  /** BMC key; Kg = Kuid (the password) when absent. */
  kg?: Buffer | undefined;
  lanplus: boolean;
  cipher: IpmiCipherSuite;
  /** 1 callback, 2 user, 3 operator, 4 administrator. */
  privilege: 1 | 2 | 3 | 4;
  /** IPMI v1.5 auth type: 0 none, 2 MD5, 4 straight password. */
  authType15: 0 | 2 | 4;
  timeoutMs: number;
  retries: number;
  /** Source of random bytes (session ids, Rm, IVs). Default: `crypto.randomBytes`. */
  random?: ((n: number) => Buffer) | undefined;
}

/** An IPMI response: completion code and the data after it. */
export interface IpmiResponse {
  cc: number;
  data: Buffer;
}

/** An open, authenticated session to one BMC. Requests are sequential. */
export interface IpmiSession {
  /** Sends one IPMI request (to the BMC, LUN 0) and waits for its response. */
  request(
    netFn: number,
    cmd: number,
    data: Uint8Array | readonly number[],
    signal: AbortSignal,
  ): Promise<IpmiResult<IpmiResponse>>;
  /**
   * Sends Close Session (one try; waits at most min(timeoutMs, 300 ms) for the answer unless
   * `wait` is false, e.g. after an abort) and closes the socket. Never rejects.
   */
  close(opts?: { wait?: boolean }): Promise<void>;
  /** False once closed or after a failure that leaves the session unusable. */
  readonly usable: boolean;
  /** `lanplus cipher N` or `lan md5` and so on, for details. */
  readonly description: string;
}

const BMC_ADDR = 0x20;
const CONSOLE_ADDR = 0x81;

/** Byte of the v2.0 Get Channel Auth Caps request asking for IPMI v2.0 extended data on "this channel". */
const CHANNEL_THIS = 0x0e;

function nonZeroU32(random: (n: number) => Buffer): number {
  for (;;) {
    const v = random(4).readUInt32LE(0) >>> 0;
    if (v !== 0) return v;
  }
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** Accepts the response to (netFn, cmd, seq) carried in `message`. */
function acceptResponse(message: Buffer, netFn: number, cmd: number, seq: number): Accept<IpmiResponse> {
  const m = decodeIpmiMessage(message);
  if (!m.ok) return { garbage: `${m.error}: ${m.detail}` };
  const v = m.value;
  if (v.netFn !== netFn + 1 || v.cmd !== cmd || v.seq !== seq) return { ignore: true };
  if (v.data.length < 1) return { garbage: 'response without completion code' };
  return { match: { cc: v.data[0] ?? 0, data: v.data.subarray(1) } };
}

/** A request from us (the console, LUN 0) to the BMC (LUN 0). */
function requestMessage(
  netFn: number,
  cmd: number,
  seq: number,
  data: Uint8Array | readonly number[],
): Buffer {
  return encodeIpmiMessage({
    targetAddr: BMC_ADDR,
    netFn,
    targetLun: 0,
    sourceAddr: CONSOLE_ADDR,
    seq,
    sourceLun: 0,
    cmd,
    data: Buffer.from(data),
  });
}

/** Session-less IPMI v1.5 framing used before any session (Get Channel Auth Caps, challenge). */
function sessionless(netFn: number, cmd: number, seq: number, data: Uint8Array | readonly number[]): Buffer {
  const message = requestMessage(netFn, cmd, seq, data);
  return encodeIpmi15Packet({ authType: AuthType.none, sessionSeq: 0, sessionId: 0, message });
}

function acceptSessionless(netFn: number, cmd: number, seq: number) {
  return (p: RmcpPacket): Accept<IpmiResponse> =>
    p.kind === 'ipmi15' && p.sessionId === 0 ? acceptResponse(p.message, netFn, cmd, seq) : { ignore: true };
}

/**
 * Opens a session as `options` say (lanplus or lan). Resolves with a session or a failure:
 * `refused` (wrong user or password, privilege, cipher suite not accepted), `timeout`,
 * `unreachable`, `aborted`, `agent-error` (protocol garbage).
 */
export async function openIpmiSession(
  options: IpmiSessionOptions,
  signal: AbortSignal,
): Promise<IpmiResult<IpmiSession>> {
  const ch = await openUdpChannel(options.host, options.port, signal);
  if (!ch.ok) return ch;
  const r = options.lanplus
    ? await openLanplus(ch.value, options, signal)
    : await openLan15(ch.value, options, signal);
  if (!r.ok) ch.value.close();
  return r;
}

function timingOf(o: IpmiSessionOptions): ExchangeTiming {
  return { timeoutMs: o.timeoutMs, retries: o.retries };
}

/**
 * How an established session wraps a request and unwraps an answer: RMCP+ (integrity, AES) or
 * IPMI v1.5 (AuthCode). Everything else about a request is the same for both.
 */
interface SessionFraming {
  /** `description` of the session. */
  description: string;
  /** Our session id as the BMC knows it (the argument of Close Session). */
  bmcSessionId: number;
  /** The request sequence number used last before the session (the next request takes the one after). */
  lastRqSeq: number;
  /** Wraps one request message; called for every (re)transmission, so session sequence numbers are fresh. */
  wrap(message: Buffer): Buffer;
  /** The IPMI message carried by a datagram of this session, or what to do with the datagram. */
  unwrap(p: RmcpPacket): Accept<Buffer>;
}

/**
 * The request/response flow of an established session, whatever its framing: request sequence
 * numbers, matching answers, retries and timeouts (`ExchangeTiming`), abort, Close Session, and
 * the session becoming unusable after a failure other than an abort. Then Set Session Privilege
 * Level; a refusal closes the session.
 */
async function startSession(
  ch: UdpChannel,
  o: IpmiSessionOptions,
  framing: SessionFraming,
  signal: AbortSignal,
): Promise<IpmiResult<IpmiSession>> {
  const timing = timingOf(o);
  const peer = ch.peer;
  let rqSeq = framing.lastRqSeq;
  let usable = true;

  const send = (
    netFn: number,
    cmd: number,
    data: Uint8Array | readonly number[],
    sig: AbortSignal,
    t: ExchangeTiming,
  ) => {
    rqSeq = (rqSeq % 63) + 1;
    const seq = rqSeq;
    const message = requestMessage(netFn, cmd, seq, data);
    return ch.exchange(
      () => framing.wrap(message),
      (p): Accept<IpmiResponse> => {
        const body = framing.unwrap(p);
        return 'match' in body ? acceptResponse(body.match, netFn, cmd, seq) : body;
      },
      sig,
      t,
    );
  };

  const session: IpmiSession = {
    description: framing.description,
    get usable() {
      return usable;
    },
    async request(netFn, cmd, data, sig) {
      if (!usable) return { ok: false, reason: 'agent-error', detail: `${peer}: session is closed` };
      const r = await send(netFn, cmd, data, sig, timing);
      if (!r.ok && r.reason !== 'aborted') usable = false;
      return r;
    },
    async close(opts) {
      if (!usable) {
        ch.close();
        return;
      }
      usable = false;
      const ac = new AbortController();
      const sent = send(0x06, 0x3c, u32le(framing.bmcSessionId), ac.signal, {
        timeoutMs: Math.min(o.timeoutMs, 300),
        retries: 0,
      });
      // The datagram is on its way once send() returned; without wait, do not linger for the answer.
      if (opts?.wait === false) ac.abort();
      await sent;
      ch.close();
    },
  };

  const priv = await session.request(0x06, 0x3b, [o.privilege], signal);
  if (!priv.ok) {
    await session.close();
    return priv;
  }
  if (priv.value.cc !== 0) {
    await session.close();
    return {
      ok: false,
      reason: 'refused',
      detail: `${peer}: Set Session Privilege Level ${o.privilege} refused (completion code 0x${hex(priv.value.cc)})`,
    };
  }
  return { ok: true, value: session };
}

async function getAuthCaps(ch: UdpChannel, o: IpmiSessionOptions, signal: AbortSignal, v2: boolean) {
  const data = [v2 ? 0x80 | CHANNEL_THIS : CHANNEL_THIS, o.privilege];
  const r = await ch.exchange(
    () => sessionless(0x06, 0x38, 0, data),
    acceptSessionless(0x06, 0x38, 0),
    signal,
    timingOf(o),
  );
  if (!r.ok) return r;
  if (r.value.cc !== 0 || r.value.data.length < 4) {
    return {
      ok: false as const,
      reason: 'agent-error' as const,
      detail: `${ch.peer}: Get Channel Authentication Capabilities failed (completion code 0x${hex(r.value.cc)})`,
    };
  }
  return r;
}

/** What every RMCP+ handshake answer (Open Session Response, RAKP 2, RAKP 4) starts with. */
interface HandshakeAnswer {
  tag: number;
  status: number;
  consoleSessionId: number;
}

/** One RMCP+ handshake step outside any session: a request payload and what its answer must be. */
interface HandshakeStep<A extends HandshakeAnswer, T> {
  request: { payloadType: number; payload: Buffer };
  answer: {
    payloadType: number;
    decode: (payload: Buffer) => Decoded<A>;
    tag: number;
    consoleSessionId: number;
    /** The detail of a `refused` failure, given the text of a non-zero status. */
    refused: (status: string) => string;
    /** Judges the rest of an answer with our tag, session id and status 0. */
    check: (a: A) => Accept<T>;
  };
}

/**
 * Sends one unencrypted RMCP+ handshake payload and waits for the answer of the expected type with
 * our tag and console session id (others are ignored); a non-zero status is `refused`.
 */
function handshake<A extends HandshakeAnswer, T>(
  ch: UdpChannel,
  step: HandshakeStep<A, T>,
  signal: AbortSignal,
  timing: ExchangeTiming,
): Promise<IpmiResult<T>> {
  const { request, answer } = step;
  return ch.exchange(
    () => encodeIpmi20Packet({ ...request, encrypted: false, sessionId: 0, sessionSeq: 0 }),
    (p): Accept<T> => {
      if (p.kind !== 'ipmi20' || p.payloadType !== answer.payloadType) return { ignore: true };
      const r = answer.decode(p.payload);
      if (!r.ok) return { garbage: `${r.error}: ${r.detail}` };
      if (r.value.tag !== answer.tag) return { ignore: true };
      if (r.value.status !== 0)
        return { fail: 'refused', detail: answer.refused(rmcpStatusText(r.value.status)) };
      if (r.value.consoleSessionId !== answer.consoleSessionId) return { ignore: true };
      return answer.check(r.value);
    },
    signal,
    timing,
  );
}

async function openLanplus(
  ch: UdpChannel,
  o: IpmiSessionOptions,
  signal: AbortSignal,
): Promise<IpmiResult<IpmiSession>> {
  const random = o.random ?? randomBytes;
  const timing = timingOf(o);
  const algs = CIPHER_SUITE_ALGORITHMS[o.cipher];

  const caps = await getAuthCaps(ch, o, signal, true);
  if (!caps.ok) return caps;
  const d = caps.value.data;
  if (((d[1] ?? 0) & 0x80) === 0 || ((d[3] ?? 0) & 0x02) === 0) {
    return {
      ok: false,
      reason: 'agent-error',
      detail: `${ch.peer}: the BMC does not support IPMI v2.0 (RMCP+); use lanplus=false`,
    };
  }

  // Open Session
  const consoleSid = nonZeroU32(random);
  const tag = random(1)[0] ?? 0;
  const open = await handshake(
    ch,
    {
      request: {
        payloadType: PayloadType.openSessionRequest,
        payload: encodeOpenSessionRequest({
          tag,
          maxPrivilege: o.privilege,
          consoleSessionId: consoleSid,
          algorithms: algs,
        }),
      },
      answer: {
        payloadType: PayloadType.openSessionResponse,
        decode: decodeOpenSessionResponse,
        tag,
        consoleSessionId: consoleSid,
        refused: (why) => `${ch.peer}: Open Session (cipher suite ${o.cipher}) refused: ${why}`,
        check: (r) => {
          const a = r.algorithms;
          if (
            a.auth !== algs.auth ||
            a.integrity !== algs.integrity ||
            a.confidentiality !== algs.confidentiality
          ) {
            return {
              fail: 'agent-error',
              detail: `${ch.peer}: BMC chose other algorithms than cipher suite ${o.cipher}`,
            };
          }
          return { match: r };
        },
      },
    },
    signal,
    timing,
  );
  if (!open.ok) return open;
  const bmcSid = open.value.bmcSessionId;

  // RAKP 1 / 2
  const kuid = padPassword(o.password, 20);
  const username = Buffer.from(o.username, 'latin1');
  const role = o.privilege | 0x10; // name-only lookup
  const rm = random(16);
  const tag1 = (tag + 1) & 0xff;
  const rakp2 = await handshake(
    ch,
    {
      request: {
        payloadType: PayloadType.rakp1,
        payload: encodeRakp1({ tag: tag1, bmcSessionId: bmcSid, consoleRandom: rm, role, username }),
      },
      answer: {
        payloadType: PayloadType.rakp2,
        decode: decodeRakp2,
        tag: tag1,
        consoleSessionId: consoleSid,
        refused: (why) => `${ch.peer}: RAKP 2 for user '${o.username}': ${why}`,
        check: (r): Accept<RakpContext> => {
          const ctx: RakpContext = {
            auth: algs.auth,
            consoleSessionId: consoleSid,
            bmcSessionId: bmcSid,
            consoleRandom: rm,
            bmcRandom: r.bmcRandom,
            bmcGuid: r.bmcGuid,
            role,
            username,
          };
          if (algs.auth !== 0 && !codesEqual(rakp2AuthCode(kuid, ctx), r.authCode)) {
            return {
              fail: 'refused',
              detail: `${ch.peer}: authentication failed for user '${o.username}' (RAKP 2 HMAC mismatch: wrong password or BMC key)`,
            };
          }
          return { match: ctx };
        },
      },
    },
    signal,
    timing,
  );
  if (!rakp2.ok) return rakp2;
  const ctx = rakp2.value;
  const sik = sessionIntegrityKey(o.kg ?? kuid, ctx);

  // RAKP 3 / 4
  const tag3 = (tag + 2) & 0xff;
  const rakp4 = await handshake(
    ch,
    {
      request: {
        payloadType: PayloadType.rakp3,
        payload: encodeRakp3({
          tag: tag3,
          status: 0,
          bmcSessionId: bmcSid,
          authCode: rakp3AuthCode(kuid, ctx),
        }),
      },
      answer: {
        payloadType: PayloadType.rakp4,
        decode: decodeRakp4,
        tag: tag3,
        consoleSessionId: consoleSid,
        refused: (why) => `${ch.peer}: RAKP 4 for user '${o.username}': ${why}`,
        check: (r): Accept<true> => {
          if (algs.auth !== 0 && !codesEqual(rakp4Icv(sik, ctx), r.icv)) {
            return {
              fail: 'refused',
              detail: `${ch.peer}: RAKP 4 integrity check value mismatch (wrong BMC key?)`,
            };
          }
          return { match: true };
        },
      },
    },
    signal,
    timing,
  );
  if (!rakp4.ok) return rakp4;

  const k1 = deriveKey(algs.auth, sik, 1);
  const k2 = deriveKey(algs.auth, sik, 2);
  const codeLen = integrityCodeLength(algs.integrity);
  let outSeq = 0;
  return startSession(
    ch,
    o,
    {
      description: `lanplus cipher suite ${o.cipher}`,
      bmcSessionId: bmcSid,
      lastRqSeq: 0,
      wrap: (message) => {
        outSeq = (outSeq + 1) >>> 0 || 1;
        const payload = algs.confidentiality ? aesEncryptPayload(k2, random(16), message) : message;
        return encodeIpmi20Packet({
          payloadType: PayloadType.ipmi,
          encrypted: algs.confidentiality !== 0,
          sessionId: bmcSid,
          sessionSeq: outSeq,
          payload,
          sign: algs.integrity ? (covered) => integrityAuthCode(algs.integrity, k1, covered) : undefined,
        });
      },
      unwrap: (p) => {
        if (p.kind !== 'ipmi20' || p.payloadType !== PayloadType.ipmi || p.sessionId !== consoleSid)
          return { ignore: true };
        if (algs.integrity) {
          if (!p.authenticated)
            return { garbage: 'unauthenticated message in an integrity-protected session' };
          const parts = splitIntegrityTrailer(p, codeLen);
          if (!parts.ok) return { garbage: parts.detail };
          if (!codesEqual(integrityAuthCode(algs.integrity, k1, parts.value.covered), parts.value.authCode)) {
            return { garbage: 'integrity AuthCode mismatch' };
          }
        }
        if (!algs.confidentiality) return { match: p.payload };
        if (!p.encrypted) return { garbage: 'unencrypted message in a confidential session' };
        const dec = aesDecryptPayload(k2, p.payload);
        return dec.ok ? { match: dec.value } : { garbage: dec.detail };
      },
    },
    signal,
  );
}

const AUTH15_BIT: Record<number, number> = { 0: 0x01, 2: 0x04, 4: 0x10 };
const AUTH15_NAME: Record<number, string> = { 0: 'none', 2: 'md5', 4: 'password' };

async function openLan15(
  ch: UdpChannel,
  o: IpmiSessionOptions,
  signal: AbortSignal,
): Promise<IpmiResult<IpmiSession>> {
  const random = o.random ?? randomBytes;
  const timing = timingOf(o);
  const authType = o.authType15;
  const pw16 = padPassword(o.password, 16);
  const peer = ch.peer;

  const caps = await getAuthCaps(ch, o, signal, false);
  if (!caps.ok) return caps;
  if (((caps.value.data[1] ?? 0) & (AUTH15_BIT[authType] ?? 0)) === 0) {
    return {
      ok: false,
      reason: 'refused',
      detail: `${peer}: the BMC does not allow IPMI v1.5 auth type '${AUTH15_NAME[authType]}'`,
    };
  }

  const user16 = Buffer.alloc(16);
  user16.write(o.username, 'latin1');
  const chal = await ch.exchange(
    () => sessionless(0x06, 0x39, 1, Buffer.concat([Buffer.from([authType]), user16])),
    acceptSessionless(0x06, 0x39, 1),
    signal,
    timing,
  );
  if (!chal.ok) return chal;
  if (chal.value.cc !== 0 || chal.value.data.length < 20) {
    const why =
      chal.value.cc === 0x81
        ? 'invalid user name'
        : chal.value.cc === 0x82
          ? 'null user name not enabled'
          : `completion code 0x${hex(chal.value.cc)}`;
    return {
      ok: false,
      reason: 'refused',
      detail: `${peer}: Get Session Challenge for user '${o.username}' refused: ${why}`,
    };
  }
  const tempSid = chal.value.data.readUInt32LE(0);
  const challenge = chal.value.data.subarray(4, 20);

  const initialOutbound = nonZeroU32(random);
  const activateMsg = requestMessage(
    0x06,
    0x3a,
    2,
    Buffer.concat([Buffer.from([authType, o.privilege]), challenge, u32le(initialOutbound)]),
  );
  const act = await ch.exchange(
    () =>
      encodeIpmi15Packet({
        authType,
        sessionSeq: 0,
        sessionId: tempSid,
        authCode: ipmi15AuthCode(authType, pw16, tempSid, activateMsg, 0),
        message: activateMsg,
      }),
    (p) => (p.kind === 'ipmi15' ? acceptResponse(p.message, 0x06, 0x3a, 2) : { ignore: true }),
    signal,
    // A BMC drops an Activate Session with a wrong AuthCode silently; do not wait long for it.
    timing,
  );
  if (!act.ok) {
    if (act.reason === 'timeout') {
      return {
        ok: false,
        reason: 'refused',
        detail: `${peer}: Activate Session got no answer (wrong password for user '${o.username}'?)`,
      };
    }
    return act;
  }
  if (act.value.cc !== 0 || act.value.data.length < 10) {
    return {
      ok: false,
      reason: 'refused',
      detail: `${peer}: Activate Session refused (completion code 0x${hex(act.value.cc)})`,
    };
  }
  const sid = act.value.data.readUInt32LE(1);
  let outSeq = act.value.data.readUInt32LE(5) >>> 0;
  const sessionAuth = act.value.data[0] ?? authType;
  return startSession(
    ch,
    o,
    {
      description: `lan (IPMI v1.5) auth ${AUTH15_NAME[authType]}`,
      bmcSessionId: sid,
      lastRqSeq: 2,
      wrap: (message) => {
        const s = outSeq;
        outSeq = (outSeq + 1) >>> 0 || 1;
        return encodeIpmi15Packet({
          authType: sessionAuth,
          sessionSeq: s,
          sessionId: sid,
          authCode: ipmi15AuthCode(sessionAuth, pw16, sid, message, s),
          message,
        });
      },
      unwrap: (p) => {
        if (p.kind !== 'ipmi15' || p.sessionId !== sid) return { ignore: true };
        if (p.authType === AuthType.md5 && p.authCode) {
          const want = ipmi15AuthCode(AuthType.md5, pw16, sid, p.message, p.sessionSeq);
          if (!codesEqual(want, p.authCode)) return { garbage: 'IPMI v1.5 MD5 AuthCode mismatch' };
        }
        return { match: p.message };
      },
    },
    signal,
  );
}
