/**
 * Golden pairs (STYLE.md §7, pve `rules_cfgs`): each `test/config/<case>.yaml` is a `cluster:`
 * document (or, when named `scenario-*.yaml`, a whole scenario file); `<case>.expect` pins what
 * the library says about it: the `ConfigError` message for an invalid one, `ok` and the
 * normalised configuration for a valid one. Rewrite with `vitest -u` and read the diff.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, parseClusterConfig, parseScenario } from '../../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const dir = resolve(here, '../../../../test/config');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function render(file: string): string {
  const text = readFileSync(join(dir, file), 'utf8');
  try {
    if (file.startsWith('scenario-')) {
      const s = parseScenario(text);
      return `ok\n${JSON.stringify({ events: s.events, expect: s.expect, untilMs: s.untilMs }, null, 2)}\n`;
    }
    return `ok\n${JSON.stringify(parseClusterConfig(parse(text)), null, 2)}\n`;
  } catch (e) {
    if (e instanceof ConfigError) return `${e.message}\n`;
    throw e;
  }
}

describe('config goldens (test/config/*.yaml -> .expect)', () => {
  it('has golden cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });
  it.each(cases)('%s', async (file) => {
    await expect(render(file)).toMatchFileSnapshot(join(dir, file.replace(/\.yaml$/, '.expect')));
  });
});
