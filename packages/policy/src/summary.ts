/**
 * Text renderings of a {@link Transition} in crm_simulate's words (Pacemaker 2.1.5
 * `rsc_action_item` / `node_action` output), for `quorate policy` and the conformance tests.
 */
import { formatScore } from './score.js';
import type { Action, Transition } from './types.js';

function verb(a: Exclude<Action, { op: 'fence' }>): string {
  switch (a.op) {
    case 'start':
      return 'Start';
    case 'stop':
      return 'Stop';
    case 'move':
      return 'Move';
    case 'recover':
      return 'Recover';
    case 'restart':
      return 'Restart';
  }
}

function details(a: Exclude<Action, { op: 'fence' }>): string {
  if ((a.op === 'move' || a.op === 'recover') && a.from !== undefined && a.from !== a.node) {
    return `${a.from} -> ${a.node}`;
  }
  return a.node;
}

function suffix(a: Exclude<Action, { op: 'fence' }>): string {
  if (a.due !== undefined) return a.blocked === true ? `  due to ${a.due} (blocked)` : `  due to ${a.due}`;
  return a.blocked === true ? '  blocked' : '';
}

/**
 * The "Transition Summary" lines crm_simulate would print for this transition, without the
 * leading `  * `: `Fence (reboot) n3 'peer is no longer part of the cluster'`,
 * `Start      vm1     ( n2 )`, `Move       r       ( a -> b )`,
 * `Stop       r       ( n )  due to node availability`, `... (blocked)`.
 * Column widths follow crm_simulate (resource column at least 5 wide, detail column as wide as the
 * widest detail), so the lines match it exactly up to whitespace. Fences come first, then resource
 * lines in scheduling order (the order of `placements`). Pure.
 */
export function formatSummary(t: Transition): string[] {
  const lines: string[] = [];
  let rscWidth = 5;
  let detailWidth = 5;
  // crm_simulate lists resources in scheduling order (priority, then document order), which is the
  // order of `placements`; actions of one resource keep their relative order.
  const rank = new Map<string, number>();
  for (const id of Object.keys(t.placements)) rank.set(id, rank.size);
  const rscActions = t.actions
    .filter((a): a is Exclude<Action, { op: 'fence' }> => a.op !== 'fence')
    .map((a, i) => ({ a, i, r: rank.get(a.resource) ?? Number.MAX_SAFE_INTEGER }))
    .sort((x, y) => x.r - y.r || x.i - y.i)
    .map((x) => x.a);
  for (const a of rscActions) {
    if (a.resource.length > rscWidth) rscWidth = a.resource.length + 2;
    const d = details(a).length;
    if (d > detailWidth) detailWidth = d;
  }
  for (const a of t.actions) {
    if (a.op === 'fence') lines.push(`Fence (${a.action}) ${a.node} '${a.reason}'`);
  }
  for (const a of rscActions) {
    lines.push(
      `${verb(a).padEnd(8)}   ${a.resource.padEnd(rscWidth)}   ( ${details(a).padStart(detailWidth)} )${suffix(a)}`,
    );
  }
  return lines;
}

/**
 * The allocation scores in crm_simulate's `-s` wording, one line per resource and node, sorted:
 * `pcmk__primitive_assign: rsc1 allocation score on node1: INFINITY`. Pure.
 */
export function formatScores(t: Transition): string[] {
  const lines: string[] = [];
  for (const [rsc, table] of Object.entries(t.scores)) {
    for (const [node, score] of Object.entries(table)) {
      lines.push(`pcmk__primitive_assign: ${rsc} allocation score on ${node}: ${formatScore(score)}`);
    }
  }
  return lines.sort();
}
