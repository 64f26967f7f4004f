import { crc32 } from 'node:zlib';
import type { SlotState } from '@quorate/core';

/**
 * On-disk layout of a Quorate quorum disk (format version 1), our own, in the spirit of cman's
 * `mkqdisk` (a label in a header, one status block per node id):
 *
 * ```
 * block 0            header
 *   0   8  magic "QRTQDISK"
 *   8   4  format version (1)
 *  12   4  block size (bytes; 512 or 4096)
 *  16   4  slot count
 *  20   2  label length (bytes, ≤ 128)
 *  22   …  label (UTF-8)
 *  bs-4 4  CRC-32 of bytes [0, bs-4)
 * block n (1..slots) node n's slot; an all-zero block is an empty slot
 *   0   8  magic "QRTSLOT1"
 *   8   4  node id (= n)
 *  12   1  state: 0 none, 1 init, 2 running, 3 master, 4 evicted
 *  16   8  timestampMs (float64)
 *  24   8  incarnation (float64)
 *  32   8  score (float64)
 *  40   4  masterId
 *  48   8  seq (float64)
 *  56   4  CRC-32 of bytes [0, 56)
 * ```
 * Every integer is big-endian. A block is always written whole, so a reader sees either the old
 * or the new slot, or (torn read on a plain file) a CRC mismatch, never a mix it would trust.
 */
export const HEADER_MAGIC = 'QRTQDISK';
/** Magic at the start of every written slot block. */
export const SLOT_MAGIC = 'QRTSLOT1';
/** Format version written in the header. */
export const FORMAT_VERSION = 1;
/** Longest label, in UTF-8 bytes (as mkqdisk). */
export const MAX_LABEL_BYTES = 128;
/** Most slots (node ids 1..255). */
export const MAX_SLOTS = 255;

const STATES: ReadonlyArray<SlotState['state']> = ['none', 'init', 'running', 'master', 'evicted'];
const SLOT_BYTES = 60;

/** What the header block says. */
export interface QuorumDiskHeader {
  label: string;
  slots: number;
  blockSize: number;
  version: number;
}

/** Writes the header into `buf` (one block, zero-filled first). */
export function encodeHeader(h: QuorumDiskHeader, buf: Buffer): void {
  buf.fill(0, 0, h.blockSize);
  buf.write(HEADER_MAGIC, 0, 'latin1');
  buf.writeUInt32BE(FORMAT_VERSION, 8);
  buf.writeUInt32BE(h.blockSize, 12);
  buf.writeUInt32BE(h.slots, 16);
  const label = Buffer.from(h.label, 'utf8');
  buf.writeUInt16BE(label.length, 20);
  label.copy(buf, 22);
  buf.writeUInt32BE(crc32(buf.subarray(0, h.blockSize - 4)), h.blockSize - 4);
}

/** Reads a header block. `blockSize` is how much of `buf` the caller read (the expected size). */
export function decodeHeader(
  buf: Buffer,
):
  | { ok: true; header: QuorumDiskHeader }
  | { ok: false; reason: 'not-formatted' | 'corrupt-header'; detail: string } {
  if (buf.length < 512 || buf.toString('latin1', 0, 8) !== HEADER_MAGIC) {
    return { ok: false, reason: 'not-formatted', detail: 'no quorum disk header (run initQuorumDisk first)' };
  }
  const version = buf.readUInt32BE(8);
  const blockSize = buf.readUInt32BE(12);
  const slots = buf.readUInt32BE(16);
  const labelLen = buf.readUInt16BE(20);
  if (
    version !== FORMAT_VERSION ||
    !isBlockSize(blockSize) ||
    blockSize > buf.length ||
    labelLen > MAX_LABEL_BYTES
  ) {
    return {
      ok: false,
      reason: 'corrupt-header',
      detail: `unsupported header (version ${version}, block size ${blockSize})`,
    };
  }
  if (buf.readUInt32BE(blockSize - 4) !== crc32(buf.subarray(0, blockSize - 4))) {
    return { ok: false, reason: 'corrupt-header', detail: 'header checksum mismatch' };
  }
  if (slots < 1 || slots > MAX_SLOTS)
    return { ok: false, reason: 'corrupt-header', detail: `bad slot count ${slots}` };
  return { ok: true, header: { label: buf.toString('utf8', 22, 22 + labelLen), slots, blockSize, version } };
}

/** Writes one slot into `buf` (one block, zero-filled first). */
export function encodeSlot(s: SlotState, buf: Buffer, blockSize: number): void {
  buf.fill(0, 0, blockSize);
  buf.write(SLOT_MAGIC, 0, 'latin1');
  buf.writeUInt32BE(s.nodeId, 8);
  buf.writeUInt8(STATES.indexOf(s.state), 12);
  buf.writeDoubleBE(s.timestampMs, 16);
  buf.writeDoubleBE(s.incarnation, 24);
  buf.writeDoubleBE(s.score, 32);
  buf.writeUInt32BE(s.masterId >>> 0, 40);
  buf.writeDoubleBE(s.seq, 48);
  buf.writeUInt32BE(crc32(buf.subarray(0, 56)), 56);
}

/**
 * Reads one slot block: `empty` (never written: all zero), `corrupt` (bad magic, checksum or
 * node id), or the slot.
 */
export function decodeSlot(
  buf: Buffer,
  expectedNodeId: number,
): { kind: 'empty' } | { kind: 'corrupt'; detail: string } | { kind: 'slot'; slot: SlotState } {
  const head = buf.subarray(0, SLOT_BYTES);
  if (head.every((b) => b === 0)) return { kind: 'empty' };
  if (head.toString('latin1', 0, 8) !== SLOT_MAGIC) return { kind: 'corrupt', detail: 'bad slot magic' };
  if (head.readUInt32BE(56) !== crc32(head.subarray(0, 56)))
    return { kind: 'corrupt', detail: 'slot checksum mismatch' };
  const nodeId = head.readUInt32BE(8);
  const state = STATES[head.readUInt8(12)];
  if (nodeId !== expectedNodeId || state === undefined) {
    return { kind: 'corrupt', detail: `slot ${expectedNodeId} holds node id ${nodeId}` };
  }
  return {
    kind: 'slot',
    slot: {
      nodeId,
      timestampMs: head.readDoubleBE(16),
      incarnation: head.readDoubleBE(24),
      state,
      score: head.readDoubleBE(32),
      masterId: head.readUInt32BE(40),
      seq: head.readDoubleBE(48),
    },
  };
}

/** 512, 1024, 2048 or 4096. */
export function isBlockSize(n: number): boolean {
  return n === 512 || n === 1024 || n === 2048 || n === 4096;
}

/** Checks a slot before it is written: a message for the first problem, or undefined. */
export function slotProblem(slot: number, s: SlotState, slots: number): string | undefined {
  if (!Number.isInteger(slot) || slot < 1 || slot > slots) return `slot ${slot} is outside 1..${slots}`;
  if (s.nodeId !== slot) return `slot ${slot} cannot hold node id ${s.nodeId}`;
  if (!STATES.includes(s.state)) return `unknown slot state '${String(s.state)}'`;
  for (const k of ['timestampMs', 'incarnation', 'score', 'seq'] as const) {
    if (!Number.isFinite(s[k])) return `${k} must be a finite number`;
  }
  if (!Number.isInteger(s.masterId) || s.masterId < 0 || s.masterId > slots)
    return `masterId ${s.masterId} is outside 0..${slots}`;
  return undefined;
}
