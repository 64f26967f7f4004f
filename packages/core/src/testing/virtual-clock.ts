import { QuorateError } from '../errors.js';
import type { Clock, TimerHandle } from '../ports.js';

/** One scheduled timer; it is its own handle. `fn` is null once it fired or was cleared. */
class Timer {
  constructor(
    readonly owner: VirtualClock,
    readonly due: number,
    readonly seq: number,
    public fn: (() => void) | null,
  ) {}
}

/** Thrown by {@link VirtualClock.runUntilIdle} when timers keep rescheduling past `maxSteps`. */
export class RunawayTimersError extends QuorateError {
  constructor(steps: number, atMs: number) {
    super('RUNAWAY_TIMERS', `timers still pending after ${steps} steps at ${atMs} ms (runaway loop?)`);
    this.name = 'RunawayTimersError';
  }
}

/** Timers fired between two event-loop turns (see `VirtualClock.drive`). */
const EVENT_LOOP_EVERY = 256;

/** `a` fires before `b`: earlier due time, then earlier scheduling. */
function before(a: Timer, b: Timer): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * A virtual clock for tests and the simulator: a {@link Clock} whose time moves only when told.
 * Timers fire in `(due, seq)` order, so timers due in the same millisecond fire in the order they
 * were scheduled. Between two timers every settled promise reaction runs (the microtask queue is
 * drained), so a `fromPromise` result lands at the virtual time its adapter resolved it. Handles
 * are opaque objects; a cleared timer stays in the queue, dead, until it reaches the front. Not
 * thread-safe; one owner drives it.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  /** Binary min-heap on (due, seq); may hold dead timers. */
  private heap: Timer[] = [];
  private live = 0;
  /** Cleared timers still in the heap. */
  private dead = 0;

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
    const due = this.current + Math.max(0, Number.isFinite(ms) ? Math.floor(ms) : 0);
    const t = new Timer(this, due, ++this.seq, fn);
    this.push(t);
    this.live++;
    return t;
  }

  /** Cancels a timer; unknown, foreign or fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof Timer && handle.owner === this && handle.fn !== null) {
      handle.fn = null;
      this.live--;
      // Most cleared timers are deadlines of calls that answered long before: drop them in one
      // pass once they are the majority, rather than each on its own way to the front.
      if (++this.dead > 1024 && this.dead * 2 > this.heap.length) this.compact();
    }
  }

  /** Number of timers still scheduled. */
  pending(): number {
    return this.live;
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
  advanceTo(t: number, opts: { maxSteps?: number; onStep?: () => void } = {}): Promise<void> {
    const maxSteps = opts.maxSteps ?? 10_000_000;
    return this.drive(t, maxSteps, opts.onStep);
  }

  /** Fires timers until none is left; fails with {@link RunawayTimersError} after `maxSteps`. */
  runUntilIdle(opts: { maxSteps?: number } = {}): Promise<void> {
    return this.drive(Number.POSITIVE_INFINITY, opts.maxSteps ?? 100_000, undefined);
  }

  /**
   * The firing loop. After each timer every promise reaction it caused runs before the next timer
   * fires: the next step is a `process.nextTick` queued from a microtask, and Node runs such a tick
   * only once the whole microtask queue is drained (the queue is drained to the end, including
   * reactions queued meanwhile). That is the same guarantee as a macrotask turn per timer without
   * a trip around the event loop; every {@link EVENT_LOOP_EVERY} steps the loop still takes a
   * `setImmediate` turn so real I/O and timers are not starved. `until` infinite: run until idle.
   */
  private drive(until: number, maxSteps: number, onStep: (() => void) | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let steps = 0;
      let burst = 0;
      const tickAfterStep = (): void => {
        process.nextTick(afterStep);
      };
      const fireNext = (): void => {
        try {
          this.dropDead();
          const next = this.heap[0];
          if (next === undefined || next.due > until) {
            if (until !== Number.POSITIVE_INFINITY && until > this.current) this.current = until;
            resolve();
            return;
          }
          this.popTop();
          const fn = next.fn as () => void;
          next.fn = null;
          this.live--;
          if (next.due > this.current) this.current = next.due;
          fn();
        } catch (e) {
          reject(e);
          return;
        }
        if (++burst < EVENT_LOOP_EVERY) queueMicrotask(tickAfterStep);
        else {
          burst = 0;
          setImmediate(afterStep);
        }
      };
      const afterStep = (): void => {
        try {
          onStep?.();
          if (++steps > maxSteps) throw new RunawayTimersError(steps, this.current);
        } catch (e) {
          reject(e);
          return;
        }
        fireNext();
      };
      setImmediate(fireNext);
    });
  }

  private dropDead(): void {
    const h = this.heap;
    while (h.length > 0 && (h[0] as Timer).fn === null) {
      this.popTop();
      this.dead--;
    }
  }

  /** Removes every cleared timer and restores the heap order (the firing order is unchanged). */
  private compact(): void {
    const h = this.heap.filter((t) => t.fn !== null);
    this.heap = h;
    this.dead = 0;
    for (let i = (h.length >> 1) - 1; i >= 0; i--) this.siftDown(i, h[i] as Timer);
  }

  private push(t: Timer): void {
    const h = this.heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p] as Timer;
      if (!before(t, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = t;
  }

  private popTop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    this.siftDown(0, last);
  }

  /** Puts `t` at index `start` (a hole) or below it, moving earlier children up. */
  private siftDown(start: number, t: Timer): void {
    const h = this.heap;
    const n = h.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(h[r] as Timer, h[l] as Timer)) c = r;
      const child = h[c] as Timer;
      if (!before(child, t)) break;
      h[i] = child;
      i = c;
    }
    h[i] = t;
  }
}
