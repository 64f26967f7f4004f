import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type CoordinatorImplementation, provideCoordinator } from '../../src/machines/coordinator/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A node stand-in: the view the guards read, and a log of what the actions did, with times. */
function coordinator(overrides: Partial<{ leads: boolean; acting: boolean; missing: number }> = {}) {
  const clock = new VirtualClock();
  const view = { leads: true, acting: true, missing: 0, expiryAtMs: null as number | null, ...overrides };
  const log: string[] = [];
  const impl: CoordinatorImplementation = {
    leads: () => view.leads,
    acting: () => view.acting,
    reportsMissing: () => view.missing > 0,
    nextExpiryInMs: () => (view.expiryAtMs === null ? null : view.expiryAtMs - clock.now()),
    askIntervalMs: () => 750,
    decide: () => log.push(`${clock.now()}:decide`),
    fenceOnRequestOnly: () => log.push(`${clock.now()}:fenceOnRequestOnly`),
    askForReports: () => log.push(`${clock.now()}:ask(${view.missing})`),
  };
  const actor = createActor(provideCoordinator(impl), { clock });
  actor.start();
  const changed = (): void => actor.send({ type: 'coordinator.changed', leading: view.leads });
  return { clock, view, log, actor, changed };
}

describe('coordinator machine', () => {
  it('decides once per instant however many changes arrive in it', async () => {
    const { clock, log, actor, changed } = coordinator();
    changed();
    changed();
    changed();
    expect(actor.getSnapshot().value).toMatchObject({ role: 'leading', run: 'queued' });
    await clock.advanceTo(0);
    expect(log).toEqual(['0:decide']);
    await clock.advanceTo(100);
    changed();
    await clock.advanceTo(200);
    expect(log).toEqual(['0:decide', '100:decide']);
    expect(actor.getSnapshot().context.decisions).toBe(2);
  });

  it('decides nothing as a follower, and checks the role again when the run comes', async () => {
    const { clock, view, log, actor, changed } = coordinator({ leads: false });
    changed();
    await clock.advanceTo(10);
    expect(log).toEqual([]);
    expect(actor.getSnapshot().value).toMatchObject({ role: 'follower', run: 'idle' });
    view.leads = true;
    changed();
    view.leads = false; // deposed within the same instant, before the run
    await clock.advanceTo(20);
    expect(log).toEqual([]);
  });

  it('without quorum runs only the fences an operator asked for', async () => {
    const { clock, log, changed } = coordinator({ acting: false });
    changed();
    await clock.advanceTo(0);
    expect(log).toEqual(['0:fenceOnRequestOnly']);
  });

  it('waits for missing reports, asks again an interval later, then decides once they are in', async () => {
    const { clock, view, log, actor, changed } = coordinator({ missing: 2 });
    changed();
    await clock.advanceTo(0);
    expect(actor.getSnapshot().value).toMatchObject({ reports: 'waiting' });
    await clock.advanceTo(500);
    changed(); // a further miss while waiting does not restart the wait
    await clock.advanceTo(749);
    expect(log).toEqual([]);
    await clock.advanceTo(750);
    expect(log).toEqual(['750:ask(2)']);
    await clock.advanceTo(760);
    view.missing = 0;
    changed();
    await clock.advanceTo(800);
    expect(log).toEqual(['750:ask(2)', '760:decide']);
    expect(actor.getSnapshot().context).toEqual({ decisions: 1, waits: 3 });
  });

  it('does not ask when the reports came in meanwhile', async () => {
    const { clock, view, log, changed } = coordinator({ missing: 1 });
    changed();
    await clock.advanceTo(0);
    view.missing = 0;
    await clock.advanceTo(2000);
    expect(log).toEqual([]);
  });

  it('runs again when a fail count expires, re-armed by every decision', async () => {
    const { clock, view, log, actor, changed } = coordinator();
    view.expiryAtMs = 5000;
    changed();
    await clock.advanceTo(0);
    expect(actor.getSnapshot().value).toMatchObject({ expiry: 'armed' });
    view.expiryAtMs = 7000; // a later decision moves the expiry
    await clock.advanceTo(1000);
    changed();
    await clock.advanceTo(6000);
    expect(log).toEqual(['0:decide', '1000:decide']);
    view.expiryAtMs = null;
    await clock.advanceTo(7000);
    expect(log).toEqual(['0:decide', '1000:decide', '7000:decide']);
    expect(actor.getSnapshot().value).toMatchObject({ expiry: 'off' });
  });

  it('stopping cancels every wait', async () => {
    const { clock, log, actor, changed } = coordinator({ missing: 1 });
    changed();
    await clock.advanceTo(0);
    actor.stop();
    await clock.advanceTo(10_000);
    expect(log).toEqual([]);
    expect(clock.pending()).toBe(0);
  });
});

describe('coordinator machine regions', () => {
  it('keeps its role and a running wait for reports across a decision', async () => {
    const { clock, view, log, actor, changed } = coordinator({ missing: 1 });
    changed();
    await clock.advanceTo(0);
    view.missing = 0;
    view.expiryAtMs = 10_000;
    changed();
    await clock.advanceTo(1);
    expect(log).toEqual(['0:decide']);
    expect(actor.getSnapshot().value).toEqual({
      role: 'leading',
      run: 'idle',
      reports: 'waiting',
      expiry: 'armed',
    });
  });
});
