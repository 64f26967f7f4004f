/**
 * Differential test: Quorate's scheduler against the installed Pacemaker `crm_simulate` 2.1.5 on
 * random CIBs (primitives + location constraints, node states, quorum and fencing options,
 * operation history, fail counts). Placements and fence sets must be identical.
 *
 * Seed and size: QUORATE_DIFF_SEED (default 20261122) and QUORATE_DIFF_COUNT (default 500).
 * A second run adds groups, colocations and orderings (QUORATE_DIFF_EXT_COUNT, default 150; 0 skips).
 * Mismatching CIBs are kept in $TMPDIR/quorate-diff-<seed>/; re-run one with
 * `crm_simulate -x <file> -S` or `node --conditions=@quorate/source --import tsx
 * test/differential/run.ts <count> <seed>`.
 */
import { describe, expect, it } from 'vitest';
import { crmSimulateVersion, parseCrmSimulateXml } from './differential/crm-simulate.js';
import { caseSeed, generateCib } from './differential/generate-cib.js';
import { describeMismatch, envOptions, runDifferential } from './differential/harness.js';

const version = crmSimulateVersion();
if (version === null) {
  console.warn(
    'differential test skipped: crm_simulate is not installed (apt-get install pacemaker-cli-utils)',
  );
}

describe('CIB generator', () => {
  it('is deterministic per seed and varies across seeds', () => {
    const a = generateCib(caseSeed(1, 0));
    const b = generateCib(caseSeed(1, 0));
    const c = generateCib(caseSeed(1, 1));
    expect(a.xml).toBe(b.xml);
    expect(c.xml).not.toBe(a.xml);
  });

  it('keeps to the subset: primitives and location constraints only', () => {
    for (let i = 0; i < 50; i++) {
      const { xml } = generateCib(caseSeed(7, i));
      expect(xml).not.toMatch(/<(group|clone|master|bundle|rsc_colocation|rsc_order)\b/);
      expect(xml).toMatch(/execution-date="\d+"/);
    }
  });
});

describe('crm_simulate output parser', () => {
  it('applies starts, stops and fences to the current status; fences form a sorted set', () => {
    const xml = `<pacemaker-result api-version="2.25" request="crm_simulate">
  <cluster_status>
    <nodes/>
    <resources>
      <resource id="r1" role="Started" active="true" nodes_running_on="1"><node name="n3" id="3" cached="true"/></resource>
      <resource id="r2" role="Started" active="true" nodes_running_on="1"><node name="n2" id="2" cached="true"/></resource>
      <resource id="r3" role="Started" active="true" nodes_running_on="1"><node name="n1" id="1" cached="true"/></resource>
      <resource id="r4" role="Stopped" active="false" nodes_running_on="0"/>
    </resources>
  </cluster_status>
  <allocations>
    <node_weight function="pcmk__primitive_assign" node="n2" score="-INFINITY" id="r1"/>
    <node_weight function="pcmk__primitive_assign" node="n10" score="5" id="r1"/>
  </allocations>
  <actions>
    <node_action task="Fence (reboot)" node="n3" reason="peer is no longer part of the cluster"/>
    <node_action task="Fence (reboot)" node="n1" reason="node is unclean"/>
    <rsc_action action="move" resource="r1" source="n3" dest="n10"/>
  </actions>
  <transition>
    <fencing_action target="n3" op="reboot"/>
    <fencing_action target="n1" op="reboot"/>
    <pseudo_action task="r1_stop_0"/>
    <rsc_action resource="r1" op="start" node="n10"/>
    <rsc_action resource="r2" op="stop" node="n2"/>
    <rsc_action resource="r2" op="monitor" node="n2"/>
  </transition>
  <revised_cluster_status/>
  <status code="0" message="OK"/>
</pacemaker-result>`;
    const r = parseCrmSimulateXml(xml);
    expect(r).toMatchObject({
      placements: { r1: 'n10', r2: null, r3: null, r4: null },
      fence: ['n1', 'n3'],
      scores: { r1: { n2: -1_000_000, n10: 5 } },
    });
  });
});

