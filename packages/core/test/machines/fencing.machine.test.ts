import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import type { FenceActionInput, FencingEmitted, FencingInput } from '../../src/machines/fencing/index.js';
import { fencingMachine } from '../../src/machines/fencing/index.js';
import type { FenceOutcome } from '../../src/ports.js';
import { VirtualClock } from '../../src/testing/index.js';

type Script = Record<string, FenceOutcome['ok']>;

function run(input: Partial<FencingInput>, script: Script, actionMs = 1000) {
  const clock = new VirtualClock();
  const calls: Array<{ at: number; device: string; action: string }> = [];
  const emitted: FencingEmitted[] = [];
  const machine = fencingMachine.provide({
    actors: {
      runFenceAction: fromPromise<FenceOutcome, FenceActionInput>(
        ({ input: i }) =>
          new Promise((resolve) => {
            calls.push({ at: clock.now(), device: i.device, action: i.action });
            clock.setTimeout(
              () =>
                resolve(
                  script[i.device] === false ? { ok: false, reason: 'refused', detail: 'no' } : { ok: true },
                ),
              actionMs,
            );
          }),
      ),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      id: 'fence:t:1',
      target: 't',
      action: 'reboot',
      levels: [['a']],
      deviceDelays: {},
      startDelayMs: 0,
      stonithTimeoutMs: 60_000,
      maxAttempts: 2,
      retryIntervalMs: 900_000,
      ...input,
    },
  });
  actor.on('*', (e) => emitted.push(e as FencingEmitted));
  actor.start();
  return { clock, actor, calls, emitted };
}

describe('fencing machine', () => {
  it('escalates to level 2 when level 1 fails; a multi-device reboot is all offs then all ons', async () => {
    const { clock, calls, emitted } = run({ levels: [['ilo'], ['pdu-a', 'pdu-b']] }, { ilo: false });
    await clock.advanceTo(10_000);
    expect(calls.map((c) => `${c.at}:${c.device}:${c.action}`)).toEqual([
      '0:ilo:reboot',
      '1000:pdu-a:off',
      '2000:pdu-b:off',
      '3000:pdu-a:on',
      '4000:pdu-b:on',
    ]);
    const ok = emitted.find((e) => e.type === 'fence.succeeded');
    expect(ok).toMatchObject({ device: 'pdu-b', level: 2 });
  });

  it('waits the start delay and the device delay before acting', async () => {
    const { clock, calls } = run({ startDelayMs: 5000, deviceDelays: { a: 2000 } }, {});
    await clock.advanceTo(20_000);
    expect(calls[0]?.at).toBe(7000);
  });

  it('tries maxAttempts times, then waits retryInterval, and ends on a manual confirmation', async () => {
    const { clock, calls, actor, emitted } = run({ maxAttempts: 2, retryIntervalMs: 60_000 }, { a: false });
    await clock.advanceTo(30_000);
    expect(calls.map((c) => c.at)).toEqual([0, 1000]);
    await clock.advanceTo(62_000);
    expect(calls.map((c) => c.at)).toEqual([0, 1000, 62_000]);
    actor.send({ type: 'fence.confirm' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(emitted.some((e) => e.type === 'fence.confirmed')).toBe(true);
  });

  it('stops at once on cancel', async () => {
    const { clock, calls, actor } = run({ startDelayMs: 5000 }, {});
    actor.send({ type: 'fence.cancel' });
    await clock.advanceTo(20_000);
    expect(calls).toHaveLength(0);
    expect(actor.getSnapshot().value).toBe('cancelled');
  });
});

describe('fencing machine: configuration changes', () => {
  it('takes new settings at the start of the next attempt, never in the middle of one', async () => {
    const { clock, actor, calls } = run(
      { levels: [['ilo']], maxAttempts: 1, retryIntervalMs: 10_000 },
      { ilo: false },
    );
    await clock.advanceTo(500); // the first attempt is running on 'ilo'
    actor.send({
      type: 'fence.configure',
      settings: {
        action: 'reboot',
        levels: [['ilo'], ['pdu']],
        deviceDelays: {},
        stonithTimeoutMs: 60_000,
        maxAttempts: 1,
        retryIntervalMs: 10_000,
      },
    });
    await clock.advanceTo(20_000);
    // attempt 1: 'ilo' only (as configured when it began); after the retry interval: ilo, then pdu.
    expect(calls.map((c) => `${c.at}:${c.device}`)).toEqual(['0:ilo', '11000:ilo', '12000:pdu']);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('moves a start delay that still runs, counted from now; ignores it once the fence began', async () => {
    const { clock, actor, calls } = run({ startDelayMs: 60_000 }, {});
    await clock.advanceTo(5000);
    actor.send({ type: 'fence.reschedule', delayMs: 2000 });
    await clock.advanceTo(7500);
    actor.send({ type: 'fence.reschedule', delayMs: 50_000 });
    await clock.advanceTo(70_000);
    expect(calls.map((c) => `${c.at}:${c.device}`)).toEqual(['7000:a']);
  });
});

describe('fencing machine: no device can fence the target', () => {
  it('reports one failed attempt and waits for the retry interval instead of repeating at once', async () => {
    const { clock, emitted, actor } = run({ levels: [], maxAttempts: 10, retryIntervalMs: 60_000 }, {});
    await clock.advanceTo(1000);
    expect(emitted.filter((e) => e.type === 'fence.attemptFailed')).toHaveLength(1);
    expect(actor.getSnapshot().value).toBe('waitingRetry');
    await clock.advanceTo(60_500);
    expect(emitted.filter((e) => e.type === 'fence.attemptFailed')).toHaveLength(2);
  });
});
