import { type AnyEventObject, assign, emit, fromCallback, fromPromise, setup } from 'xstate';
import { createAdapterScope } from '../../node/call-adapter.js';
import type { Clock, ResourceOutcome, TimerHandle } from '../../ports.js';
import type {
  ResourceActionInput,
  ResourceContext,
  ResourceEmitted,
  ResourceEvent,
  ResourceInput,
  ResourceMonitorInput,
} from './resource.types.js';

type DoneEvent = { type: string; output: ResourceOutcome };
const outcomeOf = (event: unknown): ResourceOutcome => (event as DoneEvent).output;

/** Runs one agent action; `signal` aborts it (the outcome is then ignored). */
export type ResourceActionRunner = (
  input: ResourceActionInput,
  signal: AbortSignal,
) => Promise<ResourceOutcome>;

/**
 * The `monitorLoop` actor of {@link resourceMachine}: one long-lived actor per stay in `started`
 * (not one actor per monitor). It runs the first monitor `intervalMs` after it starts, then each
 * next one `intervalMs` after the previous one completed, on `clock`. A monitor that does not find
 * the resource running is sent to the parent as `resource.monitorFailed` at the instant it
 * completed, and the loop ends. Stopping the actor (the parent left `started`) cancels the
 * pending timer and aborts a monitor under way (its outcome is ignored). An interval of 0 or less
 * never monitors.
 */
export function createMonitorLoop(clock: Clock, run: ResourceActionRunner) {
  return fromCallback<AnyEventObject, ResourceMonitorInput>(({ input, sendBack }) => {
    const interval = input.monitorIntervalMs;
    if (!(interval > 0)) return undefined;
    const request: ResourceActionInput = {
      resource: input.resource,
      action: 'monitor',
      timeoutMs: input.timeoutMs,
    };
    let stopped = false;
    let timer: TimerHandle | undefined;
    let ac: AbortController | null = null;
    const onOutcome = (out: ResourceOutcome): void => {
      if (stopped) return;
      if (out.ok && out.running) {
        timer = clock.setTimeout(tick, interval);
        return;
      }
      stopped = true;
      sendBack({ type: 'resource.monitorFailed', output: out });
    };
    const tick = (): void => {
      timer = undefined;
      if (stopped) return;
      // One controller for the whole loop, only ever aborted when the loop stops; a scope, so
      // that each monitor's call does not add and remove an abort listener.
      ac ??= createAdapterScope();
      run(request, ac.signal).then(onOutcome, onError);
    };
    const onError = (e: unknown): void =>
      onOutcome({ ok: false, reason: 'agent-error', detail: e instanceof Error ? e.message : String(e) });
    timer = clock.setTimeout(tick, interval);
    return () => {
      if (stopped && timer === undefined) return;
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      ac?.abort();
    };
  });
}

/**
 * One resource instance on one node (Pacemaker's lrmd view of a primitive): `stopped`,
 * `starting`, `started` (monitored every `monitorIntervalMs` by the `monitorLoop` actor),
 * `stopping`, `failed` (a start or monitor failed; the coordinator stops and recovers it) and
 * `blocked` (a stop failed: only fencing the node clears it). Start and stop calls are the
 * `runResourceAction` actor, monitors the `monitorLoop` actor (see {@link createMonitorLoop});
 * both must be provided. Effects are emitted events.
 */
export const resourceMachine = setup({
  types: {
    context: {} as ResourceContext,
    events: {} as ResourceEvent,
    input: {} as ResourceInput,
    emitted: {} as ResourceEmitted,
  },
  actors: {
    runResourceAction: fromPromise<ResourceOutcome, ResourceActionInput>(async () => {
      throw new Error("actor 'runResourceAction' not provided");
    }),
    monitorLoop: fromCallback<AnyEventObject, ResourceMonitorInput>(() => {
      throw new Error("actor 'monitorLoop' not provided");
    }),
  },
  guards: {
    startedInitially: ({ context }) => context.initial === 'started',
    outcomeOk: ({ event }) => outcomeOf(event).ok,
  },
  actions: {
    report: emit(({ context, event }, params: { action: 'start' | 'stop' | 'monitor' }) => {
      const out = outcomeOf(event);
      return {
        type: 'resource.changed' as const,
        resource: context.resource,
        action: params.action,
        ok: out.ok && (params.action !== 'monitor' || out.running),
        detail: out.ok
          ? (out.detail ?? (out.running ? 'running' : 'not running'))
          : `${out.reason}: ${out.detail}`,
      };
    }),
    keepDetail: assign({
      lastDetail: ({ event }) => {
        const out = outcomeOf(event);
        return out.ok ? (out.detail ?? '') : `${out.reason}: ${out.detail}`;
      },
    }),
  },
}).createMachine({
  id: 'resource',
  context: ({ input }) => ({ ...input, lastDetail: '' }),
  initial: 'init',
  states: {
    init: { always: [{ guard: 'startedInitially', target: 'started' }, { target: 'stopped' }] },
    stopped: { on: { 'resource.start': 'starting', 'resource.stop': 'stopped' } },
    starting: {
      invoke: {
        src: 'runResourceAction',
        input: ({ context }) => ({
          resource: context.resource,
          action: 'start' as const,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          {
            guard: 'outcomeOk',
            target: 'started',
            actions: [{ type: 'report', params: { action: 'start' } }],
          },
          { target: 'failed', actions: ['keepDetail', { type: 'report', params: { action: 'start' } }] },
        ],
      },
    },
    started: {
      invoke: {
        src: 'monitorLoop',
        input: ({ context }) => ({
          resource: context.resource,
          monitorIntervalMs: context.monitorIntervalMs,
          timeoutMs: context.timeoutMs,
        }),
      },
      on: {
        'resource.stop': 'stopping',
        'resource.monitorFailed': {
          target: 'failed',
          actions: ['keepDetail', { type: 'report', params: { action: 'monitor' } }],
        },
      },
    },
    stopping: {
      invoke: {
        src: 'runResourceAction',
        input: ({ context }) => ({
          resource: context.resource,
          action: 'stop' as const,
          timeoutMs: context.timeoutMs,
        }),
        onDone: [
          {
            guard: 'outcomeOk',
            target: 'stopped',
            actions: [{ type: 'report', params: { action: 'stop' } }],
          },
          { target: 'blocked', actions: ['keepDetail', { type: 'report', params: { action: 'stop' } }] },
        ],
      },
    },
    failed: { on: { 'resource.stop': 'stopping', 'resource.start': 'starting' } },
    blocked: {},
  },
});
