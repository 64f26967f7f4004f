/**
 * The import never fails in an unplanned way: any text gives a document or a ConfigError, and a
 * document that comes out is plain JSON data; the YAML rendering reads back to the same document.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { importClusterConf, renderClusterConfImport } from '../../src/cman/index.js';
import { ConfigError } from '../../src/errors.js';

const names = [
  'cluster',
  'cman',
  'clusternodes',
  'clusternode',
  'fence',
  'method',
  'device',
  'fencedevices',
  'fencedevice',
  'quorumd',
  'totem',
  'rm',
  'pvevm',
  'failoverdomains',
  'failoverdomain',
  'failoverdomainnode',
  'heuristic',
  'x',
];
const attrNames = [
  'name',
  'nodeid',
  'votes',
  'config_version',
  'agent',
  'ipaddr',
  'port',
  'passwd',
  'two_node',
  'expected_votes',
  'token',
  'tko',
  'interval',
  'vmid',
  'domain',
  'action',
  'priority',
  'ordered',
  'zz',
];
const attrValues = [
  '1',
  '2',
  '0',
  'a',
  'node1',
  'fence_ipmilan',
  'fence_intelmodular',
  'fence_foo',
  'fence_pcmk',
  'off',
  'on',
  '',
  'x y',
  '10',
  '-1',
];

interface El {
  name: string;
  attrs: Array<[string, string]>;
  children: El[];
}
const attrsArb = fc.array(fc.tuple(fc.constantFrom(...attrNames), fc.constantFrom(...attrValues)), {
  maxLength: 4,
});
function elArbOf(depth: number): fc.Arbitrary<El> {
  const children = depth === 0 ? fc.constant<El[]>([]) : fc.array(elArbOf(depth - 1), { maxLength: 3 });
  return fc.record({ name: fc.constantFrom(...names), attrs: attrsArb, children });
}
const elArb = elArbOf(3);

/** True the first time `key` is seen (duplicate attributes or singleton elements are skipped). */
function firstTime(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function render(el: El): string {
  const seen = new Set<string>();
  const attrs = el.attrs
    .filter(([k]) => firstTime(seen, k))
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return el.children.length === 0
    ? `<${el.name}${attrs}/>`
    : `<${el.name}${attrs}>${el.children.map(render).join('')}</${el.name}>`;
}

let imported = 0;
function check(xml: string): void {
  try {
    const out = importClusterConf(xml);
    imported++;
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
    const back = parseYaml(renderClusterConfImport(out)) as { cluster: unknown };
    expect(back.cluster).toEqual(out.document);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
}

describe('importClusterConf under random input', () => {
  it('gives a document or a ConfigError for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => check(s)),
      { numRuns: 300, seed: 11 },
    );
  });

  it('gives a document or a ConfigError for any element tree', () => {
    fc.assert(
      fc.property(elArb, (root) => check(render(root))),
      { numRuns: 200, seed: 12 },
    );
  });

  it('maps random but mostly valid cluster.conf files, or refuses them with a ConfigError', () => {
    const deviceNames = ['d1', 'd2', 'd3'];
    const agents = [
      'fence_ipmilan',
      'fence_intelmodular',
      'fence_apc_snmp',
      'fence_virsh',
      'fence_pcmk',
      'fence_manual',
      'fence_idrac',
    ];
    const deviceArb = fc.record({
      agent: fc.constantFrom(...agents),
      attrs: fc.array(
        fc.tuple(
          fc.constantFrom('login', 'passwd', 'lanplus', 'snmp_version', 'delay', 'port', 'community', 'zz'),
          fc.constantFrom('1', '3', 'x'),
        ),
        { maxLength: 3 },
      ),
    });
    const methodArb = fc.array(
      fc.record({
        dev: fc.constantFrom(...deviceNames, 'nope'),
        port: fc.option(fc.constantFrom('1', '2')),
        action: fc.option(fc.constantFrom('off', 'on', 'reboot')),
      }),
      { maxLength: 3 },
    );
    const nodeArb = fc.record({
      votes: fc.option(fc.constantFrom('0', '1', '2', 'x')),
      methods: fc.array(methodArb, { maxLength: 3 }),
      extra: fc.array(elArbOf(1), { maxLength: 1 }),
    });
    const topArb = fc.array(
      fc.record({
        name: fc.constantFrom('cman', 'quorumd', 'totem', 'fence_daemon', 'rm', 'logging', 'x'),
        attrs: attrsArb,
        children: fc.array(elArbOf(2), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    );
    fc.assert(
      fc.property(
        fc.array(nodeArb, { minLength: 1, maxLength: 3 }),
        fc.array(deviceArb, { minLength: 3, maxLength: 3 }),
        topArb,
        (nodes, devices, top) => {
          const uniq = (attrs: Array<[string, string]>) => {
            const seen = new Set<string>();
            return attrs
              .filter(([k]) => firstTime(seen, k))
              .map(([k, v]) => ` ${k}="${v}"`)
              .join('');
          };
          const nodeXml = nodes
            .map((n, i) => {
              const methods = n.methods
                .map(
                  (m, j) =>
                    `<method name="m${j}">${m.map((d) => `<device name="${d.dev}"${d.port === null ? '' : ` port="${d.port}"`}${d.action === null ? '' : ` action="${d.action}"`}/>`).join('')}</method>`,
                )
                .join('');
              return `<clusternode name="node${i + 1}" nodeid="${i + 1}"${n.votes === null ? '' : ` votes="${n.votes}"`}><fence>${methods}</fence>${n.extra.map(render).join('')}</clusternode>`;
            })
            .join('');
          const devXml = devices
            .map(
              (d, i) =>
                `<fencedevice name="${deviceNames[i]}" agent="${d.agent}" ipaddr="10.0.0.${i + 1}"${uniq(d.attrs)}/>`,
            )
            .join('');
          const seenTop = new Set<string>();
          const topXml = top
            .filter((t) => firstTime(seenTop, t.name))
            .map(render)
            .join('');
          check(
            `<cluster name="c" config_version="1">${topXml}<clusternodes>${nodeXml}</clusternodes><fencedevices>${devXml}</fencedevices></cluster>`,
          );
        },
      ),
      { numRuns: 400, seed: 13 },
    );
    // The files must reach the mapping code, not only the error paths.
    expect(imported).toBeGreaterThan(40);
  });
});
