/**
 * Internal: a small promise layer over npm `net-snmp` sessions for the fence agents. Every failure
 * becomes an {@link SnmpFailure} carrying a fence outcome reason; the agents catch it and return
 * it as a value. Nothing here logs or puts a secret in a message.
 */

import { ConfigError, configErrorFromZod } from '@quorate/core';
import snmp from 'net-snmp';
import { redact, resolveSecret } from '../secrets/index.js';
import { type SnmpFenceOptions, snmpFenceOptionsSchema } from './snmp-options.js';

/** Why an SNMP exchange failed, in fence outcome terms. */
export type SnmpFailureReason = 'timeout' | 'unreachable' | 'refused' | 'aborted' | 'agent-error';

/** Internal exception turned into a `{ ok: false }` outcome by the agents. */
export class SnmpFailure extends Error {
  readonly reason: SnmpFailureReason;
  constructor(reason: SnmpFailureReason, detail: string) {
    super(detail);
    this.name = 'SnmpFailure';
    this.reason = reason;
  }
}

/** Options after validation and secret resolution. */
export interface ResolvedSnmp {
  ip: string;
  ipport: number;
  version: '1' | '2c' | '3';
  community: string;
  username: string | undefined;
  level: 'noauthnopriv' | 'authnopriv' | 'authpriv';
  authProtocol: 'MD5' | 'SHA';
  privProtocol: 'DES' | 'AES';
  authKey: string | undefined;
  privKey: string | undefined;
  timeoutMs: number;
  retries: number;
  powerTimeoutMs: number;
  powerPollMs: number;
  /** Every secret, for redaction. */
  secrets: string[];
}

/**
 * Validates options with zod (throws `ConfigError` naming each bad field, never a value) and
 * resolves secrets (throws `ConfigError` naming the variable or file).
 */
export function resolveSnmpOptions(input: SnmpFenceOptions, defaultVersion: '1' | '2c' | '3'): ResolvedSnmp {
  const parsed = snmpFenceOptionsSchema.safeParse(input);
  if (!parsed.success) throw configErrorFromZod(parsed.error);
  const o = parsed.data;
  const authKey = resolveSecret(
    { password: o.password, passwordEnv: o.passwordEnv, passwordFile: o.passwordFile },
    'SNMP password',
  );
  const privKey = resolveSecret(
    { password: o.privPassword, passwordEnv: o.privPasswordEnv, passwordFile: o.privPasswordFile },
    'SNMP privacy password',
  );
  const version = o.snmpVersion ?? defaultVersion;
  // Same inference as fence-agents' fencing_snmp: a priv passphrase means authPriv.
  const level =
    o.secLevel ??
    (privKey !== undefined ? 'authpriv' : authKey !== undefined ? 'authnopriv' : 'noauthnopriv');
  if (version === '3') {
    if (o.username === undefined) throw snmpConfigError('SNMP v3 needs a username');
    if (level !== 'noauthnopriv' && authKey === undefined)
      throw snmpConfigError(`SNMP v3 level '${level}' needs a password`);
    if (level === 'authpriv' && privKey === undefined && authKey === undefined) {
      throw snmpConfigError("SNMP v3 level 'authPriv' needs a privacy password");
    }
  }
  return {
    ip: o.ip,
    ipport: o.ipport,
    version,
    community: o.community,
    username: o.username,
    level,
    authProtocol: o.authProtocol,
    privProtocol: o.privProtocol,
    authKey,
    // As fencing_snmp: without snmp_priv_passwd the auth passphrase is used for privacy too.
    privKey: privKey ?? (level === 'authpriv' ? authKey : undefined),
    timeoutMs: o.timeoutMs,
    retries: o.retries,
    powerTimeoutMs: o.powerTimeoutMs,
    powerPollMs: o.powerPollMs,
    secrets: [authKey, privKey, o.community].filter((s): s is string => s !== undefined),
  };
}

function snmpConfigError(message: string): ConfigError {
  return new ConfigError(message, [{ path: [], message }]);
}

/** Describes the peer for messages: address, version and who we are (never a key). */
export function describePeer(r: ResolvedSnmp): string {
  const who = r.version === '3' ? `v3 user '${r.username ?? ''}' ${levelName(r.level)}` : `v${r.version}`;
  return `${r.ip}:${r.ipport} (${who})`;
}

