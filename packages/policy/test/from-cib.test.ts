import { describe, expect, it } from 'vitest';
import { CibError, type ClusterSnapshot, fromCib } from '../src/index.js';

interface CibParts {
  props?: Record<string, string>;
  nodes?: string;
  resources?: string;
  constraints?: string;
  status?: string;
  cibAttrs?: string;
  extraConfig?: string;
}

/** Builds a small CIB; node n1 (id 1) and n2 (id 2) unless `nodes` is given. */
function cib(p: CibParts): string {
  const props = Object.entries(p.props ?? { 'stonith-enabled': 'false' })
    .map(([k, v], i) => `<nvpair id="p${i}" name="${k}" value="${v}"/>`)
    .join('');
  return `<cib have-quorum="1" ${p.cibAttrs ?? ''}><configuration>
<crm_config><cluster_property_set id="cib-bootstrap-options">${props}</cluster_property_set></crm_config>
<nodes>${p.nodes ?? '<node id="1" uname="n1"/><node id="2" uname="n2"/>'}</nodes>
<resources>${p.resources ?? ''}</resources>
<constraints>${p.constraints ?? ''}</constraints>${p.extraConfig ?? ''}
</configuration><status>${p.status ?? ''}</status></cib>`;
}

const online = (id: string, name: string, lrm = '') =>
  `<node_state id="${id}" uname="${name}" in_ccm="true" crmd="online" join="member" expected="member">${lrm}</node_state>`;
const dummy = (id: string, inner = '') =>
  `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${inner}</primitive>`;

function error(xml: string): CibError {
  try {
    fromCib(xml);
  } catch (e) {
    if (e instanceof CibError) return e;
    throw e;
  }
  throw new Error('fromCib accepted the CIB');
}

describe('fromCib refuses what it cannot read', () => {
  it.each<[string, string, string, string | undefined, RegExp]>([
    ['text that is not XML', 'this is not xml', 'CIB_INVALID', undefined, /not well-formed XML/],
    ['unbalanced tags', '<cib><configuration></cib>', 'CIB_INVALID', undefined, /not well-formed XML/],
    ['a root other than <cib>', '<nodes/>', 'CIB_INVALID', 'nodes', /expected <cib>/],
    [
      'duplicate ids',
      cib({ resources: dummy('a') + dummy('a') }),
      'CIB_INVALID',
      'primitive',
      /duplicate id 'a'/,
    ],
    [
      'a location naming an unknown resource',
      cib({ constraints: '<rsc_location id="l1" rsc="ghost" node="n1" score="5"/>' }),
      'CIB_INVALID',
      'rsc_location',
      /unknown resource 'ghost'/,
    ],
    [
      'a colocation naming an unknown resource',
      cib({
        resources: dummy('a'),
        constraints: '<rsc_colocation id="c1" rsc="a" with-rsc="ghost" score="5"/>',
      }),
      'CIB_INVALID',
      'rsc_colocation',
      /unknown resource 'ghost'/,
    ],
    [
      'clone',
      cib({ resources: `<clone id="cl">${dummy('a')}</clone>` }),
      'CIB_UNSUPPORTED',
      'clone',
      /<clone id='cl'>/,
    ],
    [
      'master',
      cib({ resources: `<master id="ms">${dummy('a')}</master>` }),
      'CIB_UNSUPPORTED',
      'master',
      /<master id='ms'>/,
    ],
    ['bundle', cib({ resources: '<bundle id="b"/>' }), 'CIB_UNSUPPORTED', 'bundle', /<bundle id='b'>/],
    [
      'template',
      cib({ resources: '<template id="t" class="ocf" provider="pacemaker" type="Dummy"/>' }),
      'CIB_UNSUPPORTED',
      'template',
      /<template id='t'>/,
    ],
    [
      'utilization',
      cib({
        resources: dummy('a', '<utilization id="u"><nvpair id="u1" name="cpu" value="1"/></utilization>'),
      }),
      'CIB_UNSUPPORTED',
      'utilization',
      /<utilization id='u'>/,
    ],
    [
      'date_expression',
      cib({
        resources: dummy('a'),
        constraints:
          '<rsc_location id="l" rsc="a"><rule id="r" score="5"><date_expression id="d" operation="in_range" start="2020-01-01"/></rule></rsc_location>',
      }),
      'CIB_UNSUPPORTED',
      'date_expression',
      /<date_expression id='d'>/,
    ],
    [
      'rsc_ticket',
      cib({ resources: dummy('a'), constraints: '<rsc_ticket id="t" rsc="a" ticket="T"/>' }),
      'CIB_UNSUPPORTED',
      'rsc_ticket',
      /<rsc_ticket id='t'>/,
    ],
    ['tags', cib({ extraConfig: '<tags><tag id="tg"/></tags>' }), 'CIB_UNSUPPORTED', 'tags', /<tags>/],
    [
      'resource sets',
      cib({
        resources: dummy('a'),
        constraints:
          '<rsc_order id="o"><resource_set id="s"><resource_ref id="a"/></resource_set></rsc_order>',
      }),
      'CIB_UNSUPPORTED',
      'resource_set',
      /<resource_set id='s'>/,
    ],
    [
      'placement-strategy other than default',
      cib({ props: { 'stonith-enabled': 'false', 'placement-strategy': 'balanced' } }),
      'CIB_UNSUPPORTED',
      'nvpair',
      /placement-strategy 'balanced'/,
    ],
    [
      'remote nodes',
      cib({ nodes: '<node id="r1" uname="r1" type="remote"/>' }),
      'CIB_UNSUPPORTED',
      'node',
      /node type 'remote'/,
    ],
  ])('%s', (_what, xml, code, element, message) => {
    const e = error(xml);
    expect(e.code).toBe(code);
    expect(e.element).toBe(element);
    expect(e.message).toMatch(message);
  });

  it('keeps a constraint that names an unknown node (Pacemaker ignores it)', () => {
    const s = fromCib(
      cib({ resources: dummy('a'), constraints: '<rsc_location id="l" rsc="a" node="ghost" score="5"/>' }),
    );
    expect(s.constraints).toEqual([{ kind: 'location', id: 'l', resource: 'a', node: 'ghost', score: 5 }]);
  });
});

