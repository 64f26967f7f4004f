/**
 * RMCP+ and IPMI v1.5 cryptography over `node:crypto`: cipher suite table, RAKP key-exchange
 * AuthCodes, session keys (SIK, K1, K2), integrity AuthCodes, AES-CBC-128 payload
 * confidentiality and the IPMI v1.5 MD5 / straight-password AuthCode. Pure (no I/O); randomness
 * for IVs is passed in by the caller.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IpmiCipherSuite } from './ipmi-options.js';
import type { AlgorithmIds, Decoded } from './rmcp-codec.js';

/** Authentication (RAKP) algorithm ids. */
export const AuthAlg = { none: 0, hmacSha1: 1, hmacMd5: 2, hmacSha256: 3 } as const;
/** Integrity algorithm ids (MD5-128 = 3 is not supported). */
export const IntegrityAlg = { none: 0, hmacSha1_96: 1, hmacMd5_128: 2, hmacSha256_128: 4 } as const;
/** Confidentiality algorithm ids. */
export const ConfAlg = { none: 0, aesCbc128: 1 } as const;

/** Algorithms of each supported cipher suite (IPMI v2.0 table 22-20). */
export const CIPHER_SUITE_ALGORITHMS: Readonly<Record<IpmiCipherSuite, AlgorithmIds>> = {
  0: { auth: 0, integrity: 0, confidentiality: 0 },
  1: { auth: 1, integrity: 0, confidentiality: 0 },
  2: { auth: 1, integrity: 1, confidentiality: 0 },
  3: { auth: 1, integrity: 1, confidentiality: 1 },
  6: { auth: 2, integrity: 0, confidentiality: 0 },
  7: { auth: 2, integrity: 2, confidentiality: 0 },
  8: { auth: 2, integrity: 2, confidentiality: 1 },
  15: { auth: 3, integrity: 0, confidentiality: 0 },
  16: { auth: 3, integrity: 4, confidentiality: 0 },
  17: { auth: 3, integrity: 4, confidentiality: 1 },
};

/** True when this module implements all three algorithms. */
export function isSupportedAlgorithms(a: AlgorithmIds): boolean {
  return (
    [0, 1, 2, 3].includes(a.auth) && [0, 1, 2, 4].includes(a.integrity) && [0, 1].includes(a.confidentiality)
  );
}

function authHash(auth: number): 'sha1' | 'md5' | 'sha256' | undefined {
  return auth === 1 ? 'sha1' : auth === 2 ? 'md5' : auth === 3 ? 'sha256' : undefined;
}

