import type { PeerLinkContext } from './membership.types.js';

/** Whether any ring to the peer carries traffic. */
export function anyRingUp(rings: readonly boolean[]): boolean {
  return rings.some(Boolean);
}

/**
 * Rings whose faulty mark changes after `rings` became the ring states: a ring is faulty while it
 * is silent and another ring to the peer works (corosync rrp passive). While every ring is silent
 * the marks are kept (the peer is silent, not a ring). Pure.
 */
export function ringChanges(
  ctx: Pick<PeerLinkContext, 'faulty'>,
  rings: readonly boolean[],
): Array<{ ring: number; faulty: boolean }> {
  if (!anyRingUp(rings)) return [];
  const out: Array<{ ring: number; faulty: boolean }> = [];
  for (let r = 0; r < rings.length; r++) {
    const faulty = rings[r] !== true;
    if (faulty !== (ctx.faulty[r] === true)) out.push({ ring: r, faulty });
  }
  return out;
}

/** The ring states after one report. Pure. */
export function withRing(rings: readonly boolean[], ring: number, up: boolean): boolean[] {
  const next = [...rings];
  while (next.length <= ring) next.push(false);
  next[ring] = up;
  return next;
}