describe('fromCib reads node states (Pacemaker determine_online_status)', () => {
  type Row = [string, boolean, string, Partial<ClusterSnapshot['nodes'][number]>];
  const rows: Row[] = [
    ['member', true, 'in_ccm="true" crmd="online" join="member" expected="member"', { state: 'online' }],
    ['cleanly down', true, 'in_ccm="false" crmd="offline" join="down" expected="down"', { state: 'offline' }],
    [
      'lost while expected up',
      true,
      'in_ccm="false" crmd="offline" join="member" expected="member"',
      { state: 'unclean', uncleanReason: 'peer is no longer part of the cluster' },
    ],
    [
      'stack up, controller gone',
      true,
      'in_ccm="true" crmd="offline" join="member" expected="member"',
      { state: 'unclean', uncleanReason: 'peer process is no longer available', inMembership: true },
    ],
    ['joining', true, 'in_ccm="true" crmd="online" join="pending" expected="member"', { state: 'pending' }],
    [
      'never seen by membership',
      true,
      'crmd="online" join="down"',
      { state: 'unclean', uncleanReason: 'peer has not been seen by the cluster' },
    ],
    [
      'banned',
      true,
      'in_ccm="true" crmd="online" join="banned"',
      { state: 'unclean', uncleanReason: 'peer failed Pacemaker membership criteria', inMembership: true },
    ],
    [
      'no fencing: lost while expected up',
      false,
      'in_ccm="false" crmd="offline" join="member" expected="member"',
      { state: 'offline' },
    ],
    [
      'no fencing: controller gone while expected up',
      false,
      'in_ccm="true" crmd="offline" join="member" expected="member"',
      { state: 'unclean', uncleanReason: 'peer is unexpectedly down' },
    ],
    [
      'no fencing: member',
      false,
      'in_ccm="true" crmd="online" join="member" expected="member"',
      { state: 'online' },
    ],
  ];
  it.each(rows)('%s (stonith-enabled=%s)', (_what, stonith, attrs, expected) => {
    const s = fromCib(
      cib({
        props: { 'stonith-enabled': String(stonith) },
        nodes: '<node id="1" uname="n1"/>',
        status: `<node_state id="1" uname="n1" ${attrs}/>`,
      }),
    );
    expect(s.nodes[0]).toMatchObject(expected);
  });

  it('treats a node without node_state as unclean under startup-fencing, offline otherwise', () => {
    expect(
      fromCib(cib({ props: { 'stonith-enabled': 'true' }, nodes: '<node id="1" uname="n1"/>' })).nodes[0]
        ?.state,
    ).toBe('unclean');
    expect(
      fromCib(cib({ props: { 'stonith-enabled': 'false' }, nodes: '<node id="1" uname="n1"/>' })).nodes[0]
        ?.state,
    ).toBe('offline');
  });

  it('reads standby, maintenance, shutdown, fail counts, dc and quorum', () => {
    const s = fromCib(
      cib({
        cibAttrs: 'dc-uuid="2" execution-date="1000" crm_feature_set="3.16.1"',
        resources: dummy('web'),
        status:
          online('1', 'n1') +
          `<node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="2"><instance_attributes id="t2">
<nvpair id="a" name="standby" value="on"/><nvpair id="b" name="fail-count-web#start_0" value="INFINITY"/>
<nvpair id="c" name="last-failure-web#start_0" value="900"/><nvpair id="d" name="pingd" value="5"/></instance_attributes></transient_attributes></node_state>`,
      }),
    );
    expect(s.nowMs).toBe(1_000_000);
    expect(s.hasQuorum).toBe(true);
    expect(s.nodes[1]).toMatchObject({
      name: 'n2',
      standby: true,
      isDc: true,
      attributes: { standby: 'on', pingd: '5' },
    });
    expect(s.failCounts).toEqual([{ resource: 'web', node: 'n2', count: 1_000_000, lastFailureMs: 900_000 }]);
  });
});

