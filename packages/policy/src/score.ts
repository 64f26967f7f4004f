/**
 * Pacemaker score arithmetic (`lib/common/scores.c` in Pacemaker 2.1.5, re-implemented).
 *
 * Scores are integers clamped to [-INFINITY, +INFINITY] with INFINITY = 1_000_000.
 */
import type { Score } from './types.js';

/** Pacemaker's `CRM_SCORE_INFINITY`. */
export const INFINITY: Score = 1_000_000;

/**
 * Adds two scores the way Pacemaker does: −INF absorbs everything (so +INF ⊕ −INF = −INF),
 * +INF absorbs finite values, finite sums clamp. Commutative but not associative.
 */
export function addScores(a: Score, b: Score): Score {
  if (a <= -INFINITY || b <= -INFINITY) return -INFINITY;
  if (a >= INFINITY || b >= INFINITY) return INFINITY;
  const sum = a + b;
  if (sum >= INFINITY) return INFINITY;
  if (sum <= -INFINITY) return -INFINITY;
  return sum;
}

/** Clamps an integer to the score range. */
export function clampScore(n: number): Score {
  if (Number.isNaN(n)) return 0;
  if (n >= INFINITY) return INFINITY;
  if (n <= -INFINITY) return -INFINITY;
  return Math.trunc(n);
}

/**
 * Parses a score string like Pacemaker's `char2score`: exactly `INFINITY`/`+INFINITY` and
 * `-INFINITY` are special (case-sensitive); otherwise the leading integer (`"12abc"` → 12,
 * `"abc"` → 0), clamped. `red`/`yellow`/`green` (node-health values) are 0 here (health
 * strategies are outside the subset).
 */
export function parseScore(text: string | undefined): Score {
  if (text === undefined) return 0;
  const s = text.trim();
  if (s === 'INFINITY' || s === '+INFINITY') return INFINITY;
  if (s === '-INFINITY') return -INFINITY;
  const m = /^[+-]?\d+/.exec(s);
  if (!m) return 0;
  return clampScore(Number(m[0]));
}

/** Formats a score as Pacemaker prints it (`INFINITY`, `-INFINITY` or the integer). */
export function formatScore(score: Score): string {
  if (score >= INFINITY) return 'INFINITY';
  if (score <= -INFINITY) return '-INFINITY';
  return String(score);
}
