/**
 * Replays every saved counterexample of the fault-schedule property test
 * (`test/property/counterexamples/*.yaml`) with the seed its header names (`--seed N`, default 1):
 * each once broke an invariant and must now hold every one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseScenario, runScenario } from '@quorate/core';
import { describe, expect, it } from 'vitest';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'counterexamples');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('saved counterexamples of the fault-schedule property', () => {
  it('has some', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(`${file} keeps every invariant`, async () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const seed = Number(/--seed (\d+)/.exec(text)?.[1] ?? 1);
      const r = await runScenario(parseScenario(text), { seed, keepTimeline: false });
      expect(r.failures.map((f) => `${f.atMs} ${f.message}`)).toEqual([]);
    });
  }
});
