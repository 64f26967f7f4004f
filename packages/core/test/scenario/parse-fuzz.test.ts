/**
 * Fuzzing the parsers (DESIGN.md: fast-check over the parsers): whatever the input, the cluster
 * and scenario parsers return a value or a ConfigError with at least one issue, and never throw
 * anything else. Mutations start from real documents (our corpus) so that they reach the deep
 * cross-field checks, not only the first type error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ConfigError,
  parseScenario,
  safeParseClusterConfig,
  safeParseScenarioDocument,
} from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = resolve(here, '../../../../test/scenarios');
const corpus: unknown[] = existsSync(corpusDir)
  ? readdirSync(corpusDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => parse(readFileSync(join(corpusDir, f), 'utf8')) as unknown)
  : [];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values a mutation may put somewhere: scalars of every kind, names that exist, odd shapes. */
const replacement: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    1e12,
    '',
    'node1',
    'node9',
    'all',
    'qdisk',
    'end',
    '5s',
    'INFINITY',
    '50%',
    [],
    {},
    [[]],
  ),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

/** Every path (list of keys/indices) inside a JSON value. */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [prefix];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...paths(x, [...prefix, i]));
  } else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** A copy of `doc` with the value at `path` replaced (`undefined` deletes it). */
function mutate(doc: unknown, path: Array<string | number>, value: Json | undefined): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

function expectValueOrConfigError(r: { ok: true } | { ok: false; error: ConfigError }): boolean {
  if (!r.ok) {
    expect(r.error).toBeInstanceOf(ConfigError);
    expect(r.error.issues.length).toBeGreaterThan(0);
    expect(r.error.message.startsWith('✖')).toBe(true);
  }
  return r.ok;
}

describe('parser fuzzing', () => {
  it('safeParseClusterConfig never throws on arbitrary values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
        expectValueOrConfigError(safeParseClusterConfig(v));
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it('parseScenario throws only ConfigError on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => {
          try {
            parseScenario(text);
          } catch (e) {
            expect(e).toBeInstanceOf(ConfigError);
          }
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  it.skipIf(corpus.length === 0)(
    'mutated corpus scenarios give a value or a ConfigError, never a crash',
    () => {
      const arb = fc
        .constantFrom(...corpus)
        .chain((doc) =>
          fc.tuple(
            fc.constant(doc),
            fc.constantFrom(...paths(doc)),
            fc.option(replacement, { nil: undefined, freq: 3 }),
            fc.constantFrom(...paths(doc)),
            fc.option(replacement, { nil: undefined, freq: 3 }),
          ),
        )
        .map(([doc, p1, v1, p2, v2]) => {
          const once = mutate(doc, p1, v1);
          try {
            return mutate(once, p2, v2);
          } catch {
            return once;
          }
        });
      let valid = 0;
      let refused = 0;
      fc.assert(
        fc.property(arb, (doc) => {
          if (expectValueOrConfigError(safeParseScenarioDocument(doc))) valid++;
          else refused++;
        }),
        { seed: 11, numRuns: 3000 },
      );
      // Both outcomes are exercised: the mutations reach valid documents and deep refusals.
      expect(valid).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(100);
    },
  );
});
