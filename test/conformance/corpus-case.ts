/**
 * Reads one case of the Pacemaker scheduler regression corpus (`<name>.xml`, `.summary`,
 * `.scores`, see `../shared/conformance/pacemaker/README.md`) and compares Quorate's policy engine
 * with it. Expected answers always come from the corpus files, never from this code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CibError,
  type ClusterSnapshot,
  formatScores,
  formatSummary,
  fromCib,
  schedule,
  type Transition,
} from '@quorate/policy';

/** What a `.summary` file says. */
export interface ExpectedSummary {
  /** Transition Summary lines (without `  * `), whitespace-normalised. */
  transition: string[];
  /** The same lines exactly as printed (order and column widths kept). */
  transitionRaw: string[];
  /** Revised Cluster Status: resource → node it runs on (null = stopped); multi-active → first. */
  revised: Map<string, string | null>;
}

/** Collapses runs of whitespace, like `diff --ignore-all-space` for our purposes. */
export function normalise(line: string): string {
  return line.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}

function section(lines: string[], title: string): string[] {
  const start = lines.findIndex((l) => l.trim() === title);
  if (start < 0) return [];
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.length > 0 && !l.startsWith(' ')) break;
    out.push(l);
  }
  return out;
}

/** Parses a crm_simulate `-S` output file. */
export function parseSummary(text: string): ExpectedSummary {
  const lines = text.split('\n');
  const transitionRaw = section(lines, 'Transition Summary:')
    .filter((l) => l.startsWith('  * '))
    .map((l) => l.slice(4));
  const transition = transitionRaw.map((l) => normalise(l));
  const revised = new Map<string, string | null>();
  for (const l of section(lines, 'Revised Cluster Status:')) {
    const m = /^\s*\* (\S+)\t\([^)]*\):\t\s*(.*)$/.exec(l);
    if (!m) continue;
    const rsc = m[1] as string;
    const st = (m[2] as string).replace(/\([^)]*\)/g, ' ').trim();
    let node: string | null = null;
    const single = /^(?:Started|FAILED)\s+([^\s[(]+)/.exec(st);
    const multi = /^(?:Started|FAILED)\s+\[\s*([^\]]*)\]/.exec(st);
    if (single) node = single[1] as string;
    else if (multi) node = ((multi[1] as string).trim().split(/\s+/)[0] as string) || null;
    revised.set(rsc, node);
  }
  return { transition, transitionRaw, revised };
}

/** Why the engine cannot (yet) run a snapshot faithfully, or undefined when it can. */
export function unsupportedReason(s: ClusterSnapshot): string | undefined {
  void s;
  return undefined;
}

/** Result of running one case. */
export type CaseResult =
  | { name: string; skipped: string }
  | {
      name: string;
      transition: Transition;
      expected: ExpectedSummary;
      actualSummary: string[];
      /** formatSummary's lines exactly as produced (to compare with `expected.transitionRaw`). */
      actualSummaryRaw: string[];
      missingLines: string[];
      extraLines: string[];
      placementDiffs: string[];
      fenceDiff: string | undefined;
      scoreDiffs: string[];
    };

function multisetDiff(a: string[], b: string[]): string[] {
  const counts = new Map<string, number>();
  for (const x of b) counts.set(x, (counts.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const c = counts.get(x) ?? 0;
    if (c > 0) counts.set(x, c - 1);
    else out.push(x);
  }
  return out;
}

/** Runs one case by name from `dir`. */
export function runCase(dir: string, name: string): CaseResult {
  const xml = readFileSync(join(dir, `${name}.xml`), 'utf8');
  const expected = parseSummary(readFileSync(join(dir, `${name}.summary`), 'utf8'));
  let snapshot: ClusterSnapshot;
  try {
    snapshot = fromCib(xml);
  } catch (e) {
    if (e instanceof CibError) return { name, skipped: `fromCib refuses it: ${e.message}` };
    throw e;
  }
  const why = unsupportedReason(snapshot);
  if (why) return { name, skipped: why };
  const transition = schedule(snapshot);
  const actualSummaryRaw = formatSummary(transition);
  const actualSummary = actualSummaryRaw.map(normalise);
  const placementDiffs: string[] = [];
  for (const [rsc, node] of expected.revised) {
    const got = transition.placements[rsc];
    if (got === undefined) placementDiffs.push(`${rsc}: not in placements (expected ${node})`);
    else if (got !== node) placementDiffs.push(`${rsc}: got ${got}, expected ${node}`);
  }
  const expectedFence = expected.transition
    .filter((l) => l.startsWith('Fence '))
    .map((l) => (/^Fence \(\w+\) (\S+)/.exec(l) as RegExpExecArray)[1] as string)
    .sort();
  const gotFence = transition.fence.slice().sort();
  const fenceDiff =
    JSON.stringify(expectedFence) === JSON.stringify(gotFence)
      ? undefined
      : `fence: got [${gotFence.join(' ')}], expected [${expectedFence.join(' ')}]`;
  let scoreDiffs: string[] = [];
  try {
    const expScores = readFileSync(join(dir, `${name}.scores`), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('pcmk__primitive_assign:'))
      .map(normalise);
    const gotScores = formatScores(transition).map(normalise);
    scoreDiffs = [
      ...multisetDiff(expScores, gotScores).map((l) => `missing: ${l}`),
      ...multisetDiff(gotScores, expScores).map((l) => `extra: ${l}`),
    ];
  } catch {
    scoreDiffs = [];
  }
  return {
    name,
    transition,
    expected,
    actualSummary,
    actualSummaryRaw,
    missingLines: multisetDiff(expected.transition, actualSummary),
    extraLines: multisetDiff(actualSummary, expected.transition),
    placementDiffs,
    fenceDiff,
    scoreDiffs,
  };
}
