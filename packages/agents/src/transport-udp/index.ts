/**
 * UDP transport with redundant rings (corosync totem udpu + rrp passive, written from scratch):
 * authenticated heartbeats and messages over `node:dgram`. The wire format is documented in
 * `udp-packet.ts` (internal).
 */
export { type UdpTransportOptions, udpTransportOptionsSchema } from './udp-options.js';
export {
  createUdpTransport,
  type UdpSendOutcome,
  type UdpTransport,
  type UdpTransportStats,
} from './udp-transport.js';
