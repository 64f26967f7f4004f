/**
 * Rule evaluation on node attributes (Pacemaker 2.1.5 `lib/pengine/rules.c`, re-implemented):
 * `<rule boolean-op>` with `<expression>` children and nested `<rule>`s.
 */
import { INFINITY, parseScore } from './score.js';
import type { Rule, RuleExpression, Score } from './types.js';

/** A node's attribute table as rules see it: permanent + transient attributes and `#uname` etc. */
export type NodeAttributes = ReadonlyMap<string, string>;

function isRule(e: RuleExpression | Rule): e is Rule {
  return (e as Rule).expressions !== undefined;
}

/** Leading integer as C `strtoll` reads it; undefined when there are no digits. */
function scanInteger(s: string): number | undefined {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(m[0]) : undefined;
}

/** Leading floating-point number as C `strtod` reads it; undefined when nothing parses. */
function scanNumber(s: string): number | undefined {
  const m = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)/i.exec(s);
  if (!m) return undefined;
  const t = m[0].trim().toLowerCase().replace(/^\+/, '');
  if (t === 'inf' || t === 'infinity') return Number.POSITIVE_INFINITY;
  if (t === '-inf' || t === '-infinity') return Number.NEGATIVE_INFINITY;
  if (t.endsWith('nan')) return Number.NaN;
  return Number(t);
}

function caseCompare(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Pacemaker `compare_version`: dotted numeric components, missing ones count as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  const n = Math.max(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] === undefined ? 0 : (scanInteger(pa[i] as string) ?? -1);
    const y = pb[i] === undefined ? 0 : (scanInteger(pb[i] as string) ?? -1);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareValues(
  l: string | undefined,
  r: string | undefined,
  type: string | undefined,
  op: string,
): number {
  if (l === undefined || r === undefined) {
    if (l === undefined && r === undefined) return 0;
    return r === undefined ? 1 : -1;
  }
  let t = type;
  if (t === undefined) {
    if (op === 'lt' || op === 'lte' || op === 'gt' || op === 'gte') {
      t = l.includes('.') || r.includes('.') ? 'number' : 'integer';
    } else {
      t = 'string';
    }
  }
  switch (t.toLowerCase()) {
    case 'integer': {
      const x = scanInteger(l);
      const y = scanInteger(r);
      if (x === undefined || y === undefined) return caseCompare(l, r);
      return sign(x - y);
    }
    case 'number': {
      const x = scanNumber(l);
      const y = scanNumber(r);
      if (x === undefined || y === undefined) return caseCompare(l, r);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'version':
      return compareVersions(l, r);
    case 'string':
      return caseCompare(l, r);
    default:
      return 0;
  }
}

/**
 * Evaluates one `<expression>` against a node's attributes, exactly as Pacemaker's
 * `accept_attr_expr`: `defined`/`not_defined` test presence; `eq`/`ne` treat a missing value as
 * smaller than any value (so `ne` on a missing attribute is true); ordering operators are false
 * when either side is missing; strings compare case-insensitively; an integer/number that does not
 * parse falls back to a string comparison.
 */
export function evaluateExpression(expr: RuleExpression, attrs: NodeAttributes): boolean {
  const l = attrs.get(expr.attribute);
  const op = expr.op;
  if (op === 'defined') return l !== undefined;
  if (op === 'not_defined') return l === undefined;
  const r = expr.value === '' ? undefined : expr.value;
  const cmp = compareValues(l, r, expr.type, op);
  switch (op) {
    case 'eq':
      return cmp === 0;
    case 'ne':
      return cmp !== 0;
    default:
      break;
  }
  if (l === undefined || r === undefined) return false;
  switch (op) {
    case 'lt':
      return cmp < 0;
    case 'lte':
      return cmp <= 0;
    case 'gt':
      return cmp > 0;
    case 'gte':
      return cmp >= 0;
    default:
      return false;
  }
}

/**
 * Evaluates a rule: `and` (default) passes when every child passes (an empty `and` rule passes),
 * `or` when any child passes (an empty `or` rule fails). Nested rules are evaluated recursively;
 * their own scores are ignored, as in Pacemaker.
 */
export function evaluateRule(rule: Rule, attrs: NodeAttributes): boolean {
  const isOr = rule.booleanOp === 'or';
  for (const e of rule.expressions) {
    const ok = isRule(e) ? evaluateRule(e, attrs) : evaluateExpression(e, attrs);
    if (ok && isOr) return true;
    if (!ok && !isOr) return false;
  }
  return !isOr;
}

/**
 * The score a passing top-level rule contributes on a node: `score-attribute`'s value on that node
 * parsed like a score (−INFINITY when the node lacks the attribute), else `score` (default 0).
 */
export function ruleScore(rule: Rule, attrs: NodeAttributes): Score {
  if (rule.scoreAttribute !== undefined) {
    const v = attrs.get(rule.scoreAttribute);
    return v === undefined ? -INFINITY : parseScore(v);
  }
  return rule.score ?? 0;
}
