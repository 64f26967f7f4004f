import { assign, emit, fromPromise, setup } from 'xstate';
import type { ResourceOutcome } from '../../ports.js';
import type {
  ResourceActionInput,
  ResourceContext,
  ResourceEmitted,
  ResourceEvent,
  ResourceInput,
} from './resource.types.js';

type DoneEvent = { type: string; output: ResourceOutcome };
const outcomeOf = (event: unknown): ResourceOutcome => (event as DoneEvent).output;

/**
 * One resource instance on one node (Pacemaker's lrmd view of a primitive): `stopped`,
 * `starting`, `started` (monitored every `monitorIntervalMs`), `stopping`, `failed` (a start or
 * monitor failed; the coordinator stops and recovers it) and `blocked` (a stop failed: only fencing
 * the node clears it). Agent calls are the `runResourceAction` actor; effects are emitted events.
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
  },
  delays: {
    monitorInterval: ({ context }) => context.monitorIntervalMs,
  },
  guards: {
    startedInitially: ({ context }) => context.initial === 'started',
    outcomeOk: ({ event }) => outcomeOf(event).ok,
    monitorRunning: ({ event }) => {
      const out = outcomeOf(event);
      return out.ok && out.running;
    },
    monitors: ({ context }) => context.monitorIntervalMs > 0,
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
      on: { 'resource.stop': 'stopping' },
      initial: 'idle',
      states: {
        idle: { always: [{ guard: 'monitors', target: 'waiting' }] },
        waiting: { after: { monitorInterval: 'monitoring' } },
        monitoring: {
          invoke: {
            src: 'runResourceAction',
            input: ({ context }) => ({
              resource: context.resource,
              action: 'monitor' as const,
              timeoutMs: context.timeoutMs,
            }),
            onDone: [
              { guard: 'monitorRunning', target: 'waiting' },
              {
                target: '#resource.failed',
                actions: ['keepDetail', { type: 'report', params: { action: 'monitor' } }],
              },
            ],
          },
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
