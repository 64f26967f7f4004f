/**
 * Shared zod helpers of the configuration schema tree (STYLE.md §7): durations, scores and
 * percentages, each accepting the human spelling of SCENARIO-FORMAT.md and giving the number the
 * library computes with. Pure functions; no I/O.
 */
import { z } from 'zod';
import type { ConfigIssue } from '../errors.js';

/** Pacemaker's `CRM_SCORE_INFINITY`: scores are clamped to ±this value. */
export const SCORE_INFINITY = 1_000_000;

const DURATION_RE = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** What a duration field says when its value cannot be read. */
export const DURATION_HINT =
  "expected a duration such as '250ms', '5s', '2m', '1h' or a number of milliseconds";

/**
 * Reads a duration: `250ms`, `5s`, `2m`, `1h` (decimals allowed: `1.5s`) or a plain number of
 * milliseconds. Returns whole milliseconds, or a sentence saying why the value is not a duration
 * (negative, not a whole millisecond, unknown unit). Never throws.
 */
export function parseDurationMs(value: unknown): { ok: true; ms: number } | { ok: false; message: string } {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, message: `${DURATION_HINT}, got ${value}` };
    if (!Number.isInteger(value))
      return { ok: false, message: `a duration must be a whole number of milliseconds, got ${value}` };
    return { ok: true, ms: value };
  }
  if (typeof value === 'string') {
    const m = DURATION_RE.exec(value);
    if (m === null) return { ok: false, message: `${DURATION_HINT}, got '${value}'` };
    const ms = Number(m[1]) * (UNIT_MS[m[2] ?? 'ms'] ?? 1);
    const rounded = Math.round(ms);
    if (Math.abs(ms - rounded) > 1e-6) {
      return { ok: false, message: `a duration must be a whole number of milliseconds, got '${value}'` };
    }
    return { ok: true, ms: rounded };
  }
  return { ok: false, message: `${DURATION_HINT}, got ${describe(value)}` };
}

/**
 * Formats milliseconds the way the configuration spells them (`1500ms`, `5s`, `2m`, `1h`), using
 * the largest unit that divides the value exactly. For messages and generated files.
 */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * zod schema of a duration field: accepts what {@link parseDurationMs} accepts (input type
 * `string | number`) and outputs whole milliseconds. A bad value is one issue at the field's path.
 */
export function duration(): z.ZodType<number, string | number> {
  return z
    .union([z.string(), z.number()], {
      error: (iss) => (iss.input === undefined ? 'required' : DURATION_HINT),
    })
    .transform((v, ctx) => {
      const r = parseDurationMs(v);
      if (!r.ok) {
        ctx.issues.push({ code: 'custom', message: r.message, input: v });
        return z.NEVER;
      }
      return r.ms;
    });
}

/** What a score field says when its value cannot be read. */
export const SCORE_HINT = "expected a score: an integer, 'INFINITY', '+INFINITY' or '-INFINITY'";

/**
 * Reads a Pacemaker score: an integer (number or numeric string) or `INFINITY`/`+INFINITY`/
 * `-INFINITY` (any case, also `inf`), clamped to ±{@link SCORE_INFINITY}. Never throws.
 */
export function parseScore(value: unknown): { ok: true; score: number } | { ok: false; message: string } {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { ok: false, message: `${SCORE_HINT}, got ${value}` };
    return { ok: true, score: clampScore(value) };
  }
  if (typeof value === 'string') {
    const s = value.trim().toUpperCase();
    if (s === 'INFINITY' || s === '+INFINITY' || s === 'INF' || s === '+INF')
      return { ok: true, score: SCORE_INFINITY };
    if (s === '-INFINITY' || s === '-INF') return { ok: true, score: -SCORE_INFINITY };
    if (/^[+-]?\d+$/.test(s)) return { ok: true, score: clampScore(Number(s)) };
    return { ok: false, message: `${SCORE_HINT}, got '${value}'` };
  }
  return { ok: false, message: `${SCORE_HINT}, got ${describe(value)}` };
}

/** Clamps a number to the score range [-1_000_000, +1_000_000] (Pacemaker `pcmk__add_scores`). */
export function clampScore(n: number): number {
  if (n >= SCORE_INFINITY) return SCORE_INFINITY;
  if (n <= -SCORE_INFINITY) return -SCORE_INFINITY;
  return n;
}

/** zod schema of a score field (input `number | string`, output the clamped integer). */
export function score(): z.ZodType<number, string | number> {
  return z
    .union([z.string(), z.number()], { error: (iss) => (iss.input === undefined ? 'required' : SCORE_HINT) })
    .transform((v, ctx) => {
      const r = parseScore(v);
      if (!r.ok) {
        ctx.issues.push({ code: 'custom', message: r.message, input: v });
        return z.NEVER;
      }
      return r.score;
    });
}

/** What a percentage field says when its value cannot be read. */
export const PERCENT_HINT = "expected a share such as '50%' (or a fraction from 0 to 1)";

/**
 * zod schema of a share: `50%` (0–100, decimals allowed) or a fraction in [0, 1]; outputs the
 * fraction (0.5).
 */
export function percent(): z.ZodType<number, string | number> {
  return z
    .union([z.string(), z.number()], {
      error: (iss) => (iss.input === undefined ? 'required' : PERCENT_HINT),
    })
    .transform((v, ctx) => {
      let f: number | undefined;
      if (typeof v === 'number') f = v;
      else {
        const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(v);
        if (m !== null) f = Number(m[1]) / 100;
      }
      if (f === undefined || !Number.isFinite(f) || f < 0 || f > 1) {
        ctx.issues.push({ code: 'custom', message: `${PERCENT_HINT}, got ${describe(v)}`, input: v });
        return z.NEVER;
      }
      return f;
    });
}

/** Node attribute and parameter values: strings, numbers and booleans, kept as strings. */
export function stringish(): z.ZodType<string, string | number | boolean> {
  return z
    .union([z.string(), z.number(), z.boolean()], { error: () => 'expected a string, number or boolean' })
    .transform((v) => String(v));
}

/** Converts zod issues into {@link ConfigIssue}s (paths of strings and numbers). */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `'${v}'`;
  return String(v);
}
