/** Prints a conformance report: `node --conditions=@quorate/source --import tsx test/conformance/report.ts [case...]` */
import { existsSync, readdirSync } from 'node:fs';
import { runCase } from './corpus-case.js';

const dir = new URL('../../../shared/conformance/pacemaker/', import.meta.url).pathname;
if (!existsSync(dir)) {
  console.log(`conformance corpus not found at ${dir}`);
  process.exit(0);
}
const only = process.argv.slice(2);
const names = readdirSync(dir)
  .filter((f) => f.endsWith('.xml'))
  .map((f) => f.slice(0, -4))
  .filter((n) => only.length === 0 || only.includes(n))
  .sort();
let pass = 0;
let fail = 0;
let skip = 0;
for (const name of names) {
  const r = runCase(dir, name);
  if ('skipped' in r) {
    skip++;
    console.log(`SKIP ${name}: ${r.skipped}`);
    continue;
  }
  const ok =
    r.missingLines.length === 0 && r.extraLines.length === 0 && r.placementDiffs.length === 0 && !r.fenceDiff;
  if (ok) pass++;
  else fail++;
  console.log(
    `${ok ? 'PASS' : 'FAIL'} ${name}${r.scoreDiffs.length ? ` (${r.scoreDiffs.length} score diffs)` : ''}`,
  );
  if (!ok || only.length > 0) {
    for (const l of r.missingLines) console.log(`   missing: ${l}`);
    for (const l of r.extraLines) console.log(`   extra:   ${l}`);
    for (const l of r.placementDiffs) console.log(`   placement ${l}`);
    if (r.fenceDiff) console.log(`   ${r.fenceDiff}`);
  }
  if (only.length > 0) for (const l of r.scoreDiffs) console.log(`   score ${l}`);
}
console.log(`pass ${pass} fail ${fail} skip ${skip}`);
