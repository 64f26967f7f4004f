import type { Clock, Ctx, TimerHandle } from '../ports.js';

/** How {@link callAdapter} turns the ways a call can go wrong into the port's outcome values. */
export interface AdapterFailures<O> {
  /** The deadline ran out (the call's signal was aborted). */
  timeout: (ms: number) => O;
  /** The caller gave up (its own signal aborted). */
  aborted: () => O;
  /** The adapter rejected or threw: a bug in the adapter, reported as `agent-error`. */
  error: (message: string) => O;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Calls under way per scope signal (see {@link createAdapterScope}). */
const scopes = new WeakMap<AbortSignal, Set<AdapterCall<unknown>>>();

/**
 * An `AbortController` for callers that make many {@link callAdapter} calls under one signal
 * (a monitor loop): calls under its signal are tracked in a set instead of each adding and
 * removing an `abort` listener. Aborting it gives up every call under way, in the order they
 * began, exactly as separate listeners would. Its signal is meant for `callAdapter` only (a
 * listener added by other code runs after the calls are given up).
 */
export function createAdapterScope(): AbortController {
  const ac = new AbortController();
  const calls = new Set<AdapterCall<unknown>>();
  scopes.set(ac.signal, calls);
  ac.signal.addEventListener(
    'abort',
    () => {
      for (const c of [...calls]) c.handleEvent();
    },
    { once: true },
  );
  return ac;
}

/**
 * One adapter call under way. It is also the call's {@link Ctx}: the adapter's `AbortController`
 * is made only when the adapter first reads `signal` (most calls finish without looking at it);
 * read after the call was given up, the signal is already aborted. It listens to the caller's
 * signal as an `EventListener` object (no closure per call).
 */
class AdapterCall<O> implements Ctx {
  private ac: AbortController | undefined = undefined;
  private done = false;
  private gaveUp = false;
  private readonly timer: TimerHandle;
  /** The calls set of the caller's scope signal, when it is one. */
  private scope: Set<AdapterCall<unknown>> | undefined = undefined;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly parent: AbortSignal | undefined,
    private readonly failures: AdapterFailures<O>,
    private readonly resolve: (o: O) => void,
  ) {
    this.timer = clock.setTimeout(() => this.onTimeout(), timeoutMs);
  }

  get signal(): AbortSignal {
    if (this.ac === undefined) {
      this.ac = new AbortController();
      if (this.gaveUp) this.ac.abort();
    }
    return this.ac.signal;
  }

  /** The caller's signal aborted. */
  handleEvent(): void {
    this.giveUp();
    this.finish(this.failures.aborted());
  }

  run(fn: (ctx: Ctx) => Promise<O>): void {
    const parent = this.parent;
    if (parent !== undefined) {
      if (parent.aborted) {
        this.handleEvent();
        return;
      }
      this.scope = scopes.get(parent);
      if (this.scope !== undefined) this.scope.add(this as AdapterCall<unknown>);
      else parent.addEventListener('abort', this, { once: true });
    }
    let p: Promise<O>;
    try {
      p = fn(this);
    } catch (e) {
      this.finish(this.failures.error(messageOf(e)));
      return;
    }
    p.then(
      (o) => this.finish(o),
      (e: unknown) => this.finish(this.failures.error(messageOf(e))),
    );
  }

  private onTimeout(): void {
    this.giveUp();
    this.finish(this.failures.timeout(this.timeoutMs));
  }

  private giveUp(): void {
    this.gaveUp = true;
    this.ac?.abort();
  }

  private finish(o: O): void {
    if (this.done) return;
    this.done = true;
    this.clock.clearTimeout(this.timer);
    if (this.scope !== undefined) this.scope.delete(this as AdapterCall<unknown>);
    else this.parent?.removeEventListener('abort', this);
    this.resolve(o);
  }
}

/**
 * The one wrapper through which core calls every adapter: it gives the adapter a fresh
 * `AbortSignal`, aborts it when `timeoutMs` runs out on the injected `clock` or when `signal`
 * aborts, and turns a rejection, a throw or a hang into an outcome value. It never rejects.
 * The error message of a rejection is kept short and never includes the adapter's options.
 * The adapter's signal is made when the adapter first reads `ctx.signal`; read after the call
 * was given up (deadline or caller), it is already aborted.
 */
export function callAdapter<O>(
  clock: Clock,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  fn: (ctx: Ctx) => Promise<O>,
  failures: AdapterFailures<O>,
): Promise<O> {
  return new Promise<O>((resolve) => {
    new AdapterCall(clock, timeoutMs, signal, failures, resolve).run(fn);
  });
}