describe('crm_simulate output parser: primitives hidden from the status output', () => {
  const xml = `<pacemaker-result api-version="2.25" request="crm_simulate">
  <cluster_status><nodes/><resources>
    <resource id="r1" role="Stopped" active="false" nodes_running_on="0"/>
  </resources></cluster_status>
  <transition><rsc_action resource="r5" op="stop" node="n2"/><rsc_action resource="r5" op="start" node="n3"/></transition>
  <revised_cluster_status/>
  <status code="0" message="OK"/>
</pacemaker-result>`;
  it('takes their current nodes from the locate map and applies the transition', () => {
    const r = parseCrmSimulateXml(xml, new Map([['r5', ['n2']]]), ['r1', 'r5']);
    expect(r).toMatchObject({ placements: { r1: null, r5: 'n3' } });
  });
  it('fails instead of guessing when a primitive cannot be located', () => {
    expect(parseCrmSimulateXml(xml, new Map(), ['r1', 'r5'])).toEqual({
      error: "primitive r5 missing from crm_simulate's status output",
    });
  });
});

describe.skipIf(version === null)(`differential: quorate vs ${version ?? 'crm_simulate'}`, () => {
  it('agrees with crm_simulate on placements and fence sets of random CIBs', async () => {
    const { masterSeed, count } = envOptions();
    const r = await runDifferential({ masterSeed, count });
    console.info(
      `differential seed ${r.masterSeed}: ${r.agreed}/${r.count} agree, ${r.mismatches.length} mismatches, ` +
        `${r.oracleFailures.length} oracle failures, ${r.oracleSkipped.length} not comparable ` +
        `(crm_simulate: invalid transition) in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    const report = [...r.oracleFailures, ...r.mismatches].slice(0, 15).map(describeMismatch).join('\n\n');
    // Oracle failures mean the generator produced a CIB crm_simulate rejects: a harness bug.
    expect(r.oracleFailures.length, `crm_simulate rejected generated CIBs:\n${report}`).toBe(0);
    // Cases crm_simulate cannot execute are not compared; they must stay rare.
    expect(r.oracleSkipped.length).toBeLessThanOrEqual(Math.ceil(r.count * 0.05));
    expect(
      r.mismatches.length,
      `${r.mismatches.length}/${r.count} CIBs disagree (seed ${r.masterSeed}; first 15 below; CIBs in ${r.dir}):\n${report}`,
    ).toBe(0);
  }, 300_000);

  it('agrees on random CIBs with groups, colocations and orderings (extended subset)', async () => {
    const { masterSeed, extendedCount } = envOptions();
    if (extendedCount === 0) return;
    const r = await runDifferential({ masterSeed, count: extendedCount, extended: true });
    console.info(
      `differential (extended) seed ${r.masterSeed}: ${r.agreed}/${r.count} agree, ${r.mismatches.length} ` +
        `mismatches, ${r.oracleFailures.length} oracle failures, ${r.oracleSkipped.length} not comparable ` +
        `(crm_simulate: invalid transition) in ${(r.elapsedMs / 1000).toFixed(1)} s`,
    );
    const report = [...r.oracleFailures, ...r.mismatches].slice(0, 15).map(describeMismatch).join('\n\n');
    expect(r.oracleFailures.length, `crm_simulate rejected generated CIBs:\n${report}`).toBe(0);
    expect(r.oracleSkipped.length).toBeLessThanOrEqual(Math.ceil(r.count * 0.05));
    expect(
      r.mismatches.length,
      `${r.mismatches.length}/${r.count} extended CIBs disagree (seed ${r.masterSeed}; CIBs in ${r.dir}):\n${report}`,
    ).toBe(0);
  }, 300_000);
});
