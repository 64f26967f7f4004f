/**
 * The differential harness: generate CIBs from a master seed, run crm_simulate (2 at a time) and
 * Quorate on each, collect mismatches. Shared by `test/differential.test.ts` and the `run.ts`
 * command-line driver.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareAnswers,
  type Difference,
  type QuorateAnswer,
  runQuorate,
  scoreDifferences,
} from './compare.js';
import { mapLimit, type OracleAnswer, runCrmSimulate } from './crm-simulate.js';
import { caseSeed, generateCib } from './generate-cib.js';

/** Default master seed of the differential test. */
export const DEFAULT_SEED = 20261122;
/** Default number of generated CIBs. */
export const DEFAULT_COUNT = 500;
/** Default number of extended CIBs (groups, colocation, ordering). */
export const DEFAULT_EXTENDED_COUNT = 150;

/** One case on which Quorate and crm_simulate disagree (or one of them failed). */
export interface Mismatch {
  index: number;
  seed: number;
  file: string;
  description: string;
  differences: Difference[];
  crm: OracleAnswer | { error: string };
  quorate: QuorateAnswer | { error: string };
  scoreDiffs: string[];
}

/** Outcome of a harness run. */
export interface HarnessResult {
  masterSeed: number;
  count: number;
  dir: string;
  agreed: number;
  mismatches: Mismatch[];
  /** Cases where crm_simulate itself failed (invalid CIB, timeout): generator bugs. */
  oracleFailures: Mismatch[];
  /** Cases crm_simulate could not execute ("invalid transition"): not comparable, only counted. */
  oracleSkipped: Mismatch[];
  elapsedMs: number;
}

/** Options of {@link runDifferential}. */
export interface HarnessOptions {
  masterSeed?: number;
  count?: number;
  concurrency?: number;
  /** Where CIBs are written; agreeing cases are deleted afterwards unless `keepAll`. */
  dir?: string;
  keepAll?: boolean;
  /** Generate groups, colocations and orderings too (see GenerateOptions.extended). */
  extended?: boolean;
}

/** Reads `QUORATE_DIFF_SEED` / `QUORATE_DIFF_COUNT` (decimal or 0x hex). */
export function envOptions(): { masterSeed: number; count: number; extendedCount: number } {
  const seedText = process.env.QUORATE_DIFF_SEED;
  const countText = process.env.QUORATE_DIFF_COUNT;
  const masterSeed = seedText ? Number(seedText) >>> 0 : DEFAULT_SEED;
  const count = countText ? Math.max(1, Number.parseInt(countText, 10)) : DEFAULT_COUNT;
  const extText = process.env.QUORATE_DIFF_EXT_COUNT;
  const extendedCount = extText ? Math.max(0, Number.parseInt(extText, 10)) : DEFAULT_EXTENDED_COUNT;
  return { masterSeed, count, extendedCount };
}

/** Runs the whole differential comparison. */
export async function runDifferential(options: HarnessOptions = {}): Promise<HarnessResult> {
  const started = performance.now();
  const masterSeed = options.masterSeed ?? DEFAULT_SEED;
  const count = options.count ?? DEFAULT_COUNT;
  const dir = options.dir ?? join(tmpdir(), `quorate-diff-${masterSeed}${options.extended ? '-ext' : ''}`);
  mkdirSync(dir, { recursive: true });
  const indexes = Array.from({ length: count }, (_, i) => i);
  const outcomes = await mapLimit(indexes, options.concurrency ?? 2, async (index) => {
    const seed = caseSeed(masterSeed, index);
    const gen = generateCib(seed, { extended: options.extended ?? false });
    const file = join(dir, `case-${index}-seed-${seed}.xml`);
    writeFileSync(file, gen.xml);
    const crm = await runCrmSimulate(file);
    const quorate = runQuorate(gen.xml);
    const base = { index, seed, file, description: gen.description, crm, quorate };
    if (!('error' in crm) && crm.multiActive.length > 0) {
      const error = { error: `crm_simulate leaves ${crm.multiActive.join(',')} active on several nodes` };
      return { oracle: true, m: { ...base, crm: error, differences: [], scoreDiffs: [] } };
    }
    if ('error' in crm && crm.invalidTransition) {
      return { oracle: 'skip' as const, m: { ...base, differences: [], scoreDiffs: [] } };
    }
    if ('error' in crm) {
      return { oracle: true, m: { ...base, differences: [], scoreDiffs: [] } };
    }
    const differences = compareAnswers(crm, quorate);
    if (differences.length === 0) {
      if (!options.keepAll) rmSync(file, { force: true });
      return null;
    }
    // Scores only for the report: re-run crm_simulate with -s on this (rare) mismatching case.
    const withScores = await runCrmSimulate(file, { scores: true });
    const scoreDiffs =
      'error' in quorate || 'error' in withScores ? [] : scoreDifferences(withScores, quorate);
    return { oracle: false, m: { ...base, differences, scoreDiffs } };
  });
  const mismatches: Mismatch[] = [];
  const oracleFailures: Mismatch[] = [];
  const oracleSkipped: Mismatch[] = [];
  for (const o of outcomes) {
    if (o === null) continue;
    (o.oracle === 'skip' ? oracleSkipped : o.oracle ? oracleFailures : mismatches).push(o.m);
  }
  return {
    masterSeed,
    count,
    dir,
    agreed: count - mismatches.length - oracleFailures.length - oracleSkipped.length,
    mismatches,
    oracleFailures,
    oracleSkipped,
    elapsedMs: performance.now() - started,
  };
}

/** A readable account of one mismatch: seed, both answers, the saved CIB. */
export function describeMismatch(m: Mismatch): string {
  const lines = [
    `case #${m.index} seed ${m.seed} (${m.description})`,
    `  CIB: ${m.file}`,
    `  reproduce: crm_simulate -x ${m.file} -S; node --conditions=@quorate/source --import tsx test/differential/check-file.ts ${m.file} --scores`,
  ];
  for (const d of m.differences) {
    lines.push(
      `  ${d.kind}${d.resource ? ` ${d.resource}` : ''}: crm_simulate=${d.crm} quorate=${d.quorate}`,
    );
  }
  if ('error' in m.crm) lines.push(`  crm_simulate failed: ${m.crm.error}`);
  else {
    lines.push(
      `  crm_simulate placements: ${JSON.stringify(m.crm.placements)} fence=[${m.crm.fence.join(',')}]`,
    );
    lines.push(`  crm_simulate summary: ${m.crm.summary.join(' | ') || '(none)'}`);
  }
  if ('error' in m.quorate) lines.push(`  quorate failed: ${m.quorate.error}`);
  else {
    lines.push(
      `  quorate placements: ${JSON.stringify(m.quorate.placements)} fence=[${m.quorate.fence.join(',')}]`,
    );
  }
  if (m.scoreDiffs.length > 0) lines.push(`  score diffs: ${m.scoreDiffs.slice(0, 8).join('; ')}`);
  return lines.join('\n');
}
