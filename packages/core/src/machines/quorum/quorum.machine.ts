import { assign, setup } from 'xstate';
import type { QuorumResult } from '../../quorum/quorum.types.js';
import {
  computeQuorum,
  createQuorumState,
  expireLastManStanding,
  reconfigureQuorumState,
} from '../../quorum/votequorum.js';
import type { QuorumContext, QuorumEvent, QuorumInput } from './quorum.types.js';

/** The quorum result before the first evaluation. */
export const QUORUM_NOT_COMPUTED: QuorumResult = {
  votes: 0,
  expected: 0,
  quorum: 0,
  quorate: false,
  reason: 'not computed',
  lmsStart: false,
  lmsPending: false,
};

/**
 * One node's votequorum (corosync): every `quorum.evaluate` runs `computeQuorum` (two-node,
 * wait-for-all, auto-tie-breaker, expected-votes overrides, device votes) on the node's current
 * view; when it opens a last-man-standing window the actor waits `lastManStandingWindow` in
 * `lmsWindow` and then applies `expireLastManStanding` to the latest view. The vote arithmetic
 * lives in `core/quorum`; this machine only sequences it in time.
 */
export const quorumMachine = setup({
  types: {
    context: {} as QuorumContext,
    events: {} as QuorumEvent,
    input: {} as QuorumInput,
  },
  delays: {
    lmsWindow: ({ context }) => context.cfg.quorum.lastManStandingWindowMs,
  },
  guards: {
    opensLms: ({ context, event }) =>
      event.type === 'quorum.evaluate' &&
      computeQuorum(context.cfg, context.state, event.view).result.lmsStart,
  },
  actions: {
    evaluate: assign(({ context, event }) => {
      if (event.type !== 'quorum.evaluate') return {};
      const r = computeQuorum(context.cfg, context.state, event.view);
      return { state: r.state, result: r.result, view: event.view };
    }),
    expire: assign(({ context }) => {
      if (context.view === null) return {};
      const r = expireLastManStanding(context.cfg, context.state, context.view);
      return { state: r.state, result: r.result };
    }),
    configure: assign(({ context, event }) =>
      event.type === 'quorum.configure'
        ? { cfg: event.cfg, state: reconfigureQuorumState(context.cfg, event.cfg, context.state) }
        : {},
    ),
  },
}).createMachine({
  id: 'quorum',
  context: ({ input }) => ({
    cfg: input.cfg,
    state: createQuorumState(input.cfg),
    view: null,
    result: QUORUM_NOT_COMPUTED,
  }),
  initial: 'steady',
  on: { 'quorum.configure': { actions: 'configure' } },
  states: {
    steady: {
      on: {
        'quorum.evaluate': [
          { guard: 'opensLms', target: 'lmsWindow', actions: 'evaluate' },
          { actions: 'evaluate' },
        ],
      },
    },
    lmsWindow: {
      after: { lmsWindow: { target: 'steady', actions: 'expire' } },
      on: {
        'quorum.evaluate': [
          { guard: 'opensLms', target: 'lmsWindow', reenter: true, actions: 'evaluate' },
          { actions: 'evaluate' },
        ],
      },
    },
  },
});
