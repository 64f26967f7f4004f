import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type PeerLinkEmitted, peerLinkMachine } from '../../src/machines/membership/index.js';
import { VirtualClock } from '../../src/testing/index.js';

function peer() {
  const clock = new VirtualClock();
  const seen: Array<{ at: number; e: PeerLinkEmitted }> = [];
  const actor = createActor(peerLinkMachine, { clock, input: { peer: 'node2', tokenTimeoutMs: 3000 } });
  actor.on('*', (e) => seen.push({ at: clock.now(), e: e as PeerLinkEmitted }));
  actor.start();
  return { clock, actor, seen };
}

describe('peer-link machine (membership)', () => {
  it('loses a peer tokenTimeout after its last ring went silent', async () => {
    const { clock, actor, seen } = peer();
    actor.send({ type: 'link.changed', ring: 0, up: true });
    await clock.advanceTo(10_000);
    actor.send({ type: 'link.changed', ring: 0, up: false });
    await clock.advanceTo(20_000);
    expect(seen.map((s) => `${s.at}:${s.e.type}`)).toEqual([
      '0:peer.reachable',
      '10000:peer.silent',
      '13000:peer.lost',
    ]);
  });

  it('marks a silent ring faulty while another works, without a membership change', async () => {
    const { clock, actor, seen } = peer();
    actor.send({ type: 'link.changed', ring: 0, up: true });
    actor.send({ type: 'link.changed', ring: 1, up: true });
    await clock.advanceTo(10_000);
    actor.send({ type: 'link.changed', ring: 0, up: false });
    await clock.advanceTo(60_000);
    actor.send({ type: 'link.changed', ring: 0, up: true });
    await clock.advanceTo(70_000);
    expect(
      seen.map((s) => `${s.at}:${s.e.type}${s.e.type === 'ring.status' ? `:${s.e.ring}:${s.e.status}` : ''}`),
    ).toEqual(['0:peer.reachable', '10000:ring.status:0:faulty', '60000:ring.status:0:ok']);
    expect(actor.getSnapshot().value).toBe('reachable');
  });

  it('keeps the peer when a ring comes back before the token timeout', async () => {
    const { clock, actor, seen } = peer();
    actor.send({ type: 'link.changed', ring: 0, up: true });
    actor.send({ type: 'link.changed', ring: 0, up: false });
    await clock.advanceTo(2000);
    actor.send({ type: 'link.changed', ring: 0, up: true });
    await clock.advanceTo(10_000);
    expect(seen.filter((s) => s.e.type === 'peer.lost')).toHaveLength(0);
  });
});
