/**
 * Pure RMCP / RMCP+ codec and crypto: round trips, fuzzing (decoders never throw on garbage and
 * return a typed error), and real traffic: the packet traces of a real ipmitool ↔ ipmi_sim
 * session in `../shared/real-components/scripts/ipmi/` (read in place, skipped when absent),
 * whose every MAC our crypto must reproduce and whose every encrypted payload it must decrypt.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthType,
  type DecodeErrorCode,
  decodeIpmiMessage,
  decodeOpenSessionRequest,
  decodeOpenSessionResponse,
  decodeRakp1,
  decodeRakp2,
  decodeRakp3,
  decodeRakp4,
  decodeRmcpPacket,
  encodeAsfPing,
  encodeIpmi15Packet,
  encodeIpmi20Packet,
  encodeIpmiMessage,
  encodeOpenSessionRequest,
  encodeOpenSessionResponse,
  encodeRakp1,
  encodeRakp2,
  encodeRakp3,
  encodeRakp4,
  type Ipmi20Packet,
  ipmiChecksum,
  PayloadType,
  splitIntegrityTrailer,
} from '../../src/ipmi/rmcp-codec.js';
import {
  aesDecryptPayload,
  aesEncryptPayload,
  deriveKey,
  integrityAuthCode,
  ipmi15AuthCode,
  padPassword,
  type RakpContext,
  rakp2AuthCode,
  rakp3AuthCode,
  rakp4Icv,
  sessionIntegrityKey,
} from '../../src/ipmi/rmcp-crypto.js';

const ERROR_CODES: DecodeErrorCode[] = [
  'truncated',
  'not-rmcp',
  'unsupported-class',
  'unsupported-auth-type',
  'unsupported-payload',
  'bad-length',
  'bad-checksum',
  'malformed',
];

describe('IPMI message', () => {
  it('encodes the Get Channel Authentication Capabilities request of the ipmitool trace byte for byte', () => {
    const m = encodeIpmiMessage({
      targetAddr: 0x20,
      netFn: 0x06,
      targetLun: 0,
      sourceAddr: 0x81,
      seq: 0,
      sourceLun: 0,
      cmd: 0x38,
      data: Buffer.from([0x8e, 0x04]),
    });
    expect(m.toString('hex')).toBe('2018c88100388e04b5');
    expect(ipmiChecksum(Buffer.from([0x20, 0x18]))).toBe(0xc8);
    const d = decodeIpmiMessage(m);
    expect(d).toMatchObject({ ok: true, value: { netFn: 6, cmd: 0x38, seq: 0 } });
  });

  it('rejects a message whose checksum is wrong', () => {
    const m = encodeIpmiMessage({
      targetAddr: 0x81,
      netFn: 7,
      targetLun: 0,
      sourceAddr: 0x20,
      seq: 5,
      sourceLun: 0,
      cmd: 1,
      data: Buffer.from([0, 1]),
    });
    m[m.length - 1] = (m[m.length - 1] ?? 0) ^ 0xff;
    expect(decodeIpmiMessage(m)).toMatchObject({ ok: false, error: 'bad-checksum' });
  });

  it('round-trips any message', () => {
    fc.assert(
      fc.property(
        fc.record({
          targetAddr: fc.integer({ min: 0, max: 255 }),
          netFn: fc.integer({ min: 0, max: 63 }),
          targetLun: fc.integer({ min: 0, max: 3 }),
          sourceAddr: fc.integer({ min: 0, max: 255 }),
          seq: fc.integer({ min: 0, max: 63 }),
          sourceLun: fc.integer({ min: 0, max: 3 }),
          cmd: fc.integer({ min: 0, max: 255 }),
          data: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
        }),
        (m) => {
          expect(decodeIpmiMessage(encodeIpmiMessage(m))).toEqual({ ok: true, value: m });
        },
      ),
    );
  });
});

describe('session packets', () => {
  it('round-trips an IPMI v1.5 packet with an MD5 AuthCode', () => {
    const message = Buffer.from('200018810101', 'hex');
    const authCode = ipmi15AuthCode(AuthType.md5, padPassword(Buffer.from('pw'), 16), 0x1234, message, 7);
    const d = decodeRmcpPacket(
      encodeIpmi15Packet({ authType: AuthType.md5, sessionSeq: 7, sessionId: 0x1234, authCode, message }),
    );
    expect(d).toEqual({
      ok: true,
      value: { kind: 'ipmi15', authType: 2, sessionSeq: 7, sessionId: 0x1234, authCode, message },
    });
  });

  it('keeps session ids unsigned and pads the integrity trailer to a multiple of 4', () => {
    for (let len = 0; len < 40; len++) {
      const k1 = Buffer.alloc(20, 9);
      const pkt = encodeIpmi20Packet({
        payloadType: PayloadType.ipmi,
        encrypted: true,
        sessionId: 0xa0a2a3a4,
        sessionSeq: 0xffffffff,
        payload: Buffer.alloc(len, 1),
        sign: (c) => integrityAuthCode(1, k1, c),
      });
      expect((pkt.length - 4 - 12) % 4).toBe(0);
      const d = decodeRmcpPacket(pkt);
      if (!d.ok || d.value.kind !== 'ipmi20') throw new Error('decode failed');
      expect(d.value.sessionId).toBe(0xa0a2a3a4);
      expect(d.value.sessionSeq).toBe(0xffffffff);
      expect(d.value).toMatchObject({ encrypted: true, authenticated: true, payloadType: 0 });
      const parts = splitIntegrityTrailer(d.value, 12);
      if (!parts.ok) throw new Error(parts.detail);
      expect(parts.value.authCode).toEqual(integrityAuthCode(1, k1, parts.value.covered));
    }
  });

  it('answers an ASF ping decode with kind asf', () => {
    expect(decodeRmcpPacket(encodeAsfPing(7))).toMatchObject({
      ok: true,
      value: { kind: 'asf', messageType: 0x80, tag: 7 },
    });
  });

  it('round-trips the session-setup payloads', () => {
    const algorithms = { auth: 3, integrity: 4, confidentiality: 1 };
    const osr = { tag: 9, maxPrivilege: 4, consoleSessionId: 0xfeedbeef, algorithms };
    expect(decodeOpenSessionRequest(encodeOpenSessionRequest(osr))).toEqual({ ok: true, value: osr });
    const osp = {
      tag: 9,
      status: 0,
      maxPrivilege: 4,
      consoleSessionId: 0xfeedbeef,
      bmcSessionId: 0x80000001,
      algorithms,
    };
    expect(decodeOpenSessionResponse(encodeOpenSessionResponse(osp))).toEqual({ ok: true, value: osp });
    const r1 = {
      tag: 1,
      bmcSessionId: 0x80000001,
      consoleRandom: Buffer.alloc(16, 3),
      role: 0x14,
      username: Buffer.from('admin'),
    };
    expect(decodeRakp1(encodeRakp1(r1))).toEqual({ ok: true, value: r1 });
    const r2 = {
      tag: 2,
      status: 0,
      consoleSessionId: 5,
      bmcRandom: Buffer.alloc(16, 4),
      bmcGuid: Buffer.alloc(16, 5),
      authCode: Buffer.alloc(32, 6),
    };
    expect(decodeRakp2(encodeRakp2(r2))).toEqual({ ok: true, value: r2 });
    const r3 = { tag: 3, status: 0, bmcSessionId: 0x80000001, authCode: Buffer.alloc(32, 7) };
    expect(decodeRakp3(encodeRakp3(r3))).toEqual({ ok: true, value: r3 });
    const r4 = { tag: 4, status: 0, consoleSessionId: 5, icv: Buffer.alloc(16, 8) };
    expect(decodeRakp4(encodeRakp4(r4))).toEqual({ ok: true, value: r4 });
  });

  it('decodes a 2-byte refusal (tag, status) as ipmi_sim sends it', () => {
    expect(decodeOpenSessionResponse(Buffer.from([7, 0x11]))).toMatchObject({
      ok: true,
      value: { tag: 7, status: 0x11 },
    });
    expect(decodeOpenSessionResponse(Buffer.from([7, 0x00]))).toMatchObject({
      ok: false,
      error: 'truncated',
    });
  });

  it('AES-CBC-128 round-trips every length and rejects a bad pad', () => {
    const k2 = Buffer.alloc(20, 0x42);
    for (let len = 0; len < 50; len++) {
      const plain = Buffer.alloc(len, len);
      const enc = aesEncryptPayload(k2, Buffer.alloc(16, 1), plain);
      expect(enc.length % 16).toBe(0);
      expect(aesDecryptPayload(k2, enc)).toEqual({ ok: true, value: plain });
    }
    const enc = aesEncryptPayload(k2, Buffer.alloc(16, 1), Buffer.from('hello'));
    expect(aesDecryptPayload(Buffer.alloc(20, 0x43), enc).ok).toBe(false);
  });
});

describe('decoders on garbage (fast-check)', () => {
  const decoders = [
    decodeRmcpPacket,
    decodeIpmiMessage,
    decodeOpenSessionRequest,
    decodeOpenSessionResponse,
    decodeRakp1,
    decodeRakp2,
    decodeRakp3,
    decodeRakp4,
  ];

  it('never throw on random bytes and return ok or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        for (const decode of decoders) {
          const r = decode(bytes);
          if (!r.ok) {
            expect(ERROR_CODES).toContain(r.error);
            expect(typeof r.detail).toBe('string');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throw on mutated valid packets (RMCP header kept, so the session decoders are reached)', () => {
    const k1 = Buffer.alloc(20, 1);
    const valid = encodeIpmi20Packet({
      payloadType: 0,
      encrypted: true,
      sessionId: 1,
      sessionSeq: 2,
      payload: aesEncryptPayload(Buffer.alloc(20, 2), Buffer.alloc(16), Buffer.from('200018810101', 'hex')),
      sign: (c) => integrityAuthCode(1, k1, c),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat({ max: valid.length }),
        (edits, cut) => {
          const b = Buffer.from(valid.subarray(0, cut + 4));
          for (const [at, v] of edits) if (b.length > 4) b[4 + (at % (b.length - 4))] = v;
          const r = decodeRmcpPacket(b);
          if (!r.ok) expect(ERROR_CODES).toContain(r.error);
          else if (r.value.kind === 'ipmi20' && r.value.authenticated) {
            const t = splitIntegrityTrailer(r.value, 12);
            if (!t.ok) expect(ERROR_CODES).toContain(t.error);
            const d = aesDecryptPayload(Buffer.alloc(20, 2), r.value.payload);
            if (!d.ok) expect(ERROR_CODES).toContain(d.error);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Real traffic recorded between ipmitool and ipmi_sim (user admin, password secret).

const TRACES = fileURLToPath(new URL('../../../../../shared/real-components/scripts/ipmi', import.meta.url));
const haveTraces =
  existsSync(resolve(TRACES, 'lanplus-c3.pcap')) && existsSync(resolve(TRACES, 'lan15-md5.pcap'));
if (!haveTraces) console.warn(`SKIP trace tests: ${TRACES} (shared reference traces) not found`);

interface Datagram {
  toBmc: boolean;
  data: Buffer;
}

/** Minimal pcap reader: Ethernet (linktype 1) / IPv4 / UDP to or from `bmcPort`. */
function readPcap(file: string, bmcPort: number): Datagram[] {
  const f = readFileSync(file);
  const le = f.readUInt32LE(0) === 0xa1b2c3d4;
  const r32 = (o: number) => (le ? f.readUInt32LE(o) : f.readUInt32BE(o));
  if (r32(20) !== 1) throw new Error('expected an Ethernet capture');
  const out: Datagram[] = [];
  for (let at = 24; at + 16 <= f.length; ) {
    const caplen = r32(at + 8);
    const pkt = f.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (pkt.readUInt16BE(12) !== 0x0800) continue;
    const ip = pkt.subarray(14);
    if (ip[9] !== 17) continue;
    const udp = ip.subarray(((ip[0] ?? 0) & 0x0f) * 4);
    const dst = udp.readUInt16BE(2);
    out.push({ toBmc: dst === bmcPort, data: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))) });
  }
  return out;
}

