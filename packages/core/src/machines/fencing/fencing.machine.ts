import { and, assign, emit, fromPromise, not, setup } from 'xstate';
import type { FenceOutcome } from '../../ports.js';
import { afterSuccess, currentAction, currentDevice, currentLevel, phaseFor } from './fencing.logic.js';
import type {
  FenceActionInput,
  FencingContext,
  FencingEmitted,
  FencingEvent,
  FencingInput,
} from './fencing.types.js';

type DoneEvent = { type: string; output: FenceOutcome };
const outcomeOf = (event: unknown): FenceOutcome => (event as DoneEvent).output;

/**
 * One fence request (Pacemaker's fencer operation): waits `startDelayMs`, then walks the target's
 * topology level by level; every device of a level must succeed (a `reboot` on a multi-device
 * level is all `off`s, then all `on`s, and counts as fenced once every `off` succeeded); each
 * device action is the `runFenceAction` actor (the node gives it the device's agent and the
 * `stonithTimeout` deadline). When every level failed, the whole topology is tried again up to
 * `maxAttempts`, then again after `retryIntervalMs`, until it succeeds, `fence.confirm` (manual
 * confirmation) arrives or `fence.cancel` stops it. Effects are emitted events only.
 */
export const fencingMachine = setup({
  types: {
    context: {} as FencingContext,
    events: {} as FencingEvent,
    input: {} as FencingInput,
    emitted: {} as FencingEmitted,
    output: {} as { fenced: boolean; device?: string; level?: number; confirmed?: boolean },
  },
  actors: {
    runFenceAction: fromPromise<FenceOutcome, FenceActionInput>(async () => {
      throw new Error("actor 'runFenceAction' not provided");
    }),
  },
  delays: {
    startDelay: ({ context }) => context.startDelayMs,
    deviceDelay: ({ context }) =>
      context.phase === 'on' ? 0 : (context.deviceDelays[currentDevice(context)] ?? 0),
    retryInterval: ({ context }) => context.retryIntervalMs,
  },
  guards: {
    succeededNextDevice: ({ context, event }) =>
      outcomeOf(event).ok && afterSuccess(context) === 'nextDevice',
    succeededOffsDone: ({ context, event }) =>
      outcomeOf(event).ok && context.phase === 'off' && afterSuccess(context) === 'levelFenced',
    succeededLevel: ({ context, event }) => outcomeOf(event).ok && afterSuccess(context) === 'levelFenced',
    inOnPhaseMore: ({ context }) => context.phase === 'on' && afterSuccess(context) === 'nextDevice',
    inOnPhase: ({ context }) => context.phase === 'on',
    hasNextLevel: ({ context }) => context.levelIdx + 1 < context.levels.length,
    attemptsLeft: ({ context }) => context.attempt < context.maxAttempts,
    noLevels: ({ context }) => context.levels.length === 0 || currentLevel(context).length === 0,
  },
  actions: {
    emitStarted: emit(({ context }) => ({
      type: 'fence.started' as const,
      target: context.target,
      attempt: context.attempt,
    })),
    emitDevice: emit(({ context, event }) => {
      const out = outcomeOf(event);
      return {
        type: 'fence.device' as const,
        target: context.target,
        device: currentDevice(context),
        level: context.levelIdx + 1,
        action: currentAction(context),
        ok: out.ok,
        detail: out.ok ? (out.detail ?? 'ok') : `${out.reason}: ${out.detail}`,
      };
    }),
    markFenced: assign({
      fencedBy: ({ context }) => ({ device: currentDevice(context), level: context.levelIdx + 1 }),
    }),
    emitSucceeded: emit(({ context }) => ({
      type: 'fence.succeeded' as const,
      target: context.target,
      device: currentDevice(context),
      level: context.levelIdx + 1,
    })),
    emitAttemptFailed: emit(({ context }) => ({
      type: 'fence.attemptFailed' as const,
      target: context.target,
      attempt: context.attempt,
      retry: context.attempt >= context.maxAttempts,
    })),
    emitConfirmed: emit(({ context }) => ({ type: 'fence.confirmed' as const, target: context.target })),
    nextDevice: assign({ devIdx: ({ context }) => context.devIdx + 1 }),
    startOns: assign({ devIdx: 0, phase: 'on' as const }),
    nextLevel: assign(({ context }) => {
      const levelIdx = context.levelIdx + 1;
      return { levelIdx, devIdx: 0, phase: phaseFor(context, context.levels[levelIdx] ?? []) };
    }),
    firstLevel: assign(({ context }) => ({
      levelIdx: 0,
      devIdx: 0,
      phase: phaseFor(context, context.levels[0] ?? []),
    })),
    nextAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    keepSettings: assign({
      pendingSettings: ({ event }) => (event.type === 'fence.configure' ? event.settings : null),
    }),
    applySettings: assign(({ context }) =>
      context.pendingSettings === null ? {} : { ...context.pendingSettings, pendingSettings: null },
    ),
    setDelay: assign({
      startDelayMs: ({ context, event }) =>
        event.type === 'fence.reschedule' ? Math.max(0, event.delayMs) : context.startDelayMs,
    }),
    resetAttempts: assign({ attempt: 1 }),
  },
}).createMachine({
  id: 'fencing',
  context: ({ input }) => ({
    ...input,
    attempt: 1,
    levelIdx: 0,
    devIdx: 0,
    phase: phaseFor(input, input.levels[0] ?? []),
    fencedBy: null,
    lastDetail: '',
    pendingSettings: null,
  }),
  initial: 'delaying',
  on: {
    'fence.cancel': { target: '.cancelled' },
    'fence.confirm': { target: '.confirmed', actions: 'emitConfirmed' },
    'fence.configure': { actions: 'keepSettings' },
  },
  states: {
    delaying: {
      after: { startDelay: { target: 'attempting' } },
      on: { 'fence.reschedule': { target: 'delaying', reenter: true, actions: 'setDelay' } },
    },
    attempting: {
      entry: ['applySettings', 'firstLevel', 'emitStarted'],
      initial: 'check',
      states: {
        check: {
          always: [{ guard: 'noLevels', target: '#fencing.attemptFailed' }, { target: 'deviceDelay' }],
        },
        deviceDelay: { after: { deviceDelay: { target: 'acting' } } },
        acting: {
          invoke: {
            src: 'runFenceAction',
            input: ({ context }) => ({
              device: currentDevice(context),
              target: context.target,
              action: currentAction(context),
              timeoutMs: context.stonithTimeoutMs,
            }),
            onDone: [
              {
                guard: 'succeededNextDevice',
                target: 'deviceDelay',
                reenter: true,
                actions: ['emitDevice', 'nextDevice'],
              },
              {
                guard: 'succeededOffsDone',
                target: '#fencing.powering',
                actions: ['emitDevice', 'markFenced', 'emitSucceeded', 'startOns'],
              },
              {
                guard: 'succeededLevel',
                target: '#fencing.succeeded',
                actions: ['emitDevice', 'markFenced', 'emitSucceeded'],
              },
              {
                guard: 'hasNextLevel',
                target: 'deviceDelay',
                reenter: true,
                actions: ['emitDevice', 'nextLevel'],
              },
              { target: '#fencing.attemptFailed', actions: ['emitDevice'] },
            ],
          },
        },
      },
    },
    attemptFailed: {
      entry: 'emitAttemptFailed',
      always: [
        // With no device at all, repeating the attempt at once cannot help: wait for the retry
        // interval (a new configuration or a confirmation may come meanwhile).
        {
          guard: and(['attemptsLeft', not('noLevels')]),
          target: 'attempting',
          reenter: true,
          actions: 'nextAttempt',
        },
        { target: 'waitingRetry' },
      ],
    },
    waitingRetry: { after: { retryInterval: { target: 'attempting', actions: 'resetAttempts' } } },
    powering: {
      // Target already counts as fenced; switch the outlets back on, whatever they answer.
      on: { 'fence.cancel': {}, 'fence.confirm': {}, 'fence.configure': {} },
      initial: 'acting',
      states: {
        acting: {
          invoke: {
            src: 'runFenceAction',
            input: ({ context }) => ({
              device: currentDevice(context),
              target: context.target,
              action: 'on' as const,
              timeoutMs: context.stonithTimeoutMs,
            }),
            onDone: [
              {
                guard: 'inOnPhaseMore',
                target: 'acting',
                reenter: true,
                actions: ['emitDevice', 'nextDevice'],
              },
              { target: '#fencing.succeeded', actions: ['emitDevice'] },
            ],
          },
        },
      },
    },
    succeeded: { type: 'final' },
    confirmed: { type: 'final' },
    cancelled: { type: 'final' },
  },
  output: ({ context }) =>
    context.fencedBy === null
      ? { fenced: false }
      : { fenced: true, device: context.fencedBy.device, level: context.fencedBy.level },
});