function hmac(hash: string, key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac(hash, key);
  for (const p of parts) h.update(p);
  return h.digest();
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** Kuid: the password, ASCII, zero-padded to 20 bytes (16 for IPMI v1.5 use `padPassword(p, 16)`). */
export function padPassword(password: Uint8Array, length = 20): Buffer {
  const out = Buffer.alloc(length);
  out.set(password.subarray(0, length));
  return out;
}

/** What both RAKP sides know once RAKP 2 has been seen. */
export interface RakpContext {
  auth: number;
  consoleSessionId: number;
  bmcSessionId: number;
  consoleRandom: Buffer;
  bmcRandom: Buffer;
  bmcGuid: Buffer;
  /** Role byte exactly as sent in RAKP 1. */
  role: number;
  username: Buffer;
}

/** RAKP 2 key exchange AuthCode = HMAC(Kuid, SIDm | SIDc | Rm | Rc | GUIDc | ROLEm | ULENm | UNAME). */
export function rakp2AuthCode(kuid: Buffer, c: RakpContext): Buffer {
  const hash = authHash(c.auth);
  if (!hash) return Buffer.alloc(0);
  return hmac(
    hash,
    kuid,
    u32le(c.consoleSessionId),
    u32le(c.bmcSessionId),
    c.consoleRandom,
    c.bmcRandom,
    c.bmcGuid,
    Buffer.from([c.role, c.username.length]),
    c.username,
  );
}

/** RAKP 3 AuthCode = HMAC(Kuid, Rc | SIDm | ROLEm | ULENm | UNAME). */
export function rakp3AuthCode(kuid: Buffer, c: RakpContext): Buffer {
  const hash = authHash(c.auth);
  if (!hash) return Buffer.alloc(0);
  return hmac(
    hash,
    kuid,
    c.bmcRandom,
    u32le(c.consoleSessionId),
    Buffer.from([c.role, c.username.length]),
    c.username,
  );
}

/** Session Integrity Key = HMAC(Kg, Rm | Rc | ROLEm | ULENm | UNAME); empty for auth none. */
export function sessionIntegrityKey(kg: Buffer, c: RakpContext): Buffer {
  const hash = authHash(c.auth);
  if (!hash) return Buffer.alloc(0);
  return hmac(hash, kg, c.consoleRandom, c.bmcRandom, Buffer.from([c.role, c.username.length]), c.username);
}

/** RAKP 4 integrity check value = HMAC(SIK, Rm | SIDc | GUIDc), truncated (SHA1 12, MD5 16, SHA256 16). */
export function rakp4Icv(sik: Buffer, c: RakpContext): Buffer {
  const hash = authHash(c.auth);
  if (!hash) return Buffer.alloc(0);
  const full = hmac(hash, sik, c.consoleRandom, u32le(c.bmcSessionId), c.bmcGuid);
  return full.subarray(0, c.auth === AuthAlg.hmacSha1 ? 12 : 16);
}

/** K1 (n=1, integrity key) or K2 (n=2, AES key source) = HMAC(SIK, 20 × n); 20 × n for auth none. */
export function deriveKey(auth: number, sik: Buffer, n: 1 | 2): Buffer {
  const constant = Buffer.alloc(20, n);
  const hash = authHash(auth);
  return hash ? hmac(hash, sik, constant) : constant;
}

/** AuthCode length of an integrity algorithm (0 for none). */
export function integrityCodeLength(integrity: number): number {
  return integrity === 1 ? 12 : integrity === 2 || integrity === 4 ? 16 : 0;
}

/** Integrity AuthCode over `covered` (authType through next header) with K1. */
export function integrityAuthCode(integrity: number, k1: Buffer, covered: Uint8Array): Buffer {
  switch (integrity) {
    case IntegrityAlg.hmacSha1_96:
      return hmac('sha1', k1, covered).subarray(0, 12);
    case IntegrityAlg.hmacMd5_128:
      return hmac('md5', k1, covered);
    case IntegrityAlg.hmacSha256_128:
      return hmac('sha256', k1, covered).subarray(0, 16);
    default:
      return Buffer.alloc(0);
  }
}

/** Constant-time comparison of two codes of possibly different length. */
export function codesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/**
 * AES-CBC-128 confidentiality: `IV | AES(K2[0..16], IV, msg | 01 02 .. N | N)`, padded so the
 * plaintext is a multiple of 16 bytes. `iv` must be 16 fresh random bytes.
 */
export function aesEncryptPayload(k2: Buffer, iv: Buffer, plain: Uint8Array): Buffer {
  const padLen = (16 - ((plain.length + 1) % 16)) % 16;
  const padded = Buffer.alloc(plain.length + padLen + 1);
  padded.set(plain);
  for (let i = 0; i < padLen; i++) padded[plain.length + i] = i + 1;
  padded[plain.length + padLen] = padLen;
  const c = createCipheriv('aes-128-cbc', k2.subarray(0, 16), iv.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([iv.subarray(0, 16), c.update(padded), c.final()]);
}

/** Reverses {@link aesEncryptPayload}; checks the pad. Never throws. */
export function aesDecryptPayload(k2: Buffer, payload: Uint8Array): Decoded<Buffer> {
  if (payload.length < 32 || payload.length % 16 !== 0) {
    return {
      ok: false,
      error: 'bad-length',
      detail: `encrypted payload of ${payload.length} bytes is not IV + whole blocks`,
    };
  }
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-128-cbc', k2.subarray(0, 16), payload.subarray(0, 16));
    d.setAutoPadding(false);
    plain = Buffer.concat([d.update(payload.subarray(16)), d.final()]);
  } catch {
    return { ok: false, error: 'malformed', detail: 'AES decryption failed' };
  }
  const padLen = plain[plain.length - 1] ?? 0;
  if (padLen > 15 || padLen + 1 > plain.length)
    return { ok: false, error: 'malformed', detail: 'bad confidentiality pad length' };
  const end = plain.length - 1 - padLen;
  for (let i = 0; i < padLen; i++) {
    if (plain[end + i] !== i + 1)
      return { ok: false, error: 'malformed', detail: 'bad confidentiality pad bytes' };
  }
  return { ok: true, value: plain.subarray(0, end) };
}

/**
 * IPMI v1.5 session AuthCode (16 bytes): straight password = the password padded to 16;
 * MD5 = MD5(password16 | SID | message | seq | password16); none = empty.
 */
export function ipmi15AuthCode(
  authType: number,
  password16: Buffer,
  sessionId: number,
  message: Uint8Array,
  sessionSeq: number,
): Buffer {
  if (authType === 4) return Buffer.from(password16);
  if (authType === 2) {
    return createHash('md5')
      .update(password16)
      .update(u32le(sessionId))
      .update(message)
      .update(u32le(sessionSeq))
      .update(password16)
      .digest();
  }
  return Buffer.alloc(0);
}