function levelName(l: ResolvedSnmp['level']): string {
  return l === 'noauthnopriv' ? 'noAuthNoPriv' : l === 'authnopriv' ? 'authNoPriv' : 'authPriv';
}

/** One varbind as plain data. */
export interface SnmpValue {
  oid: string;
  /** Integer → number; OctetString → string; OID → dotted string; others as net-snmp gives them. */
  value: number | string | null;
}

/** A per-action SNMP session; `close()` is idempotent. */
export interface SnmpClient {
  get(oid: string): Promise<SnmpValue>;
  setInt(oid: string, value: number): Promise<SnmpValue>;
  walk(oid: string): Promise<SnmpValue[]>;
  sleep(ms: number): Promise<void>;
  close(): void;
}

/**
 * Opens a session for one fence action. Aborting `signal` closes the socket, which fails every
 * pending request; the failure is then reported as `aborted`.
 */
export function openSnmp(r: ResolvedSnmp, signal: AbortSignal): SnmpClient {
  const common = {
    port: r.ipport,
    timeout: r.timeoutMs,
    retries: r.retries,
    backoff: 1,
    transport: r.ip.includes(':') ? ('udp6' as const) : ('udp4' as const),
  };
  let session: snmp.Session;
  if (r.version === '3') {
    const user: snmp.User = {
      name: r.username ?? '',
      level:
        r.level === 'authpriv'
          ? snmp.SecurityLevel.authPriv
          : r.level === 'authnopriv'
            ? snmp.SecurityLevel.authNoPriv
            : snmp.SecurityLevel.noAuthNoPriv,
    };
    if (r.level !== 'noauthnopriv') {
      user.authProtocol = r.authProtocol === 'SHA' ? snmp.AuthProtocols.sha : snmp.AuthProtocols.md5;
      user.authKey = r.authKey ?? '';
    }
    if (r.level === 'authpriv') {
      user.privProtocol = r.privProtocol === 'DES' ? snmp.PrivProtocols.des : snmp.PrivProtocols.aes;
      user.privKey = r.privKey ?? '';
    }
    session = snmp.createV3Session(r.ip, user, { ...common, version: snmp.Version3 });
  } else {
    session = snmp.createSession(r.ip, r.community, {
      ...common,
      version: r.version === '1' ? snmp.Version1 : snmp.Version2c,
    });
  }
  // Socket errors (EHOSTUNREACH, DNS) arrive as 'error' events; without a listener they would crash.
  let socketError: Error | undefined;
  session.on('error', (err: Error) => {
    socketError = err;
  });
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    try {
      session.close();
    } catch {
      // already closed
    }
  };
  const onAbort = (): void => close();
  signal.addEventListener('abort', onAbort, { once: true });

  const peer = describePeer(r);
  const tries = r.retries + 1;
  const fail = (err: unknown, what: string): SnmpFailure => {
    if (signal.aborted) return new SnmpFailure('aborted', `${what} on ${peer} aborted`);
    return classify(err ?? socketError, what, peer, tries, r.timeoutMs, r.secrets);
  };
  const guard = (what: string): void => {
    if (signal.aborted) throw new SnmpFailure('aborted', `${what} on ${peer} aborted`);
  };

  return {
    get(oid) {
      guard(`GET ${oid}`);
      return new Promise((resolve, reject) => {
        session.get([oid], (err, vbs) => {
          if (err) return reject(fail(err, `GET ${oid}`));
          const vb = vbs?.[0];
          if (!vb) return reject(new SnmpFailure('agent-error', `GET ${oid} on ${peer}: empty answer`));
          if (snmp.isVarbindError(vb)) {
            return reject(new SnmpFailure('agent-error', `GET ${oid} on ${peer}: ${snmp.varbindError(vb)}`));
          }
          resolve(toValue(vb));
        });
      });
    },
    setInt(oid, value) {
      guard(`SET ${oid}`);
      return new Promise((resolve, reject) => {
        session.set([{ oid, type: snmp.ObjectType.Integer, value }], (err, vbs) => {
          if (err) return reject(fail(err, `SET ${oid} = ${value}`));
          const vb = vbs?.[0];
          if (vb && snmp.isVarbindError(vb)) {
            return reject(new SnmpFailure('agent-error', `SET ${oid} on ${peer}: ${snmp.varbindError(vb)}`));
          }
          resolve(vb ? toValue(vb) : { oid, value });
        });
      });
    },
    walk(oid) {
      guard(`WALK ${oid}`);
      return new Promise((resolve, reject) => {
        const out: SnmpValue[] = [];
        const feed = (vbs: snmp.Varbind[]): void => {
          for (const vb of vbs) if (!snmp.isVarbindError(vb)) out.push(toValue(vb));
        };
        const done = (err: Error | null): void => {
          if (err) reject(fail(err, `WALK ${oid}`));
          else resolve(out);
        };
        // v1 has no GETBULK; net-snmp's subtree falls back to GETNEXT for v1.
        session.subtree(oid, 20, feed, done);
      });
    },
    sleep(ms) {
      guard('wait');
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          signal.removeEventListener('abort', abort);
          resolve();
        }, ms);
        const abort = (): void => {
          clearTimeout(t);
          reject(new SnmpFailure('aborted', `wait on ${peer} aborted`));
        };
        signal.addEventListener('abort', abort, { once: true });
      });
    },
    close() {
      signal.removeEventListener('abort', onAbort);
      close();
    },
  };
}

