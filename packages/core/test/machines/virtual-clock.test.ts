import { describe, expect, it } from 'vitest';
import { RunawayTimersError, VirtualClock } from '../../src/testing/index.js';

describe('VirtualClock', () => {
  it('fires timers in (due, seq) order and keeps same-millisecond scheduling order', async () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.setTimeout(() => seen.push('b@10'), 10);
    c.setTimeout(() => seen.push('a@5'), 5);
    c.setTimeout(() => seen.push('c@10'), 10);
    const h = c.setTimeout(() => seen.push('cancelled'), 7);
    c.clearTimeout(h);
    await c.advance(10);
    expect(seen).toEqual(['a@5', 'b@10', 'c@10']);
    expect(c.now()).toBe(10);
  });

  it('lands promise results at the virtual time their timer fired', async () => {
    const c = new VirtualClock();
    const times: number[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => c.setTimeout(r, ms));
    void (async () => {
      await sleep(100);
      times.push(c.now());
      await sleep(50);
      times.push(c.now());
    })();
    await c.advanceTo(1000);
    expect(times).toEqual([100, 150]);
  });

  it('fails on a runaway timer loop', async () => {
    const c = new VirtualClock();
    const loop = (): void => {
      c.setTimeout(loop, 0);
    };
    loop();
    await expect(c.runUntilIdle({ maxSteps: 100 })).rejects.toBeInstanceOf(RunawayTimersError);
  });
});
