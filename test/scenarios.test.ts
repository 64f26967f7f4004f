/**
 * The scenario corpus runner (STYLE.md §10): every public example in `../shared/scenarios/` (read in
 * place; skipped with a message when absent) and every `test/scenarios/*.yaml` runs twice with the
 * same seed; both timelines must be identical, every expectation and invariant must hold, and the
 * timeline is compared with the golden `test/scenarios/<name>.timeline` (`vitest -u` rewrites it).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTimeline, parseScenario, runScenario } from '@quorate/core';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared', 'scenarios');
const own = join(here, 'scenarios');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
}

async function check(dir: string, file: string, golden: string): Promise<void> {
  const text = readFileSync(join(dir, file), 'utf8');
  const scenario = parseScenario(text, file.endsWith('.json') ? 'json' : 'yaml');
  const first = await runScenario(scenario, { seed: 1 });
  const second = await runScenario(scenario, { seed: 1 });
  const a = formatTimeline(first.timeline);
  expect(formatTimeline(second.timeline)).toBe(a);
  expect(first.failures.map((f) => f.message)).toEqual([]);
  expect(first.ok).toBe(true);
  await expect(a).toMatchFileSnapshot(golden);
}

const sharedFiles = yamlFiles(shared);
describe.skipIf(sharedFiles.length === 0)('public scenarios (../shared/scenarios)', () => {
  if (sharedFiles.length === 0) it.skip('../shared/scenarios is absent: public examples not run', () => {});
  for (const file of sharedFiles) {
    const name = file.replace(/\.(ya?ml|json)$/, '');
    it(`${name} holds every expectation and invariant, deterministically`, async () => {
      await check(shared, file, join(own, `${name}.timeline`));
    });
  }
});

const ownFiles = yamlFiles(own);
describe('repository scenarios (test/scenarios)', () => {
  if (ownFiles.length === 0) it.skip('no scenario files yet', () => {});
  for (const file of ownFiles) {
    const name = file.replace(/\.(ya?ml|json)$/, '');
    it(`${name} holds every expectation and invariant, deterministically`, async () => {
      await check(own, file, join(own, `${name}.timeline`));
    });
  }
});
