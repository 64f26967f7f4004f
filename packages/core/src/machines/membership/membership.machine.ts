import { assign, enqueueActions, setup } from 'xstate';
import { anyRingUp, ringChanges, withRing } from './membership.logic.js';
import type { PeerLinkContext, PeerLinkEmitted, PeerLinkEvent, PeerLinkInput } from './membership.types.js';

/**
 * One peer as one node sees it (corosync totem, per peer): `unreachable` until a ring carries
 * traffic, `reachable` while at least one ring does (a silent ring beside a working one is only
 * marked faulty, the membership does not change), `silent` once every ring went quiet: the
 * `tokenTimeout` runs from the last packet heard (the report's `silentForMs` before it) and, if no
 * ring comes back, the peer is lost. The node
 * turns `peer.reachable` / `peer.lost` into membership changes (all changes of one instant
 * together).
 */
export const peerLinkMachine = setup({
  types: {
    context: {} as PeerLinkContext,
    events: {} as PeerLinkEvent,
    input: {} as PeerLinkInput,
    emitted: {} as PeerLinkEmitted,
  },
  delays: {
    tokenTimeout: ({ context }) => Math.max(0, context.tokenTimeoutMs - context.silentForMs),
  },
  guards: {
    anyUpAfter: ({ context, event }) => anyRingUp(withRing(context.rings, event.ring, event.up)),
  },
  actions: {
    record: enqueueActions(({ context, event, enqueue }) => {
      const rings = withRing(context.rings, event.ring, event.up);
      const changes = ringChanges(context, rings);
      const faulty = [...context.faulty];
      for (const c of changes) {
        faulty[c.ring] = c.faulty;
        if (rings.length > 1) {
          enqueue.emit({
            type: 'ring.status',
            peer: context.peer,
            ring: c.ring,
            status: c.faulty ? 'faulty' : 'ok',
          });
        }
      }
      enqueue.assign({ rings, faulty });
    }),
    emitReachable: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'peer.reachable', peer: context.peer });
    }),
    emitSilent: enqueueActions(({ context, event, enqueue }) => {
      // The last ring's silence is the peer's: the token timeout runs from its last packet.
      enqueue.assign({ silentForMs: Math.max(0, Math.min(context.tokenTimeoutMs, event.silentForMs ?? 0)) });
      enqueue.emit({ type: 'peer.silent', peer: context.peer });
    }),
    emitLost: enqueueActions(({ context, enqueue }) => {
      enqueue.emit({ type: 'peer.lost', peer: context.peer });
    }),
    forget: assign({ faulty: [] as boolean[] }),
  },
}).createMachine({
  id: 'peerLink',
  context: ({ input }) => ({ ...input, rings: [], faulty: [], silentForMs: 0 }),
  initial: 'unreachable',
  states: {
    unreachable: {
      on: {
        'link.changed': [
          { guard: 'anyUpAfter', target: 'reachable', actions: ['record', 'emitReachable'] },
          { actions: 'record' },
        ],
      },
    },
    reachable: {
      on: {
        'link.changed': [
          { guard: 'anyUpAfter', actions: 'record' },
          { target: 'silent', actions: ['record', 'emitSilent'] },
        ],
      },
    },
    silent: {
      after: { tokenTimeout: { target: 'unreachable', actions: ['emitLost'] } },
      on: {
        'link.changed': [
          { guard: 'anyUpAfter', target: 'reachable', actions: ['record', 'emitReachable'] },
          { actions: 'record' },
        ],
      },
    },
  },
});
