/**
 * A small RMCP+ BMC in TypeScript, for what ipmi_sim cannot do: cipher suites with
 * RAKP-HMAC-SHA256 (15, 16, 17). It speaks the server side of Get Channel Authentication
 * Capabilities, Open Session, RAKP 1–4, and, inside a session, Set Session Privilege Level,
 * Get Device ID, Get Chassis Status, Chassis Control and Close Session (anything else gets
 * completion code 0xC1). It is proven against real `ipmitool -I lanplus -C 17` in the tests, so
 * it is an independent check of the shared codec and crypto, not a mirror of our client.
 *
 * Test knobs: `mode: 'silent'` drops everything, `mode: 'garbage'` answers with junk.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import {
  type AlgorithmIds,
  AuthType,
  decodeIpmiMessage,
  decodeOpenSessionRequest,
  decodeRakp1,
  decodeRakp3,
  decodeRmcpPacket,
  encodeIpmi15Packet,
  encodeIpmi20Packet,
  encodeIpmiMessage,
  encodeOpenSessionResponse,
  encodeRakp2,
  encodeRakp4,
  type Ipmi20Packet,
  type IpmiMessage,
  PayloadType,
  splitIntegrityTrailer,
} from '../../src/ipmi/rmcp-codec.js';
import {
  aesDecryptPayload,
  aesEncryptPayload,
  codesEqual,
  deriveKey,
  integrityAuthCode,
  integrityCodeLength,
  isSupportedAlgorithms,
  padPassword,
  type RakpContext,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4Icv,
  sessionIntegrityKey,
} from '../../src/ipmi/rmcp-crypto.js';

/** A user of the test BMC. */
export interface TestBmcUser {
  name: string;
  password: string;
  /** 2 user, 3 operator, 4 administrator. */
  privilege: number;
}

/** Options of {@link startTestBmc}. */
export interface TestBmcOptions {
  users?: TestBmcUser[];
  /** Cipher suites' algorithm triples the BMC accepts; default: all our crypto supports. */
  accept?: (a: AlgorithmIds) => boolean;
  power?: 'on' | 'off';
  mode?: 'normal' | 'silent' | 'garbage';
  /** Acknowledge Chassis Control but leave the power state as it is (a stuck chassis). */
  ignoreControl?: boolean;
}

/** A running test BMC. */
export interface TestBmc {
  readonly port: number;
  power: 'on' | 'off';
  /** One line per Chassis Control (`control off`, `control cycle`, ...) and session event. */
  readonly log: string[];
  /** Number of sessions currently active. */
  activeSessions(): number;
  stop(): Promise<void>;
}

interface Session {
  bmcSid: number;
  consoleSid: number;
  algs: AlgorithmIds;
  maxPrivilege: number;
  rakp?: RakpContext | undefined;
  user?: TestBmcUser | undefined;
  k1?: Buffer;
  k2?: Buffer;
  active: boolean;
  privilege: number;
  outSeq: number;
}

