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

type Key = string | number;

/** The paths an issue is about: an unknown-keys issue is about each key, others about their path. */
function issueTargets(issue: z.core.$ZodIssue): Key[][] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) return issue.keys.map((k) => [...path, k]);
  return [path];
}

function isContainer(v: unknown): v is Record<string, unknown> | unknown[] {
  return typeof v === 'object' && v !== null;
}

/** Copies arrays and plain mappings (other values are shared; they are never modified). */
function clonePlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clonePlain);
  if (isContainer(v) && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clonePlain(x);
    return out;
  }
  return v;
}

/** The container holding `path`'s last key, when `path` names a value present in `doc`. */
function parentOf(doc: unknown, path: readonly Key[]): Record<string, unknown> | unknown[] | undefined {
  if (path.length === 0) return undefined;
  let cur: unknown = doc;
  for (const k of path.slice(0, -1)) {
    if (!isContainer(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k as string];
  }
  if (!isContainer(cur)) return undefined;
  const last = path[path.length - 1] as Key;
  if (Array.isArray(cur)) return typeof last === 'number' && last >= 0 && last < cur.length ? cur : undefined;
  if (!Object.hasOwn(cur, String(last))) return undefined;
  return cur;
}

const startsWith = (a: readonly Key[], prefix: readonly Key[]) =>
  prefix.length <= a.length && prefix.every((k, i) => k === a[i]);

/** One array element removed while repairing: the array's path (in that round's indices) and the index. */
interface Drop {
  array: Key[];
  index: number;
}

/** Maps a path of the repaired document back to the path of the same field in the input. */
function unmap(path: readonly Key[], drops: readonly Drop[]): Key[] {
  const out = [...path];
  for (let d = drops.length - 1; d >= 0; d--) {
    const { array, index } = drops[d] as Drop;
    if (!startsWith(out, array) || out.length <= array.length) continue;
    const k = out[array.length];
    if (typeof k === 'number' && k >= index) out[array.length] = k + 1;
  }
  return out;
}

/**
 * What a failed parse did not get to say. zod reports the fields it could not read, but the
 * checks that need the whole document (duplicate names, references to undefined nodes) run only
 * on a document whose fields all read. This parses `input` with `shapeSchema` (the field-by-field
 * rules only); where that fails it takes the input apart at the issues' paths (an unknown or
 * unreadable key is removed, so its default applies; an item that cannot be read is removed from
 * its list) and parses again, at most `maxRounds` times. On the rest, once it reads, it calls
 * `crossCheck` (paths as in the value it is given). Returns the cross-check issues, with the
 * paths they have in `input`, except any about a field that one of `reported` is already about
 * (or that the repair touched), or inside or around it. Never throws (returns what it found
 * so far); pure: `input` is not modified.
 */
export function issuesBeyondFirstFailure<T>(
  shapeSchema: z.ZodType<T, unknown>,
  input: unknown,
  reported: readonly z.core.$ZodIssue[],
  crossCheck: (data: T, repaired: unknown) => ConfigIssue[],
  maxRounds = 25,
): ConfigIssue[] {
  const known: Key[][] = reported.flatMap(issueTargets);
  const found: ConfigIssue[] = [];
  const seen = new Set<string>();
  // Names inside what the repair removed: a reference to one of them may be right (the item that
  // defines it was only written wrong), so an issue naming one is not reported.
  // What the removed parts defined: a list item written as a bare string, or the `name`/`id` of
  // a mapping (nodes, devices, resources, constraints). Names are quoted in messages
  // (`node 'node9'`), numeric ids are not (`node id 2`).
  const removedNames = new Set<string>();
  const removedIds = new Set<number>();
  const collect = (v: unknown, key: Key | undefined): void => {
    if (typeof v === 'string' && (key === undefined || key === 'name' || key === 'id')) removedNames.add(v);
    else if (typeof v === 'number' && key === 'id') removedIds.add(v);
    else if (key === undefined && isContainer(v) && !Array.isArray(v)) {
      collect(v.name, 'name');
      collect(v.id, 'id');
    }
  };
  const namesRemoved = (message: string) =>
    [...removedNames].some((n) => message.includes(`'${n}'`)) ||
    [...removedIds].some((n) => new RegExp(`\\b${n}\\b`).test(message));
  const addIfNew = (path: Key[], message: string) => {
    if (known.some((k) => startsWith(path, k) || startsWith(k, path))) return;
    if (namesRemoved(message)) return;
    const key = JSON.stringify([path, message]);
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ path, message });
  };
  try {
    const doc = clonePlain(input);
    const drops: Drop[] = [];
    for (let round = 0; round < maxRounds; round++) {
      const r = shapeSchema.safeParse(doc);
      if (r.success) {
        for (const i of crossCheck(r.data, doc)) addIfNew(unmap(i.path, drops), i.message);
        return found;
      }
      // The field issues of a later round are about the repair (a list left empty, a key left
      // without its partner), not about the input: they are not reported, only repaired.
      const targets = r.error.issues.flatMap(issueTargets);
      known.push(...targets.map((t) => unmap(t, drops)));
      // Where to cut: a target that is not there (a missing required key) is cut at its parent.
      const cuts: Key[][] = [];
      for (const target of targets) {
        let p = target;
        while (p.length > 0 && parentOf(doc, p) === undefined) p = p.slice(0, -1);
        if (p.length === 0) return found;
        cuts.push(p);
        known.push(unmap(p, drops));
      }
      const isItem = (p: Key[]) => Array.isArray(parentOf(doc, p));
      const items = cuts
        .filter(isItem)
        .filter((p, i, all) => all.findIndex((q) => JSON.stringify(q) === JSON.stringify(p)) === i)
        .sort((a, b) => (b[b.length - 1] as number) - (a[a.length - 1] as number));
      for (const p of cuts.filter((c) => !isItem(c))) {
        const parent = parentOf(doc, p);
        if (parent !== undefined)
          collect((parent as Record<string, unknown>)[String(p[p.length - 1])], p[p.length - 1]);
        if (parent !== undefined) delete (parent as Record<string, unknown>)[String(p[p.length - 1])];
      }
      // Items leave their lists highest index first, so the others keep their indices meanwhile.
      for (const p of items) {
        const list = parentOf(doc, p);
        if (!Array.isArray(list)) continue;
        const index = p[p.length - 1] as number;
        collect(list[index], undefined);
        list.splice(index, 1);
        drops.push({ array: p.slice(0, -1), index });
      }
    }
  } catch {
    // Odd input the repair did not foresee: report what was found so far.
  }
  return found;
}
