// Child process for the qdisk tests: `node … qdisk-writer.child.ts <path> <label> <slot> <rounds> <peerSlots,…>`.
// Writes its own slot (seq 1, 2, …) and reads every slot after each write, for at least `rounds`
// writes and until it has seen every peer slot written (bounded by 15 s), then prints one JSON
// line: its last seq, the highest seq seen per peer slot, and its disk stats.
import type { SlotState } from '@quorate/core';
import { createFileQuorumDisk } from '../../src/qdisk-file/index.js';

const [path, label, slotArg, roundsArg, peersArg] = process.argv.slice(2);
const slot = Number(slotArg);
const rounds = Number(roundsArg);
const peers = (peersArg ?? '').split(',').filter(Boolean).map(Number);
const ctx = { signal: new AbortController().signal };
const disk = createFileQuorumDisk({ path: path!, label: label! });
const seen: Record<number, number> = {};
const deadline = Date.now() + 15_000;
let seq = 0;
while (seq < rounds || !peers.every((p) => (seen[p] ?? 0) > 0)) {
  if (Date.now() > deadline) break;
  seq += 1;
  const state: SlotState = {
    nodeId: slot,
    timestampMs: Date.now(),
    incarnation: process.pid,
    state: 'running',
    score: 1,
    masterId: 0,
    seq,
  };
  const w = await disk.write(slot, state, ctx);
  if (!w.ok) throw new Error(`write failed: ${w.reason} ${w.detail}`);
  const r = await disk.readAll(ctx);
  if (!r.ok) throw new Error(`read failed: ${r.reason} ${r.detail}`);
  for (const s of r.slots) if (s && s.nodeId !== slot) seen[s.nodeId] = Math.max(seen[s.nodeId] ?? 0, s.seq);
  if (r.slots[slot - 1]?.seq !== seq)
    throw new Error(`own slot reads back ${JSON.stringify(r.slots[slot - 1])}`);
}
process.stdout.write(`${JSON.stringify({ slot, pid: process.pid, seq, seen, stats: disk.stats() })}\n`);
await disk.close();
