/**
 * UDP transport with redundant rings (corosync totem udpu + rrp passive, written from scratch):
 * authenticated heartbeats and messages over `node:dgram`.
 */
export { type UdpTransportOptions, udpTransportOptionsSchema } from './udp-options.js';
export {
  HEADER_BYTES,
  MAC_BYTES,
  MAX_NAME_BYTES,
  type OpenFailure,
  openPacket,
  PACKET_MAGIC,
  type Packet,
  type PacketKind,
  PROTOCOL_VERSION,
  sealPacket,
} from './udp-packet.js';
export {
  createUdpTransport,
  type UdpSendOutcome,
  type UdpTransport,
  type UdpTransportStats,
} from './udp-transport.js';
