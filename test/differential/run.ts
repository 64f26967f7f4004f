/**
 * Command-line driver of the differential harness (for investigating mismatches):
 *   node --conditions=@quorate/source --import tsx test/differential/run.ts [count] [seed] [--extended] [--json]
 * Prints every mismatch and a tally by difference kind; exit code 1 when any case disagrees.
 */
import { describeMismatch, envOptions, runDifferential } from './harness.js';

const env = envOptions();
const count =
  process.argv[2] && !process.argv[2].startsWith('--') ? Number.parseInt(process.argv[2], 10) : env.count;
const masterSeed =
  process.argv[3] && !process.argv[3].startsWith('--') ? Number(process.argv[3]) >>> 0 : env.masterSeed;
const json = process.argv.includes('--json');
const extended = process.argv.includes('--extended');
const r = await runDifferential({ masterSeed, count, extended });
if (json) {
  process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
} else {
  for (const m of r.oracleFailures) process.stdout.write(`ORACLE FAILURE\n${describeMismatch(m)}\n\n`);
  for (const m of r.mismatches) process.stdout.write(`${describeMismatch(m)}\n\n`);
  process.stdout.write(
    `seed ${r.masterSeed}: ${r.agreed}/${r.count} agree, ${r.mismatches.length} mismatches, ` +
      `${r.oracleFailures.length} oracle failures, ${r.oracleSkipped.length} skipped (invalid transition), ${(r.elapsedMs / 1000).toFixed(1)} s, CIBs in ${r.dir}\n`,
  );
}
process.exitCode = r.mismatches.length + r.oracleFailures.length > 0 ? 1 : 0;
