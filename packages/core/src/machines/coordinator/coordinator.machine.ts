import { and, assign, not, raise, setup } from 'xstate';
import type { CoordinatorContext, CoordinatorEvent, CoordinatorImplementation } from './coordinator.types.js';

const notProvided = (what: string) => (): never => {
  throw new Error(`coordinator: '${what}' not provided`);
};

/**
 * The coordinator (Pacemaker's DC, `pve-ha-manager`'s CRM master) of one node, as four parallel
 * regions:
 *
 * - `role`: `follower` or `leading`, following each `coordinator.changed` (the node tells it
 *   whether it is the lowest-id member of its partition now).
 * - `run`: `idle` → `queued` on any change; `queued` waits 0 ms so that every change of one
 *   instant is decided in one run (as the DC batches its inputs into one transition); `deciding`
 *   then checks, at that instant, that the node still leads, that its partition may act (without
 *   quorum only operator-requested fences run) and that every member's report is in (the
 *   coordinator never decides on a partial view), and decides.
 * - `reports`: once a run found a report missing, `waiting` asks the missing members again after
 *   `askInterval` (a quarter token timeout) and asks for a run; further misses meanwhile do not
 *   restart that wait.
 * - `expiry`: after each decision, `armed` until the next decision due on its own (a fail count
 *   expires, a resource's `failureTimeout`; a membership dispute reaches its deadline), then asks
 *   for a run; every decision re-arms it.
 *
 * The decisions themselves (snapshot, scheduler, fencing, commands) are the node's `decide`
 * action over the pure functions of `coordinator.logic`; this machine owns when they run. Provide
 * every guard, action and delay of {@link CoordinatorImplementation} with
 * {@link provideCoordinator}.
 */
export const coordinatorMachine = setup({
  types: {
    context: {} as CoordinatorContext,
    events: {} as CoordinatorEvent,
  },
  guards: {
    leadingNow: ({ event }) => event.type === 'coordinator.changed' && event.leading,
    leads: notProvided('leads'),
    acting: notProvided('acting'),
    reportsMissing: notProvided('reportsMissing'),
    expiryDue: notProvided('expiryDue'),
  },
  delays: {
    askInterval: notProvided('askInterval'),
    expiry: notProvided('expiry'),
  },
  actions: {
    decide: notProvided('decide'),
    fenceOnRequestOnly: notProvided('fenceOnRequestOnly'),
    askForReports: notProvided('askForReports'),
    countDecision: assign({ decisions: ({ context }) => context.decisions + 1 }),
    countWait: assign({ waits: ({ context }) => context.waits + 1 }),
  },
}).createMachine({
  id: 'coordinator',
  type: 'parallel',
  context: { decisions: 0, waits: 0 },
  states: {
    role: {
      initial: 'follower',
      states: {
        follower: { on: { 'coordinator.changed': { guard: 'leadingNow', target: 'leading' } } },
        leading: { on: { 'coordinator.changed': { guard: not('leadingNow'), target: 'follower' } } },
      },
    },
    run: {
      initial: 'idle',
      states: {
        idle: { on: { 'coordinator.changed': 'queued', 'coordinator.due': 'queued' } },
        queued: { after: { 0: 'deciding' } },
        deciding: {
          always: [
            { guard: not('leads'), target: 'idle' },
            { guard: not('acting'), target: 'idle', actions: 'fenceOnRequestOnly' },
            {
              guard: 'reportsMissing',
              target: 'idle',
              actions: ['countWait', raise({ type: 'coordinator.reportsMissing' })],
            },
            { target: 'idle', actions: ['decide', 'countDecision', raise({ type: 'coordinator.decided' })] },
          ],
        },
      },
    },
    reports: {
      initial: 'complete',
      states: {
        complete: { on: { 'coordinator.reportsMissing': 'waiting' } },
        waiting: {
          after: {
            askInterval: [
              {
                guard: and(['leads', 'reportsMissing']),
                target: 'complete',
                actions: ['askForReports', raise({ type: 'coordinator.due' })],
              },
              { target: 'complete' },
            ],
          },
        },
      },
    },
    expiry: {
      initial: 'off',
      states: {
        off: { on: { 'coordinator.decided': { guard: 'expiryDue', target: 'armed' } } },
        armed: {
          after: { expiry: { target: 'off', actions: raise({ type: 'coordinator.due' }) } },
          on: {
            'coordinator.decided': [
              { guard: 'expiryDue', target: 'armed', reenter: true },
              { target: 'off' },
            ],
          },
        },
      },
    },
  },
});

/**
 * The coordinator machine with the node's view and effects plugged in (see
 * {@link CoordinatorImplementation}). The guards and delays read `impl` at the instant the
 * machine evaluates them.
 */
export function provideCoordinator(impl: CoordinatorImplementation) {
  return coordinatorMachine.provide({
    guards: {
      leads: () => impl.leads(),
      acting: () => impl.acting(),
      reportsMissing: () => impl.reportsMissing(),
      expiryDue: () => impl.nextExpiryInMs() !== null,
    },
    delays: {
      askInterval: () => impl.askIntervalMs(),
      expiry: () => impl.nextExpiryInMs() ?? 0,
    },
    actions: {
      decide: () => impl.decide(),
      fenceOnRequestOnly: () => impl.fenceOnRequestOnly(),
      askForReports: () => impl.askForReports(),
    },
  });
}
