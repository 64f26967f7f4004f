/**
 * One connected UDP socket to one BMC, with request/response exchanges: send a datagram, wait
 * for an answer the caller accepts, retransmit after `timeoutMs`, give up after `retries`, stop at
 * once on abort. Only one exchange is outstanding at a time (the IPMI client is sequential).
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { decodeRmcpPacket, type RmcpPacket } from './rmcp-codec.js';

/** Why an IPMI exchange or session failed; the same words as `FenceOutcome` reasons. */
export type IpmiFailureReason = 'timeout' | 'unreachable' | 'refused' | 'aborted' | 'agent-error';

/** Result of a client operation: a value, or a failure that never carries a secret. */
export type IpmiResult<T> = { ok: true; value: T } | { ok: false; reason: IpmiFailureReason; detail: string };

/** What an exchange does with one decoded datagram. */
export type Accept<T> =
  | { match: T }
  /** Not ours (stale retransmit answer, other session): keep waiting. */
  | { ignore: true }
  /** Ours but unusable (bad MAC, bad pad): keep waiting; reported if nothing valid comes. */
  | { garbage: string }
  /** A definite answer that ends the exchange with a failure (e.g. RAKP status). */
  | { fail: IpmiFailureReason; detail: string };

/** Timing of one exchange. */
export interface ExchangeTiming {
  timeoutMs: number;
  retries: number;
}

/** A connected UDP channel to one BMC. */
export interface UdpChannel {
  readonly peer: string;
  /** `build` is called for every (re)transmission so sequence numbers and IVs can be fresh. */
  exchange<T>(
    build: () => Buffer,
    accept: (p: RmcpPacket) => Accept<T>,
    signal: AbortSignal,
    timing: ExchangeTiming,
  ): Promise<IpmiResult<T>>;
  /** Sends without waiting for an answer. */
  send(datagram: Buffer): void;
  close(): void;
}

const aborted = { ok: false, reason: 'aborted', detail: 'the operation was aborted' } as const;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRNOTAVAIL',
]);

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : 'error';
}

async function resolveHost(
  host: string,
  signal: AbortSignal,
): Promise<IpmiResult<{ address: string; family: 4 | 6 }>> {
  const fam = isIP(host);
  if (fam === 4 || fam === 6) return { ok: true, value: { address: host, family: fam } };
  const onAbort = new Promise<'aborted'>((resolve) =>
    signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
  );
  try {
    const r = await Promise.race([lookup(host), onAbort]);
    if (r === 'aborted') return aborted;
    return { ok: true, value: { address: r.address, family: r.family === 6 ? 6 : 4 } };
  } catch (err) {
    return { ok: false, reason: 'unreachable', detail: `cannot resolve '${host}': ${errCode(err)}` };
  }
}

/** Opens a UDP socket connected to `host:port`. */
export async function openUdpChannel(
  host: string,
  port: number,
  signal: AbortSignal,
): Promise<IpmiResult<UdpChannel>> {
  if (signal.aborted) return aborted;
  const resolved = await resolveHost(host, signal);
  if (!resolved.ok) return resolved;
  const { address, family } = resolved.value;
  const peer = family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  const socket: Socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  let closed = false;
  let onMessage: ((b: Buffer) => void) | undefined;
  let onError: ((e: unknown) => void) | undefined;
  socket.on('message', (b) => onMessage?.(b));
  socket.on('error', (e) => onError?.(e));
  const connected = await new Promise<IpmiResult<true>>((resolve) => {
    onError = (e) =>
      resolve({ ok: false, reason: 'unreachable', detail: `cannot open UDP to ${peer}: ${errCode(e)}` });
    socket.connect(port, address, () => resolve({ ok: true, value: true }));
  });
  onError = undefined;
  if (!connected.ok) {
    socket.close();
    return connected;
  }
  socket.unref();

  const channel: UdpChannel = {
    peer,
    send(datagram) {
      if (!closed) socket.send(datagram, () => undefined);
    },
    close() {
      if (closed) return;
      closed = true;
      onMessage = undefined;
      onError = undefined;
      try {
        socket.close();
      } catch {
        // already closed after an error
      }
    },
    exchange<T>(
      build: () => Buffer,
      accept: (p: RmcpPacket) => Accept<T>,
      sig: AbortSignal,
      timing: ExchangeTiming,
    ): Promise<IpmiResult<T>> {
      type R = IpmiResult<T>;
      return new Promise<R>((resolve) => {
        if (sig.aborted) return resolve(aborted);
        if (closed) return resolve({ ok: false, reason: 'agent-error', detail: 'channel is closed' });
        let attempts = 0;
        let garbage: string | undefined;
        let timer: ReturnType<typeof setTimeout> | undefined;
        const finish = (r: R) => {
          if (timer) clearTimeout(timer);
          sig.removeEventListener('abort', abortHandler);
          onMessage = undefined;
          onError = undefined;
          resolve(r);
        };
        const abortHandler = () => finish(aborted);
        sig.addEventListener('abort', abortHandler, { once: true });
        onError = (e) => {
          const code = errCode(e);
          finish({
            ok: false,
            reason: UNREACHABLE_CODES.has(code) ? 'unreachable' : 'agent-error',
            detail: `${peer}: ${code}`,
          });
        };
        onMessage = (b) => {
          const d = decodeRmcpPacket(b);
          if (!d.ok) {
            garbage = `${d.error}: ${d.detail}`;
            return;
          }
          const a = accept(d.value);
          if ('match' in a) finish({ ok: true, value: a.match });
          else if ('fail' in a) finish({ ok: false, reason: a.fail, detail: a.detail });
          else if ('garbage' in a) garbage = a.garbage;
        };
        const transmit = () => {
          attempts++;
          socket.send(build(), (err) => {
            if (err) onError?.(err);
          });
          timer = setTimeout(onTimer, timing.timeoutMs);
        };
        const onTimer = () => {
          timer = undefined;
          if (attempts <= timing.retries) return transmit();
          if (garbage !== undefined) {
            finish({
              ok: false,
              reason: 'agent-error',
              detail: `${peer} answered with unusable data (${garbage})`,
            });
          } else {
            finish({
              ok: false,
              reason: 'timeout',
              detail: `no answer from ${peer} after ${attempts} tries of ${timing.timeoutMs}ms`,
            });
          }
        };
        transmit();
      });
    },
  };
  return { ok: true, value: channel };
}