function toValue(vb: snmp.Varbind): SnmpValue {
  const v: unknown = vb.value;
  let value: number | string | null;
  if (typeof v === 'number') value = v;
  else if (Buffer.isBuffer(v)) value = v.toString('utf8');
  else if (typeof v === 'string') value = v;
  else if (typeof v === 'bigint') value = Number(v);
  else value = v === null || v === undefined ? null : String(v);
  return { oid: vb.oid, value };
}

/** Maps a net-snmp error to a reason with a sentence that names the peer and never a secret. */
function classify(
  err: unknown,
  what: string,
  peer: string,
  tries: number,
  timeoutMs: number,
  secrets: string[],
): SnmpFailure {
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e.name;
  const msg = redact(e.message, secrets);
  if (name === 'RequestTimedOutError') {
    return new SnmpFailure(
      'timeout',
      `${what}: no answer from ${peer} after ${tries} tries of ${timeoutMs}ms ` +
        '(SNMP agents drop requests with a wrong community, user or key without answering)',
    );
  }
  if (name === 'ResponseInvalidError') {
    const code = (e as { code?: number }).code;
    if (
      code === snmp.ResponseInvalidCode.EAuthFailure ||
      code === snmp.ResponseInvalidCode.ECouldNotDecrypt
    ) {
      return new SnmpFailure('refused', `${what}: ${peer} refused the credentials: ${msg}`);
    }
    return new SnmpFailure('agent-error', `${what}: invalid answer from ${peer}: ${msg}`);
  }
  if (name === 'RequestFailedError') {
    const status = (e as { status?: number }).status;
    const refusing = [
      snmp.ErrorStatus.NoAccess,
      snmp.ErrorStatus.AuthorizationError,
      snmp.ErrorStatus.NotWritable,
      snmp.ErrorStatus.ReadOnly,
    ] as number[];
    if (status !== undefined && refusing.includes(status)) {
      return new SnmpFailure('refused', `${what}: ${peer} refused: ${msg}`);
    }
    return new SnmpFailure('agent-error', `${what}: ${peer} answered with an error: ${msg}`);
  }
  const code = (e as { code?: string }).code;
  if (
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ECONNREFUSED' ||
    code === 'EADDRNOTAVAIL'
  ) {
    return new SnmpFailure('unreachable', `${what}: cannot reach ${peer}: ${code}`);
  }
  if (/unsupported|digital envelope/i.test(msg)) {
    return new SnmpFailure(
      'agent-error',
      `${what}: this Node.js/OpenSSL cannot run the requested cipher (DES needs --openssl-legacy-provider): ${msg}`,
    );
  }
  return new SnmpFailure('agent-error', `${what} on ${peer} failed: ${msg}`);
}
