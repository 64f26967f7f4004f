/**
 * Property test over random fault schedules: whatever crashes, partitions, power losses, BMC
 * failures, ring faults, resource failures and (truthful) confirmations happen to a 2–5 node
 * cluster, the simulator's invariants (`invariants: default`: singleActive, quorumToStart,
 * fenceBeforeRecovery, noSelfFence, configMonotonic) never fail.
 *
 * Seeded: the same seed gives the same schedules. Override with QUORATE_PROPERTY_SEED and
 * QUORATE_PROPERTY_RUNS. On failure the test prints the seeds and the shrunk schedule as a
 * scenario file that `quorate simulate FILE.yaml --seed N` replays.
 */

import { parseScenarioDocument, runScenario } from '@quorate/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { faultScheduleArbitrary, type ScenarioDoc } from './fault-schedule.arbitrary.js';

const SEED = Number(process.env.QUORATE_PROPERTY_SEED ?? 20261122);
const RUNS = Number(process.env.QUORATE_PROPERTY_RUNS ?? 2000);

async function failuresOf(doc: ScenarioDoc, seed: number): Promise<string[]> {
  const scenario = parseScenarioDocument(doc);
  const r = await runScenario(scenario, { seed, keepTimeline: false });
  return r.ok ? [] : r.failures.map((f) => `${(f.atMs / 1000).toFixed(3)}s ${f.message}`);
}

describe('random fault schedules (fast-check)', () => {
  it('generates only valid scenario documents', () => {
    fc.assert(
      fc.property(faultScheduleArbitrary(), (doc) => {
        parseScenarioDocument(doc);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it(`keeps every invariant over ${RUNS} schedules (seed ${SEED})`, { timeout: 180_000 }, async () => {
    const property = fc.asyncProperty(
      faultScheduleArbitrary(),
      fc.integer({ min: 1, max: 1_000_000 }),
      async (doc, seed) => {
        const failures = await failuresOf(doc, seed);
        return failures.length === 0;
      },
    );
    const out = await fc.check(property, {
      seed: SEED,
      numRuns: RUNS,
      endOnFailure: false,
      maxSkipsPerRun: 0,
    });
    if (out.failed && out.counterexample !== null) {
      const [doc, runSeed] = out.counterexample;
      const failures = await failuresOf(doc, runSeed);
      const file = `# Found by test/property/fault-schedules.test.ts (fast-check seed ${SEED}, path ${out.counterexamplePath});\n# replay: quorate simulate FILE.yaml --seed ${runSeed}\n${stringify({ ...doc, name: 'property-counterexample' })}`;
      expect.fail(`invariant failure after ${out.numRuns} schedules\n${failures.join('\n')}\n\n${file}`);
    }
    expect(out.numRuns).toBe(RUNS);
  });
});
