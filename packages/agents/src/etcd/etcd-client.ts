import type { Ctx } from '@quorate/core';
import { Etcd3, type IOptions, isRecoverableError } from 'etcd3';

/** Why an etcd call failed. */
export type EtcdFailureReason = 'unreachable' | 'timeout' | 'aborted' | 'etcd-error';

/** A failed etcd call, as a value. `detail` never holds credentials. */
export interface EtcdFailure {
  ok: false;
  reason: EtcdFailureReason;
  detail: string;
}

/** Connection settings shared by the etcd transport and config store. */
export interface EtcdConnection {
  hosts: string[];
  dialTimeoutMs: number;
  callTimeoutMs: number;
  /** Pause between watch reconnection attempts, ms. */
  reconnectMs: number;
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;

/**
 * Builds an `etcd3` client tuned for failure detection rather than throughput:
 * - every unary call gets a deadline of `callTimeoutMs` (without one a call can hang ~7 s on a
 *   dead member, see ETCD.md);
 * - no per-host circuit breaker (the library default keeps a host closed for 5 s after three
 *   failures, which would delay noticing that etcd is back); instead a call that fails with a
 *   recoverable error is retried once per other host;
 * - watches reconnect every `reconnectMs` instead of backing off exponentially.
 */
export function createEtcdClient(c: EtcdConnection): Etcd3 {
  const passThrough = {
    execute: async <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> =>
      fn({ signal: new AbortController().signal }),
  } as unknown as ReturnType<NonNullable<FaultHandling['host']>>;
  const tries = Math.max(1, c.hosts.length);
  const retryOtherHosts = {
    execute: async <T>(fn: (ctx: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> => {
      let last: unknown;
      for (let i = 0; i < tries; i++) {
        try {
          return await fn({ signal: new AbortController().signal });
        } catch (err) {
          last = err;
          if (!(err instanceof Error) || !isRecoverableError(err)) throw err;
        }
      }
      throw last;
    },
  } as unknown as NonNullable<FaultHandling['global']>;
  const constantBackoff = {
    duration: c.reconnectMs,
    next() {
      return constantBackoff;
    },
  } as unknown as NonNullable<FaultHandling['watchBackoff']>;
  return new Etcd3({
    hosts: c.hosts,
    dialTimeout: c.dialTimeoutMs,
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + c.callTimeoutMs }),
    faultHandling: { host: () => passThrough, global: retryOtherHosts, watchBackoff: constantBackoff },
  });
}

/** Maps an `etcd3` / gRPC error to a reason. */
export function classifyEtcdError(err: unknown): Omit<EtcdFailure, 'ok'> {
  const name = err instanceof Error ? err.constructor.name : '';
  const message = err instanceof Error ? err.message : String(err);
  const short = message.split('\n')[0]!.slice(0, 200);
  if (name === 'GRPCDeadlineExceededError' || /DEADLINE_EXCEEDED/.test(message)) {
    return { reason: 'timeout', detail: `etcd did not answer in time: ${short}` };
  }
  if (
    name === 'GRPCUnavailableError' ||
    name === 'BrokenCircuitError' ||
    /UNAVAILABLE|ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|no hosts/i.test(message)
  ) {
    return { reason: 'unreachable', detail: `etcd unreachable: ${short}` };
  }
  return { reason: 'etcd-error', detail: `etcd error: ${name ? `${name}: ` : ''}${short}` };
}

/**
 * Runs one etcd operation with an outcome: resolves `{ ok: true, value }`, or a failure value on
 * error, on `ctx.signal` abort, or when `hardTimeoutMs` passes (a guard above the gRPC deadline,
 * so nothing ever hangs). Never rejects.
 */
export async function etcdCall<T>(
  ctx: Ctx,
  hardTimeoutMs: number,
  what: string,
  fn: () => Promise<T>,
): Promise<{ ok: true; value: T } | EtcdFailure> {
  if (ctx.signal.aborted) return { ok: false, reason: 'aborted', detail: `${what}: aborted` };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guard = new Promise<EtcdFailure>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          ok: false,
          reason: 'timeout',
          detail: `${what}: no answer from etcd within ${hardTimeoutMs} ms`,
        }),
      hardTimeoutMs,
    );
    onAbort = () => resolve({ ok: false, reason: 'aborted', detail: `${what}: aborted` });
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  const work = fn().then(
    (value) => ({ ok: true as const, value }),
    (err: unknown): EtcdFailure => {
      const c = classifyEtcdError(err);
      return { ok: false, reason: c.reason, detail: `${what}: ${c.detail}` };
    },
  );
  try {
    return await Promise.race([work, guard]);
  } finally {
    clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** Removes trailing slashes; the empty prefix stays empty. */
export function normalisePrefix(p: string): string {
  return p.replace(/\/+$/, '');
}
