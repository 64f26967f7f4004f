/**
 * Datadriven runner (raft's shape, STYLE.md §10) for `packages/policy/testdata/*.txt`.
 *
 * Each case: optional `#` comment lines, a directive line, a YAML input block, `----`, then the
 * expected output up to the next blank line. The runner recomputes every output, rebuilds the file
 * and compares it with itself through `toMatchFileSnapshot`, so `vitest -u` rewrites the goldens.
 *
 * Directives:
 * - `schedule [scores]`: input is a ClusterSnapshot in YAML with defaults (options merge over
 *   stonith off, no-quorum-policy stop, symmetric, no stickiness; hasQuorum true; empty lists;
 *   nowMs 0). Output: the Transition Summary, placements, fence list, a reason per resource and
 *   (with `scores`) the score table.
 * - `cib [scores]`: input is CIB XML (embedded verbatim); output as for `schedule`, or the CibError.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CibError,
  type ClusterSnapshot,
  formatScore,
  formatSummary,
  fromCib,
  schedule,
  type Transition,
} from '../src/index.js';

const dir = new URL('../testdata/', import.meta.url).pathname;

interface Case {
  comments: string[];
  directive: string;
  input: string[];
  output: string[];
}

function parseCases(text: string): Case[] {
  const lines = text.split('\n');
  const cases: Case[] = [];
  let i = 0;
  while (i < lines.length) {
    const comments: string[] = [];
    while (i < lines.length && ((lines[i] as string).trim() === '' || (lines[i] as string).startsWith('#'))) {
      if ((lines[i] as string).startsWith('#')) comments.push(lines[i] as string);
      i++;
    }
    if (i >= lines.length) break;
    const directive = lines[i++] as string;
    const input: string[] = [];
    while (i < lines.length && lines[i] !== '----') input.push(lines[i++] as string);
    i++; // ----
    const output: string[] = [];
    while (i < lines.length && (lines[i] as string).trim() !== '') output.push(lines[i++] as string);
    cases.push({ comments, directive, input, output });
  }
  return cases;
}

function withDefaults(raw: Record<string, unknown>): ClusterSnapshot {
  const options = (raw.options ?? {}) as Record<string, unknown>;
  return {
    nodes: (raw.nodes ?? []) as ClusterSnapshot['nodes'],
    resources: (raw.resources ?? []) as ClusterSnapshot['resources'],
    constraints: (raw.constraints ?? []) as ClusterSnapshot['constraints'],
    options: {
      stonithEnabled: false,
      noQuorumPolicy: 'stop',
      symmetricCluster: true,
      resourceStickiness: 0,
      maintenanceMode: false,
      stopAllResources: false,
      ...options,
    } as ClusterSnapshot['options'],
    hasQuorum: (raw.hasQuorum ?? true) as boolean,
    state: (raw.state ?? []) as ClusterSnapshot['state'],
    failCounts: (raw.failCounts ?? []) as ClusterSnapshot['failCounts'],
    nowMs: (raw.nowMs ?? 0) as number,
  };
}

function render(t: Transition, withScores: boolean): string[] {
  const out: string[] = [];
  const summary = formatSummary(t);
  out.push(summary.length === 0 ? 'summary: (none)' : 'summary:');
  for (const l of summary) out.push(`  ${l}`);
  out.push(`fence: [${t.fence.join(', ')}]`);
  out.push('placements:');
  for (const [r, n] of Object.entries(t.placements))
    out.push(`  ${r}: ${n ?? '(stopped)'}  # ${t.reasons[r] ?? ''}`);
  if (withScores) {
    out.push('scores:');
    for (const [r, row] of Object.entries(t.scores)) {
      const cells = Object.entries(row).map(([n, s]) => `${n}=${formatScore(s)}`);
      out.push(`  ${r}: ${cells.length > 0 ? cells.join(' ') : '(no allowed node)'}`);
    }
  }
  return out;
}

function run(c: Case): string[] {
  const [cmd, ...args] = c.directive.trim().split(/\s+/);
  const withScores = args.includes('scores');
  if (cmd === 'schedule') {
    const raw = (parseYaml(c.input.join('\n')) ?? {}) as Record<string, unknown>;
    return render(schedule(withDefaults(raw)), withScores);
  }
  if (cmd === 'cib') {
    try {
      return render(schedule(fromCib(c.input.join('\n'))), withScores);
    } catch (e) {
      if (e instanceof CibError) return [`error ${e.code}: ${e.message}`];
      throw e;
    }
  }
  return [`unknown directive '${cmd}'`];
}

const files = readdirSync(dir).filter((f) => f.endsWith('.txt'));

describe('policy datadriven', () => {
  for (const f of files) {
    it(`reproduces ${f}`, async () => {
      const path = join(dir, f);
      const cases = parseCases(readFileSync(path, 'utf8'));
      expect(cases.length).toBeGreaterThan(0);
      const rebuilt = cases
        .map((c) => [...c.comments, c.directive, ...c.input, '----', ...run(c)].join('\n'))
        .join('\n\n');
      await expect(`${rebuilt}\n`).toMatchFileSnapshot(path);
    });
  }
});