const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** Starts a test BMC on 127.0.0.1 (random free port). */
export async function startTestBmc(options: TestBmcOptions = {}): Promise<TestBmc> {
  const users = options.users ?? [{ name: 'admin', password: 'secret', privilege: 4 }];
  const accept = options.accept ?? isSupportedAlgorithms;
  const mode = options.mode ?? 'normal';
  const sessions = new Map<number, Session>();
  const socket = createSocket('udp4');
  const bmc: TestBmc & { power: 'on' | 'off' } = {
    port: 0,
    power: options.power ?? 'on',
    log: [],
    activeSessions: () => [...sessions.values()].filter((s) => s.active).length,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };

  const reply = (rinfo: RemoteInfo, datagram: Buffer) => socket.send(datagram, rinfo.port, rinfo.address);

  const responseTo = (req: IpmiMessage, cc: number, data: number[] | Buffer = []): Buffer =>
    encodeIpmiMessage({
      targetAddr: req.sourceAddr,
      netFn: req.netFn + 1,
      targetLun: req.sourceLun,
      sourceAddr: 0x20,
      seq: req.seq,
      sourceLun: req.targetLun,
      cmd: req.cmd,
      data: Buffer.concat([Buffer.from([cc]), Buffer.from(data)]),
    });

  function handleSessionless(msg: Buffer, rinfo: RemoteInfo) {
    const m = decodeIpmiMessage(msg);
    if (!m.ok) return;
    const req = m.value;
    if (req.netFn === 0x06 && req.cmd === 0x38) {
      // Get Channel Authentication Capabilities: channel 1, v2 extended data, non-null users,
      // IPMI v2.0 supported.
      const data = [0x01, 0x80, 0x04, 0x02, 0, 0, 0, 0];
      reply(
        rinfo,
        encodeIpmi15Packet({
          authType: AuthType.none,
          sessionSeq: 0,
          sessionId: 0,
          message: responseTo(req, 0, data),
        }),
      );
    }
  }

  function handleOpenSession(p: Ipmi20Packet, rinfo: RemoteInfo) {
    const r = decodeOpenSessionRequest(p.payload);
    if (!r.ok) return;
    const req = r.value;
    const send = (payload: Buffer) =>
      reply(
        rinfo,
        encodeIpmi20Packet({
          payloadType: PayloadType.openSessionResponse,
          encrypted: false,
          sessionId: 0,
          sessionSeq: 0,
          payload,
        }),
      );
    if (!accept(req.algorithms)) {
      send(
        encodeOpenSessionResponse({
          tag: req.tag,
          status: 0x11, // no cipher suite match
          maxPrivilege: 0,
          consoleSessionId: req.consoleSessionId,
          bmcSessionId: 0,
          algorithms: req.algorithms,
        }),
      );
      return;
    }
    let bmcSid = 0;
    while (bmcSid === 0 || sessions.has(bmcSid)) bmcSid = randomBytes(4).readUInt32LE(0);
    const maxPrivilege = req.maxPrivilege === 0 ? 4 : req.maxPrivilege;
    sessions.set(bmcSid, {
      bmcSid,
      consoleSid: req.consoleSessionId,
      algs: req.algorithms,
      maxPrivilege,
      active: false,
      privilege: 2,
      outSeq: 0,
    });
    send(
      encodeOpenSessionResponse({
        tag: req.tag,
        status: 0,
        maxPrivilege,
        consoleSessionId: req.consoleSessionId,
        bmcSessionId: bmcSid,
        algorithms: req.algorithms,
      }),
    );
  }

  function handleRakp1(p: Ipmi20Packet, rinfo: RemoteInfo) {
    const r = decodeRakp1(p.payload);
    if (!r.ok) return;
    const s = sessions.get(r.value.bmcSessionId);
    if (!s) return;
    const send = (payload: Buffer) =>
      reply(
        rinfo,
        encodeIpmi20Packet({
          payloadType: PayloadType.rakp2,
          encrypted: false,
          sessionId: 0,
          sessionSeq: 0,
          payload,
        }),
      );
    const name = r.value.username.toString('latin1');
    const user = users.find((u) => u.name === name);
    const base = {
      tag: r.value.tag,
      consoleSessionId: s.consoleSid,
      bmcRandom: Buffer.alloc(16),
      bmcGuid: GUID,
      authCode: Buffer.alloc(0),
    };
    if (!user) {
      sessions.delete(s.bmcSid);
      send(encodeRakp2({ ...base, status: 0x0d }));
      return;
    }
    const ctx: RakpContext = {
      auth: s.algs.auth,
      consoleSessionId: s.consoleSid,
      bmcSessionId: s.bmcSid,
      consoleRandom: r.value.consoleRandom,
      bmcRandom: randomBytes(16),
      bmcGuid: GUID,
      role: r.value.role,
      username: r.value.username,
    };
    s.rakp = ctx;
    s.user = user;
    const kuid = padPassword(Buffer.from(user.password, 'latin1'), 20);
    send(encodeRakp2({ ...base, status: 0, bmcRandom: ctx.bmcRandom, authCode: rakp2AuthCode(kuid, ctx) }));
  }

  function handleRakp3(p: Ipmi20Packet, rinfo: RemoteInfo) {
    const r = decodeRakp3(p.payload);
    if (!r.ok) return;
    const s = sessions.get(r.value.bmcSessionId);
    if (!s?.rakp || !s.user) return;
    const send = (status: number, icv: Buffer) =>
      reply(
        rinfo,
        encodeIpmi20Packet({
          payloadType: PayloadType.rakp4,
          encrypted: false,
          sessionId: 0,
          sessionSeq: 0,
          payload: encodeRakp4({ tag: r.value.tag, status, consoleSessionId: s.consoleSid, icv }),
        }),
      );
    const kuid = padPassword(Buffer.from(s.user.password, 'latin1'), 20);
    if (s.algs.auth !== 0 && !codesEqual(rakp3AuthCode(kuid, s.rakp), r.value.authCode)) {
      sessions.delete(s.bmcSid);
      bmc.log.push(`rakp3 rejected for ${s.user.name}`);
      send(0x0f, Buffer.alloc(0));
      return;
    }
    const sik = sessionIntegrityKey(kuid, s.rakp);
    s.k1 = deriveKey(s.algs.auth, sik, 1);
    s.k2 = deriveKey(s.algs.auth, sik, 2);
    s.active = true;
    bmc.log.push(
      `session ${s.user.name} cipher auth=${s.algs.auth} integ=${s.algs.integrity} conf=${s.algs.confidentiality}`,
    );
    send(0, rakp4Icv(sik, s.rakp));
  }

  function handleSessionMessage(p: Ipmi20Packet, rinfo: RemoteInfo) {
    const s = sessions.get(p.sessionId);
    if (!s?.active || !s.k1 || !s.k2) return;
    if (s.algs.integrity) {
      if (!p.authenticated) return;
      const parts = splitIntegrityTrailer(p, integrityCodeLength(s.algs.integrity));
      if (!parts.ok) return;
      if (!codesEqual(integrityAuthCode(s.algs.integrity, s.k1, parts.value.covered), parts.value.authCode))
        return;
    }
    let body = p.payload;
    if (s.algs.confidentiality) {
      if (!p.encrypted) return;
      const d = aesDecryptPayload(s.k2, p.payload);
      if (!d.ok) return;
      body = d.value;
    }
    const m = decodeIpmiMessage(body);
    if (!m.ok) return;
    const req = m.value;
    const answer = (cc: number, data: number[] = []) => {
      const msg = responseTo(req, cc, data);
      s.outSeq = (s.outSeq + 1) >>> 0 || 1;
      const k1 = s.k1 as Buffer;
      const k2 = s.k2 as Buffer;
      reply(
        rinfo,
        encodeIpmi20Packet({
          payloadType: PayloadType.ipmi,
          encrypted: s.algs.confidentiality !== 0,
          sessionId: s.consoleSid,
          sessionSeq: s.outSeq,
          payload: s.algs.confidentiality ? aesEncryptPayload(k2, randomBytes(16), msg) : msg,
          sign: s.algs.integrity ? (covered) => integrityAuthCode(s.algs.integrity, k1, covered) : undefined,
        }),
      );
    };
    const key = `${req.netFn}:${req.cmd}`;
    switch (key) {
      case '6:59': {
        // Set Session Privilege Level
        const want = (req.data[0] ?? 0) & 0x0f;
        const limit = Math.min(s.maxPrivilege, s.user?.privilege ?? 2, (s.rakp?.role ?? 0) & 0x0f || 4);
        if (want === 0) return answer(0, [s.privilege]);
        if (want > limit) return answer(0x81);
        s.privilege = want;
        return answer(0, [want]);
      }
      case '6:1':
        return answer(
          0,
          [0x20, 0x01, 0x01, 0x00, 0x02, 0xbf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
        );
      case '6:60':
        sessions.delete(s.bmcSid);
        bmc.log.push('session closed');
        return answer(0);
      case '0:1':
        return answer(0, [bmc.power === 'on' ? 0x01 : 0x00, 0x00, 0x00]);
      case '0:2': {
        if (s.privilege < 3) return answer(0xd4);
        const op = req.data[0];
        const name = ['off', 'on', 'cycle', 'reset', undefined, 'soft'][op ?? 9];
        if (!name) return answer(0xcc);
        bmc.log.push(`control ${name}`);
        if (options.ignoreControl) return answer(0);
        if (name === 'off' || name === 'soft') bmc.power = 'off';
        if (name === 'on' || name === 'cycle') bmc.power = 'on';
        return answer(0);
      }
      default:
        return answer(0xc1);
    }
  }

  socket.on('message', (b, rinfo) => {
    if (mode === 'silent') return;
    if (mode === 'garbage') {
      reply(rinfo, Buffer.from([0x06, 0x00, 0xff, 0x07, 0x06, 0x00, 0xde, 0xad, 0xbe, 0xef]));
      return;
    }
    const d = decodeRmcpPacket(b);
    if (!d.ok) return;
    const p = d.value;
    if (p.kind === 'asf') {
      reply(
        rinfo,
        Buffer.from([
          0x06,
          0x00,
          0xff,
          0x06,
          0x00,
          0x00,
          0x11,
          0xbe,
          0x40,
          p.tag,
          0x00,
          0x10,
          0,
          0,
          0x11,
          0xbe,
          0,
          0,
          0,
          0,
          0x81,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
        ]),
      );
    } else if (p.kind === 'ipmi15') {
      if (p.sessionId === 0) handleSessionless(p.message, rinfo);
    } else if (p.payloadType === PayloadType.openSessionRequest) handleOpenSession(p, rinfo);
    else if (p.payloadType === PayloadType.rakp1) handleRakp1(p, rinfo);
    else if (p.payloadType === PayloadType.rakp3) handleRakp3(p, rinfo);
    else if (p.payloadType === PayloadType.ipmi) handleSessionMessage(p, rinfo);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  Object.defineProperty(bmc, 'port', { value: socket.address().port });
  return bmc;
}
