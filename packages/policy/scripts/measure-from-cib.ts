/**
 * Times `fromCib` (both XML parsers) and `schedule` on a CIB file:
 * `node --conditions=@quorate/source --import tsx packages/policy/scripts/measure-from-cib.ts FILE`.
 * Not a test (no timed asserts).
 */
import { readFileSync } from 'node:fs';
import { fromCib, schedule } from '@quorate/policy';

const file = process.argv[2];
if (!file) throw new Error('usage: measure-from-cib.ts FILE');
const xml = readFileSync(file, 'utf8');
console.log(`${file}: ${(xml.length / 1e6).toFixed(1)} MB`);
for (const parser of ['scan', 'saxes', 'fast-xml-parser'] as const) {
  const t0 = performance.now();
  const snap = fromCib(xml, { parser });
  const t1 = performance.now();
  const t = schedule(snap);
  const t2 = performance.now();
  console.log(
    `${parser}: fromCib ${(t1 - t0).toFixed(0)} ms (${snap.nodes.length} nodes, ${snap.resources.length} resources, ${snap.state.length} states); schedule ${(t2 - t1).toFixed(0)} ms; ${t.actions.length} actions`,
  );
}
