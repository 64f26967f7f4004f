import { QuorateError } from '../errors.js';
import type { Clock, TimerHandle } from '../ports.js';

interface Timer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/** Thrown by {@link VirtualClock.runUntilIdle} when timers keep rescheduling past `maxSteps`. */
export class RunawayTimersError extends QuorateError {
  constructor(steps: number, atMs: number) {
    super('RUNAWAY_TIMERS', `timers still pending after ${steps} steps at ${atMs} ms (runaway loop?)`);
    this.name = 'RunawayTimersError';
  }
}

/** Lets pending promise reactions run (every queued microtask, then one macrotask turn). */
async function settle(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A virtual clock for tests and the simulator: a {@link Clock} whose time moves only when told.
 * Timers fire in `(due, seq)` order, so timers due in the same millisecond fire in the order they
 * were scheduled. Between two timers every settled promise reaction runs, so a `fromPromise` result
 * lands at the virtual time its adapter resolved it. Not thread-safe; one owner drives it.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private heap: Timer[] = [];
  private live = new Set<number>();

  /** @param startMs the initial reading of {@link now}. */
  constructor(startMs = 0) {
    this.current = startMs;
  }

  /** Virtual milliseconds. */
  now(): number {
    return this.current;
  }

  /** Schedules `fn` at `now() + max(0, ms)`; same-millisecond timers keep their scheduling order. */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    const due = this.current + Math.max(0, Number.isFinite(ms) ? Math.floor(ms) : 0);
    this.push({ id, due, seq: id, fn });
    this.live.add(id);
    return id;
  }

  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (typeof handle === 'number') this.live.delete(handle);
  }

  /** Number of timers still scheduled. */
  pending(): number {
    return this.live.size;
  }

  /** Due time of the next live timer, or undefined. */
  nextDue(): number | undefined {
    this.dropDead();
    return this.heap[0]?.due;
  }

  /** Fires every timer due up to `now() + ms`, settling promises between them; ends at that time. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /**
   * Fires every timer due up to `t` in order (settling promises after each), then sets the time
   * to `t`. `onStep` runs after each fired timer has settled (used for invariant checks).
   */
  async advanceTo(t: number, opts: { maxSteps?: number; onStep?: () => void } = {}): Promise<void> {
    const maxSteps = opts.maxSteps ?? 10_000_000;
    let steps = 0;
    await settle();
    for (;;) {
      this.dropDead();
      const next = this.heap[0];
      if (next === undefined || next.due > t) break;
      this.popTop();
      this.live.delete(next.id);
      this.current = next.due;
      next.fn();
      await settle();
      opts.onStep?.();
      if (++steps > maxSteps) throw new RunawayTimersError(steps, this.current);
    }
    if (t > this.current) this.current = t;
  }

  /** Fires timers until none is left; fails with {@link RunawayTimersError} after `maxSteps`. */
  async runUntilIdle(opts: { maxSteps?: number } = {}): Promise<void> {
    const maxSteps = opts.maxSteps ?? 100_000;
    let steps = 0;
    await settle();
    for (;;) {
      this.dropDead();
      const next = this.heap[0];
      if (next === undefined) return;
      this.popTop();
      this.live.delete(next.id);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await settle();
      if (++steps > maxSteps) throw new RunawayTimersError(steps, this.current);
    }
  }

  private dropDead(): void {
    while (this.heap.length > 0 && !this.live.has((this.heap[0] as Timer).id)) this.popTop();
  }

  private less(a: Timer, b: Timer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i] as Timer, h[p] as Timer)) break;
      [h[i], h[p]] = [h[p] as Timer, h[i] as Timer];
      i = p;
    }
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Timer, h[m] as Timer)) m = l;
      if (r < h.length && this.less(h[r] as Timer, h[m] as Timer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
      i = m;
    }
  }
}
