/**
 * Conformance against Pacemaker's own scheduler regression cases (crm_simulate 2.1.5 outputs),
 * read in place from `../shared/conformance/pacemaker/`. For every case the policy subset covers,
 * compares (a) the revised placement of every resource, (b) the fence set and (c) the Transition
 * Summary as a multiset of whitespace-normalised lines. Expected answers come only from the
 * corpus `.summary` files, plus the primitive allocation scores from the `.scores` files. Cases
 * outside the subset are listed with the reason.
 *
 * Also checks `quorate policy`'s exit-2 paths (bad input → message on stderr, nothing on stdout).
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { policy } from '../packages/cli/src/commands/policy.js';
import { runCase } from './conformance/corpus-case.js';

const corpus = new URL('../../shared/conformance/pacemaker/', import.meta.url).pathname;
const present = existsSync(corpus);
const names = present
  ? readdirSync(corpus)
      .filter((f) => f.endsWith('.xml'))
      .map((f) => f.slice(0, -4))
      .sort()
  : [];

describe.skipIf(!present)('Pacemaker conformance corpus', () => {
  const skipped: string[] = [];
  for (const name of names) {
    const result = runCase(corpus, name);
    if ('skipped' in result) {
      skipped.push(`${name}: ${result.skipped}`);
      it.skip(`${name} (${result.skipped})`, () => {});
      continue;
    }
    it(`${name}: placements, fence set, transition summary and allocation scores match crm_simulate`, () => {
      expect(result.placementDiffs, 'revised placements').toEqual([]);
      expect(result.fenceDiff, 'fence set').toBeUndefined();
      expect({ missing: result.missingLines, extra: result.extraLines }, 'transition summary').toEqual({
        missing: [],
        extra: [],
      });
      expect(result.scoreDiffs, 'primitive allocation scores (.scores file)').toEqual([]);
      // Stricter than Pacemaker's own `diff -w`: same lines, same order, same column widths.
      expect(result.actualSummaryRaw, 'transition summary text').toEqual(result.expected.transitionRaw);
    });
  }
  it('lists the cases outside the subset', () => {
    console.log(`conformance: ${names.length - skipped.length} run, ${skipped.length} skipped`);
    for (const s of skipped) console.log(`  skipped ${s}`);
    expect(names.length).toBeGreaterThan(0);
  });
});

if (!present) {
  describe('Pacemaker conformance corpus', () => {
    it.skip(`corpus not found at ${corpus}: conformance cases skipped`, () => {});
  });
}

describe('quorate policy exit codes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-policy-'));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await policy(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  };
  const cib = (body: string) =>
    `<cib have-quorum="1"><configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes>${body}</configuration><status/></cib>`;

  it.each([
    ['a missing file', ['--cib', join(dir, 'absent.xml')], /cannot read .*no such file/],
    ['no --cib', [], /--cib FILE is required/],
    [
      'text that is not XML',
      ['--cib', write('bad.xml', '<cib><configuration></cib>')],
      /not well-formed XML/,
    ],
    [
      'an unsupported element',
      [
        '--cib',
        write(
          'clone.xml',
          cib(
            '<resources><clone id="c1"><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/></clone></resources>',
          ),
        ),
      ],
      /<clone id='c1'> is not supported/,
    ],
    [
      'duplicate ids',
      [
        '--cib',
        write(
          'dup.xml',
          cib(
            '<resources><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/></resources>',
          ),
        ),
      ],
      /duplicate id 'p'/,
    ],
    [
      'a constraint naming an unknown resource',
      [
        '--cib',
        write(
          'unknown.xml',
          cib(
            '<resources/><constraints><rsc_location id="l" rsc="ghost" node="n1" score="10"/></constraints>',
          ),
        ),
      ],
      /unknown resource 'ghost'/,
    ],
  ])('exits 2 on %s, with the problem on stderr and nothing on stdout', async (_what, argv, message) => {
    const r = await run(argv as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message as RegExp);
  });

  it('prints exactly one JSON object with --json', async () => {
    const p = write(
      'ok.xml',
      cib('<resources><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/></resources>')
        .replace(
          '<crm_config/>',
          '<crm_config><cluster_property_set id="o"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>',
        )
        .replace(
          '<status/>',
          '<status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/></status>',
        ),
    );
    const r = await run(['--cib', p, '--json']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.placements).toEqual({ p: 'n1' });
    expect(parsed.actions).toEqual([{ op: 'start', resource: 'p', node: 'n1' }]);
    expect(parsed.fence).toEqual([]);
    expect(parsed.scores).toEqual({ p: { n1: 0 } });
  });
});
