import type { Clock, Ctx } from '../ports.js';

/** How {@link callAdapter} turns the ways a call can go wrong into the port's outcome values. */
export interface AdapterFailures<O> {
  /** The deadline ran out (the call's signal was aborted). */
  timeout: (ms: number) => O;
  /** The caller gave up (its own signal aborted). */
  aborted: () => O;
  /** The adapter rejected or threw: a bug in the adapter, reported as `agent-error`. */
  error: (message: string) => O;
}

/**
 * The one wrapper through which core calls every adapter: it gives the adapter a fresh
 * `AbortSignal`, aborts it when `timeoutMs` runs out on the injected `clock` or when `signal`
 * aborts, and turns a rejection, a throw or a hang into an outcome value. It never rejects.
 * The error message of a rejection is kept short and never includes the adapter's options.
 */
export function callAdapter<O>(
  clock: Clock,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  fn: (ctx: Ctx) => Promise<O>,
  failures: AdapterFailures<O>,
): Promise<O> {
  return new Promise<O>((resolve) => {
    const ac = new AbortController();
    let done = false;
    const finish = (o: O): void => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onParentAbort);
      resolve(o);
    };
    const onParentAbort = (): void => {
      ac.abort();
      finish(failures.aborted());
    };
    const timer = clock.setTimeout(() => {
      ac.abort();
      finish(failures.timeout(timeoutMs));
    }, timeoutMs);
    if (signal?.aborted) {
      onParentAbort();
      return;
    }
    signal?.addEventListener('abort', onParentAbort, { once: true });
    let p: Promise<O>;
    try {
      p = fn({ signal: ac.signal });
    } catch (e) {
      finish(failures.error(e instanceof Error ? e.message : String(e)));
      return;
    }
    p.then(finish, (e: unknown) => finish(failures.error(e instanceof Error ? e.message : String(e))));
  });
}
