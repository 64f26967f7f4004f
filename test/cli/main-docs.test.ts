/**
 * The user documentation stays true to the code: every key of the cluster document's schema is
 * described in docs/configuration.md, every command of `quorate --help` and every flag of each
 * command's `--help` in docs/cli.md, and the documents and scenario of docs/getting-started.md
 * lint clean and run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { quorate } from './run-quorate.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'quorate-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every property name anywhere in a JSON Schema. */
function propertyNames(s: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(s)) for (const x of s) propertyNames(x, into);
  else if (s !== null && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties' && v !== null && typeof v === 'object')
        for (const p of Object.keys(v)) into.add(p);
      propertyNames(v, into);
    }
  }
  return into;
}

describe('docs/configuration.md', () => {
  it('describes every key of the cluster document schema', async () => {
    const schema = JSON.parse((await quorate('schema')).out);
    const names = [...propertyNames(schema)];
    expect(names.length).toBeGreaterThan(40);
    const text = doc('configuration.md');
    expect(names.filter((n) => !text.includes(`\`${n}\``))).toEqual([]);
  });
});

describe('docs/cli.md', () => {
  it('documents every command and every long option of each command', async () => {
    const text = doc('cli.md');
    const usage = (await quorate('--help')).out;
    const commands = [...usage.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1] as string);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    for (const c of commands) {
      expect(text).toContain(`## \`quorate ${c}`);
      const help = (await quorate(c, '--help')).out;
      const flags = [...new Set([...help.matchAll(/(--[a-z][a-z-]+)/g)].map((m) => m[1] as string))];
      expect(
        flags.filter((f) => f !== '--help' && !text.includes(f)),
        `quorate ${c}`,
      ).toEqual([]);
    }
  });
});

describe('docs/getting-started.md', () => {
  const text = doc('getting-started.md');
  const yamls = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

  it('its cluster document lints clean, with no warning', async () => {
    const f = join(dir, 'cluster.yaml');
    writeFileSync(f, yamls[0] ?? '');
    expect(await quorate('lint', f)).toEqual({
      code: 0,
      out: "ok: cluster 'web' configVersion 1, 3 nodes, 2 resources, 3 fence devices\n",
      err: '',
    });
  });

  it('its scenario holds in the simulator', async () => {
    const f = join(dir, 'failover.yaml');
    writeFileSync(f, yamls[1] ?? '');
    const r = await quorate('simulate', f);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok: 'node1-power-loss' holds every expectation and invariant/);
  });
});
