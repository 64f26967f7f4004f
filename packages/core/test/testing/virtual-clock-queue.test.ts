import { describe, expect, it } from 'vitest';
import { callAdapter } from '../../src/node/call-adapter.js';
import { createSeededRandom, VirtualClock } from '../../src/testing/index.js';

describe('VirtualClock timer queue', () => {
  it('fires many timers in (due, scheduling) order, skipping cleared ones', async () => {
    const c = new VirtualClock();
    const rnd = createSeededRandom(42);
    const want: Array<{ due: number; i: number }> = [];
    const seen: number[] = [];
    const handles: unknown[] = [];
    for (let i = 0; i < 2000; i++) {
      const due = Math.floor(rnd.next() * 50);
      handles.push(c.setTimeout(() => seen.push(i), due));
      want.push({ due, i });
    }
    const cleared = new Set<number>();
    for (let i = 0; i < 2000; i += 7) {
      c.clearTimeout(handles[i]);
      cleared.add(i);
    }
    expect(c.pending()).toBe(2000 - cleared.size);
    await c.advanceTo(100);
    const order = want
      .filter((w) => !cleared.has(w.i))
      .sort((a, b) => a.due - b.due || a.i - b.i)
      .map((w) => w.i);
    expect(seen).toEqual(order);
    expect(c.pending()).toBe(0);
    expect(c.now()).toBe(100);
  });

  it('keeps the order when most timers are cleared (the queue drops them in one pass)', async () => {
    const c = new VirtualClock();
    const rnd = createSeededRandom(7);
    const seen: number[] = [];
    const kept: Array<{ due: number; i: number }> = [];
    for (let i = 0; i < 6000; i++) {
      const due = Math.floor(rnd.next() * 500);
      const h = c.setTimeout(() => seen.push(i), due);
      if (i % 5 === 0) kept.push({ due, i });
      else c.clearTimeout(h);
      if (i === 3000) await c.advanceTo(100);
    }
    await c.advanceTo(1000);
    const fired = kept.filter((k) => k.i <= 3000 && k.due <= 100).sort((a, b) => a.due - b.due || a.i - b.i);
    const rest = kept
      .filter((k) => !fired.includes(k))
      .sort((a, b) => a.due + (a.i > 3000 ? 100 : 0) - (b.due + (b.i > 3000 ? 100 : 0)) || a.i - b.i);
    expect(seen).toEqual([...fired, ...rest].map((k) => k.i));
    expect(c.pending()).toBe(0);
  });

  it('ignores a handle of another clock, a fired handle and a cleared one cleared again', async () => {
    const a = new VirtualClock();
    const b = new VirtualClock();
    const seen: string[] = [];
    const ha = a.setTimeout(() => seen.push('a'), 5);
    b.setTimeout(() => seen.push('b'), 5);
    b.clearTimeout(ha);
    b.clearTimeout(1);
    expect(a.pending()).toBe(1);
    await a.advanceTo(10);
    a.clearTimeout(ha);
    expect(a.pending()).toBe(0);
    await b.advanceTo(10);
    expect(seen).toEqual(['a', 'b']);
    const hc = a.setTimeout(() => seen.push('c'), 1);
    a.clearTimeout(hc);
    a.clearTimeout(hc);
    expect(a.pending()).toBe(0);
    expect(a.nextDue()).toBeUndefined();
  });

  it('settles every promise reaction of a timer before the next one fires, and calls onStep after each', async () => {
    const c = new VirtualClock();
    const log: string[] = [];
    c.setTimeout(() => {
      void (async () => {
        for (let i = 0; i < 20; i++) await Promise.resolve();
        log.push(`chain done at ${c.now()}`);
        c.setTimeout(() => log.push(`follow-up at ${c.now()}`), 0);
      })();
    }, 10);
    c.setTimeout(() => log.push(`second at ${c.now()}`), 10);
    let steps = 0;
    await c.advanceTo(20, { onStep: () => steps++ });
    expect(log).toEqual(['chain done at 10', 'second at 10', 'follow-up at 10']);
    expect(steps).toBe(3);
  });

  it('runUntilIdle leaves the time at the last timer', async () => {
    const c = new VirtualClock(5);
    c.setTimeout(() => c.setTimeout(() => {}, 30), 10);
    await c.runUntilIdle();
    expect(c.now()).toBe(45);
  });

  it('rejects advanceTo when a timer throws', async () => {
    const c = new VirtualClock();
    c.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    await expect(c.advanceTo(5)).rejects.toThrow('boom');
  });
});

describe('callAdapter signal', () => {
  const failures = {
    timeout: (ms: number) => `timeout ${ms}`,
    aborted: () => 'aborted',
    error: (m: string) => `error ${m}`,
  };

  it('gives an already aborted signal when it is first read after the deadline', async () => {
    const c = new VirtualClock();
    let late: (() => AbortSignal) | undefined;
    const p = callAdapter(
      c,
      100,
      undefined,
      (ctx) => {
        late = () => ctx.signal;
        return new Promise<string>(() => {});
      },
      failures,
    );
    await c.advanceTo(100);
    await expect(p).resolves.toBe('timeout 100');
    expect(late?.().aborted).toBe(true);
  });

  it('aborts a signal read early when the deadline runs out, and clears its timer when the call ends', async () => {
    const c = new VirtualClock();
    let s: AbortSignal | undefined;
    const p = callAdapter(
      c,
      100,
      undefined,
      (ctx) => {
        s = ctx.signal;
        return new Promise<string>(() => {});
      },
      failures,
    );
    expect(s?.aborted).toBe(false);
    await c.advanceTo(100);
    expect(s?.aborted).toBe(true);
    await expect(p).resolves.toBe('timeout 100');
    const q = callAdapter(c, 100, undefined, async () => 'ok', failures);
    await expect(q).resolves.toBe('ok');
    expect(c.pending()).toBe(0);
  });

  it('answers aborted without calling the adapter when the caller already gave up, and stops listening after the call', async () => {
    const c = new VirtualClock();
    const ac = new AbortController();
    ac.abort();
    let called = false;
    await expect(
      callAdapter(
        c,
        100,
        ac.signal,
        async () => {
          called = true;
          return 'ran';
        },
        failures,
      ),
    ).resolves.toBe('aborted');
    expect(called).toBe(false);
    const parent = new AbortController();
    await expect(callAdapter(c, 100, parent.signal, async () => 'ok', failures)).resolves.toBe('ok');
    parent.abort();
    expect(c.pending()).toBe(0);
  });

  it('turns a synchronous throw into an error outcome', async () => {
    const c = new VirtualClock();
    await expect(
      callAdapter(
        c,
        100,
        undefined,
        () => {
          throw new Error('sync boom');
        },
        failures,
      ),
    ).resolves.toBe('error sync boom');
  });
});