describe('fromCib replays operation history (last op wins)', () => {
  const op = (id: string, task: string, rc: number, call: number, target = 0, interval = 0, status = 0) =>
    `<lrm_rsc_op id="${id}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="${status}" transition-key="1:1:${target}:x" last-rc-change="100"/>`;
  const withOps = (ops: string, meta = '') =>
    fromCib(
      cib({
        resources: dummy('r', meta),
        status: online(
          '1',
          'n1',
          `<lrm id="1"><lrm_resources><lrm_resource id="r" class="ocf" provider="pacemaker" type="Dummy">${ops}</lrm_resource></lrm_resources></lrm>`,
        ),
        cibAttrs: 'execution-date="1000"',
      }),
    ).state;
  it.each<[string, string, string | undefined]>([
    ['a successful start: active', op('r_start_0', 'start', 0, 2), 'active'],
    ['start then stop: stopped', op('r_start_0', 'start', 0, 2) + op('r_stop_0', 'stop', 0, 3), 'stopped'],
    ['probe finding it not running: stopped', op('r_monitor_0', 'monitor', 7, 1, 7), 'stopped'],
    ['probe finding it running: active', op('r_monitor_0', 'monitor', 0, 1, 7), 'active'],
    [
      'monitor returning 7 unexpectedly: failed',
      op('r_start_0', 'start', 0, 2) + op('r_monitor_10000', 'monitor', 7, 3, 0, 10000),
      'failed',
    ],
    ['failed start: failed', op('r_start_0', 'start', 1, 2), 'failed'],
    [
      'ops are ordered by call-id, not document order',
      op('r_stop_0', 'stop', 0, 3) + op('r_start_0', 'start', 0, 2),
      'stopped',
    ],
    [
      'failed stop without fencing: blocked (on-fail defaults to block)',
      op('r_start_0', 'start', 0, 2) + op('r_stop_0', 'stop', 1, 3),
      'blocked',
    ],
  ])('%s', (_what, ops, status) => {
    const st = withOps(ops);
    expect(st[0]?.status).toBe(status);
  });

  it('marks a failed stop', () => {
    expect(withOps(op('r_start_0', 'start', 0, 2) + op('r_stop_0', 'stop', 1, 3))[0]?.stopFailed).toBe(true);
  });

  it('ignores an expired failure (failure-timeout) when no unexpired fail count remains', () => {
    const meta =
      '<meta_attributes id="m"><nvpair id="m1" name="failure-timeout" value="60s"/></meta_attributes>';
    // The only operation is ignored, so nothing is known about the resource on that node.
    expect(withOps(op('r_start_0', 'start', 1, 2), meta)).toEqual([]);
    const probedFirst = op('r_monitor_0', 'monitor', 7, 1, 7) + op('r_start_0', 'start', 1, 2);
    expect(withOps(probedFirst, meta)[0]?.status).toBe('stopped');
  });

  it('honours on-fail=block and on-fail=ignore', () => {
    const ops = op('r_start_0', 'start', 0, 2) + op('r_monitor_10000', 'monitor', 1, 3, 0, 10000);
    const block = '<operations><op id="o" name="monitor" interval="10s" on-fail="block"/></operations>';
    const ignore = '<operations><op id="o" name="monitor" interval="10s" on-fail="ignore"/></operations>';
    expect(withOps(ops, block)[0]?.status).toBe('blocked');
    expect(withOps(ops, ignore)[0]?.status).toBe('active');
  });
});
