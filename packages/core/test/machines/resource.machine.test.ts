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

describe('resource monitor loop', () => {
  it('aborts a monitor under way when the resource is stopped, and monitors again only after a new start', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const aborted: number[] = [];
    const run = (input: ResourceActionInput, signal?: AbortSignal): Promise<ResourceOutcome> =>
      new Promise((resolve) => {
        calls.push(`${clock.now()}:${input.action}`);
        const h = clock.setTimeout(() => resolve({ ok: true, running: input.action !== 'stop' }), 3000);
        signal?.addEventListener('abort', () => {
          aborted.push(clock.now());
          clock.clearTimeout(h);
          resolve({ ok: false, reason: 'aborted', detail: 'aborted' });
        });
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
        initial: 'started',
        monitorIntervalMs: 5000,
        timeoutMs: 60_000,
      },
    });
    const changes: string[] = [];
    actor.on('resource.changed', (e) => changes.push(`${clock.now()}:${e.action}:${e.ok}`));
    actor.start();
    await clock.advanceTo(6000);
    expect(calls).toEqual(['5000:monitor']);
    actor.send({ type: 'resource.stop' });
    expect(aborted).toEqual([6000]);
    await clock.advanceTo(30_000);
    expect(calls).toEqual(['5000:monitor', '6000:stop']);
    expect(actor.getSnapshot().value).toBe('stopped');
    actor.send({ type: 'resource.start' });
    await clock.advanceTo(45_000);
    expect(calls).toEqual(['5000:monitor', '6000:stop', '30000:start', '38000:monitor']);
    expect(changes).toEqual(['9000:stop:true', '33000:start:true']);
  });

  it('never monitors with an interval of 0', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const run = async (input: ResourceActionInput): Promise<ResourceOutcome> => {
      calls.push(input.action);
      return { ok: true, running: true };
    };
    const machine = resourceMachine.provide({
      actors: {
        runResourceAction: fromPromise<ResourceOutcome, ResourceActionInput>(({ input }) => run(input)),
        monitorLoop: createMonitorLoop(clock, run),
      },
    });
    const actor = createActor(machine, {
      clock,
      input: { resource: 'vm1', node: 'node1', initial: 'started', monitorIntervalMs: 0, timeoutMs: 60_000 },
    });
    actor.start();
    await clock.advanceTo(100_000);
    expect(calls).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});
