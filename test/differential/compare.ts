/**
 * Runs Quorate's scheduler on a CIB and compares its decision with crm_simulate's: identical
 * placements (every resource, null = stopped) and identical fence sets. Nothing is tolerated.
 */
import { fromCib, schedule } from '@quorate/policy';
import type { OracleAnswer } from './crm-simulate.js';

/** What Quorate decided, reduced like {@link OracleAnswer}. */
export interface QuorateAnswer {
  placements: Record<string, string | null>;
  fence: string[];
  scores: Record<string, Record<string, number>>;
  actions: string[];
}

/** Runs `schedule(fromCib(xml))`; an exception becomes `{ error }`. */
export function runQuorate(xml: string): QuorateAnswer | { error: string } {
  try {
    const t = schedule(fromCib(xml));
    return {
      placements: { ...t.placements },
      fence: [...new Set(t.fence)].sort(),
      scores: t.scores,
      actions: t.actions.map((a) => JSON.stringify(a)),
    };
  } catch (e) {
    const err = e as Error;
    return { error: `${err.name}: ${err.message}` };
  }
}

/** One difference between the two answers. */
export interface Difference {
  kind: 'placement' | 'fence' | 'error';
  resource?: string;
  crm: string;
  quorate: string;
}

/** Lists every difference in placements and fence sets (empty = agreement). */
export function compareAnswers(crm: OracleAnswer, q: QuorateAnswer | { error: string }): Difference[] {
  if ('error' in q) return [{ kind: 'error', crm: 'answer', quorate: q.error }];
  const diffs: Difference[] = [];
  const ids = new Set([...Object.keys(crm.placements), ...Object.keys(q.placements)]);
  for (const id of [...ids].sort()) {
    const c = id in crm.placements ? crm.placements[id] : undefined;
    const m = id in q.placements ? q.placements[id] : undefined;
    if (c !== m) {
      diffs.push({ kind: 'placement', resource: id, crm: show(c), quorate: show(m) });
    }
  }
  const cf = [...crm.fence].sort().join(',');
  const qf = [...q.fence].sort().join(',');
  if (cf !== qf) diffs.push({ kind: 'fence', crm: `{${cf}}`, quorate: `{${qf}}` });
  return diffs;
}

function show(v: string | null | undefined): string {
  if (v === undefined) return '(missing)';
  if (v === null) return 'stopped';
  return v;
}

/** Score differences (diagnostic only; not part of the pass/fail verdict). */
export function scoreDifferences(crm: OracleAnswer, q: QuorateAnswer): string[] {
  const out: string[] = [];
  for (const [rsc, table] of Object.entries(crm.scores)) {
    for (const [node, s] of Object.entries(table)) {
      const mine = q.scores[rsc]?.[node];
      if (mine !== s) out.push(`${rsc}@${node}: crm ${s} quorate ${mine ?? '(none)'}`);
    }
  }
  return out;
}
