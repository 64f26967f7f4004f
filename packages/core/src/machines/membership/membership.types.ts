import type { NodeName } from '@quorate/policy';

/** Input of one peer-link actor (one per peer, on every node). */
export interface PeerLinkInput {
  peer: NodeName;
  /** A peer silent on every ring this long is lost (counted from its last packet, see `silentForMs`). */
  tokenTimeoutMs: number;
}

/** JSON context: the last reported state of each ring to the peer, and which rings are faulty. */
export interface PeerLinkContext extends PeerLinkInput {
  rings: boolean[];
  faulty: boolean[];
  /** How long the peer had already been silent when its last ring was reported down (ms). */
  silentForMs: number;
}

/**
 * Reachability reports from the transport. `silentForMs` (down reports only): how long the link
 * had been silent before the report; the token timeout counts from the silence, not the report.
 */
export type PeerLinkEvent = { type: 'link.changed'; ring: number; up: boolean; silentForMs?: number };

/** Facts a peer-link actor emits. */
export type PeerLinkEmitted =
  | { type: 'peer.reachable'; peer: NodeName }
  | { type: 'peer.silent'; peer: NodeName }
  | { type: 'peer.lost'; peer: NodeName }
  | { type: 'ring.status'; peer: NodeName; ring: number; status: 'ok' | 'faulty' };
