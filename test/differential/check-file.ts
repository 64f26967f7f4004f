/**
 * Compares Quorate and crm_simulate on one CIB file (for investigating and minimising cases):
 *   node --conditions=@quorate/source --import tsx test/differential/check-file.ts FILE [--scores]
 * Prints both answers. Exit code 0 when they DIFFER (placements/fences, or scores with --scores),
 * 1 when they agree, 2 when either side failed: handy as the predicate of a test-case reducer.
 */
import { readFileSync } from 'node:fs';
import { compareAnswers, runQuorate, scoreDifferences } from './compare.js';
import { runCrmSimulate } from './crm-simulate.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: check-file.ts FILE [--scores]\n');
  process.exit(2);
}
const crm = await runCrmSimulate(file, { scores: true });
const q = runQuorate(readFileSync(file, 'utf8'));
if ('error' in crm) {
  process.stdout.write(`crm_simulate failed: ${crm.error}\n`);
  process.exit(2);
}
if ('error' in q) {
  process.stdout.write(`quorate failed: ${q.error}\n`);
}
const diffs = compareAnswers(crm, q);
const scoreDiffs = 'error' in q ? [] : scoreDifferences(crm, q);
process.stdout.write(
  `${JSON.stringify({ crm: { placements: crm.placements, fence: crm.fence, summary: crm.summary }, diffs, scoreDiffs }, null, 1)}\n`,
);
const differ = diffs.length > 0 || (process.argv.includes('--scores') && scoreDiffs.length > 0);
process.exit(differ ? 0 : 1);