describe.skipIf(!haveTraces)('a real ipmitool ↔ ipmi_sim lanplus session (cipher suite 3)', () => {
  it('decodes every datagram, reproduces every RAKP code, verifies every MAC and decrypts every payload', () => {
    const dgrams = readPcap(resolve(TRACES, 'lanplus-c3.pcap'), 16623);
    expect(dgrams.length).toBe(22);
    const packets = dgrams.map((d) => {
      const r = decodeRmcpPacket(d.data);
      if (!r.ok) throw new Error(r.detail);
      return { toBmc: d.toBmc, p: r.value };
    });
    const v2 = (t: number) =>
      packets.find((x) => x.p.kind === 'ipmi20' && x.p.payloadType === t)?.p as Ipmi20Packet;
    const osReq = decodeOpenSessionRequest(v2(PayloadType.openSessionRequest).payload);
    const osRsp = decodeOpenSessionResponse(v2(PayloadType.openSessionResponse).payload);
    const r1 = decodeRakp1(v2(PayloadType.rakp1).payload);
    const r2 = decodeRakp2(v2(PayloadType.rakp2).payload);
    const r3 = decodeRakp3(v2(PayloadType.rakp3).payload);
    const r4 = decodeRakp4(v2(PayloadType.rakp4).payload);
    if (!osReq.ok || !osRsp.ok || !r1.ok || !r2.ok || !r3.ok || !r4.ok)
      throw new Error('setup payload did not decode');
    expect(osRsp.value.algorithms).toEqual({ auth: 1, integrity: 1, confidentiality: 1 });
    const ctx: RakpContext = {
      auth: 1,
      consoleSessionId: osReq.value.consoleSessionId,
      bmcSessionId: osRsp.value.bmcSessionId,
      consoleRandom: r1.value.consoleRandom,
      bmcRandom: r2.value.bmcRandom,
      bmcGuid: r2.value.bmcGuid,
      role: r1.value.role,
      username: r1.value.username,
    };
    const kuid = padPassword(Buffer.from('secret'), 20);
    expect(rakp2AuthCode(kuid, ctx)).toEqual(r2.value.authCode);
    expect(rakp3AuthCode(kuid, ctx)).toEqual(r3.value.authCode);
    const sik = sessionIntegrityKey(kuid, ctx);
    expect(rakp4Icv(sik, ctx)).toEqual(r4.value.icv);
    expect(rakp2AuthCode(padPassword(Buffer.from('secreT'), 20), ctx)).not.toEqual(r2.value.authCode);

    const k1 = deriveKey(1, sik, 1);
    const k2 = deriveKey(1, sik, 2);
    const commands: string[] = [];
    for (const { toBmc, p } of packets) {
      if (p.kind !== 'ipmi20' || p.payloadType !== PayloadType.ipmi) continue;
      const parts = splitIntegrityTrailer(p, 12);
      if (!parts.ok) throw new Error(parts.detail);
      expect(integrityAuthCode(1, k1, parts.value.covered)).toEqual(parts.value.authCode);
      const plain = aesDecryptPayload(k2, p.payload);
      if (!plain.ok) throw new Error(plain.detail);
      const m = decodeIpmiMessage(plain.value);
      if (!m.ok) throw new Error(m.detail);
      expect(p.sessionId).toBe(toBmc ? ctx.bmcSessionId : ctx.consoleSessionId);
      if (toBmc)
        commands.push(`${m.value.netFn}/${m.value.cmd.toString(16)} ${m.value.data.toString('hex')}`);
    }
    expect(commands).toContain('6/3b 04'); // Set Session Privilege Level: administrator
    expect(commands).toContain('0/2 01'); // Chassis Control: power up
    expect(commands.at(-1)).toMatch(/^6\/3c /); // Close Session
  });
});

describe.skipIf(!haveTraces)('a real ipmitool ↔ ipmi_sim IPMI v1.5 MD5 session', () => {
  it('verifies the MD5 AuthCode of every authenticated datagram', () => {
    const dgrams = readPcap(resolve(TRACES, 'lan15-md5.pcap'), 16623);
    const pw16 = padPassword(Buffer.from('secret'), 16);
    let checked = 0;
    for (const d of dgrams) {
      const r = decodeRmcpPacket(d.data);
      if (!r.ok) throw new Error(r.detail);
      const p = r.value;
      if (p.kind !== 'ipmi15' || p.authType !== AuthType.md5 || !p.authCode) continue;
      expect(ipmi15AuthCode(AuthType.md5, pw16, p.sessionId, p.message, p.sessionSeq)).toEqual(p.authCode);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});
