import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEADER_BYTES,
  MAC_BYTES,
  openPacket,
  type Packet,
  sealPacket,
} from '../../src/transport-udp/udp-packet.js';

const KEY = Buffer.from('packet-test-key-0123456789');

const packetArb: fc.Arbitrary<Packet> = fc.record({
  kind: fc.constantFrom('heartbeat' as const, 'data' as const),
  ring: fc.integer({ min: 0, max: 7 }),
  sender: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 64),
  senderId: fc.integer({ min: 1, max: 0xffffffff }),
  to: fc.string({ maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 64),
  bootTimeMs: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  bootId: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex')),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  payload: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
});

describe('udp packet codec', () => {
  it('round-trips every packet it seals', () => {
    fc.assert(
      fc.property(packetArb, (p) => {
        const out = openPacket(sealPacket(p, KEY), KEY);
        expect(out.ok).toBe(true);
        if (out.ok)
          expect({ ...out.packet, payload: [...out.packet.payload] }).toEqual({
            ...p,
            payload: [...p.payload],
          });
      }),
    );
  });

  it('refuses any packet with one flipped bit, or sealed with another key, as an authentication failure', () => {
    fc.assert(
      fc.property(packetArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (p, at, bit) => {
        const buf = sealPacket(p, KEY);
        const i = at % buf.length;
        buf[i] = buf[i]! ^ (1 << bit);
        expect(openPacket(buf, KEY)).toEqual({ ok: false, reason: 'auth' });
        expect(openPacket(sealPacket(p, Buffer.from('some-other-key-xyz')), KEY)).toEqual({
          ok: false,
          reason: 'auth',
        });
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const out = openPacket(Buffer.from(bytes), KEY);
        expect(out.ok).toBe(false);
      }),
    );
  });

  it('refuses a datagram shorter than header and MAC without computing anything', () => {
    expect(openPacket(Buffer.alloc(HEADER_BYTES + MAC_BYTES), KEY)).toEqual({
      ok: false,
      reason: 'too-short',
    });
  });
});
