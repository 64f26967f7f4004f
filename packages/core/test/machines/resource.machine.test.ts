import { describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import {
  createMonitorLoop,
  type ResourceActionInput,
  resourceMachine,
} from '../../src/machines/resource/index.js';
import type { ResourceOutcome } from '../../src/ports.js';
import { VirtualClock } from '../../src/testing/index.js';

function instance(outcomes: Partial<Record<'start' | 'stop' | 'monitor', ResourceOutcome>>) {
  const clock = new VirtualClock();
  const calls: string[] = [];
  const run = (input: ResourceActionInput): Promise<ResourceOutcome> =>
    new Promise((resolve) => {
      calls.push(`${clock.now()}:${input.action}`);
      clock.setTimeout(
        () => resolve(outcomes[input.action] ?? { ok: true, running: input.action !== 'stop' }),
        1000,
      );
    });
  const machine = resourceMachine.provide({
    actors: {
      runResourceAction: fromPromise<ResourceOutcome, ResourceActionInput>(({ input }) => run(input)),
      monitorLoop: createMonitorLoop(clock, run),
    },
  });
  const actor = createActor(machine, {
    clock,
    input: {
      resource: 'vm1',
      node: 'node1',
      initial: 'stopped',
      monitorIntervalMs: 10_000,
      timeoutMs: 60_000,
    },
  });
  actor.start();
  return { clock, actor, calls };
}

describe('resource machine', () => {
  it('starts, then monitors every monitorInterval', async () => {
    const { clock, actor, calls } = instance({});
    actor.send({ type: 'resource.start' });
    await clock.advanceTo(25_000);
    expect(calls).toEqual(['0:start', '11000:monitor', '22000:monitor']);
    expect(actor.getSnapshot().matches('started')).toBe(true);
  });

  it('goes to failed when a monitor finds it not running', async () => {
    const { clock, actor } = instance({
      monitor: { ok: false, reason: 'not-running', detail: 'gone', exitCode: 7 },
    });
    actor.send({ type: 'resource.start' });
    await clock.advanceTo(15_000);
    expect(actor.getSnapshot().value).toBe('failed');
  });

  it('is blocked when its stop fails', async () => {
    const { clock, actor } = instance({
      stop: { ok: false, reason: 'failed', detail: 'stuck', exitCode: 1 },
    });
    actor.send({ type: 'resource.start' });
    await clock.advanceTo(2000);
    actor.send({ type: 'resource.stop' });
    await clock.advanceTo(5000);
    expect(actor.getSnapshot().value).toBe('blocked');
    actor.send({ type: 'resource.start' });
    expect(actor.getSnapshot().value).toBe('blocked');
  });
});
