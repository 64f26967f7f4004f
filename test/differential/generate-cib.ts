/**
 * Seeded generator of random Pacemaker CIBs inside Quorate's policy subset (primitives and
 * location constraints, node states, quorum and fencing options, operation history and fail
 * counts). Every CIB is meant to be accepted by `crm_simulate` 2.1.5 (schema pacemaker-3.9).
 *
 * Determinism: all randomness comes from {@link mulberry32}; the same seed always yields the
 * same XML. "now" is pinned with `execution-date` so failure-timeout expiry is reproducible.
 */

import { createSeededRandom } from '@quorate/core/testing';

/** Pacemaker's INFINITY. */
export const INF = 1_000_000;

/**
 * mulberry32: a small 32-bit PRNG. Returns a function yielding floats in [0, 1).
 * Same seed → same sequence.
 */
export function mulberry32(seed: number): () => number {
  const r = createSeededRandom(seed);
  return () => r.next();
}

/** Derives the seed of case `index` from a master seed (a 32-bit integer hash, stable). */
export function caseSeed(master: number, index: number): number {
  let h = (master ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Small helper around a PRNG: integers, picks, weighted choices. */
export class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from empty array');
    return item;
  }
  /** One value by weight: `[[weight, value], ...]`. */
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    const total = table.reduce((s, [w]) => s + w, 0);
    let r = this.next() * total;
    for (const [w, v] of table) {
      r -= w;
      if (r < 0) return v;
    }
    const last = table[table.length - 1];
    if (last === undefined) throw new Error('weighted pick from empty table');
    return last[1];
  }
  /** Fisher-Yates shuffle (copy). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }
}

/** How a generated node appears in the status section. */
export type GenNodeState =
  | 'online'
  | 'offline' // in_ccm=false crmd=offline expected=down
  | 'lost' // in_ccm=false crmd=offline expected=member  (unclean with fencing)
  | 'process-lost' // in_ccm=true crmd=offline expected=member (unclean)
  | 'unseen' // no node_state at all
  | 'pending'; // in_ccm=true crmd=online join=pending (joining)

/** What the operation history says about one resource on one node. */
export type GenHistory =
  | 'none'
  | 'probed-stopped' // monitor_0 rc 7
  | 'running' // start rc 0 + recurring monitor rc 0
  | 'stopped' // start rc 0 then stop rc 0
  | 'failed-start' // start rc 1
  | 'failed-monitor'; // start rc 0, recurring monitor rc 7

/** Options for {@link generateCib}. */
export interface GenerateOptions {
  /** Upper bound for the node count (default 8, minimum 2). */
  maxNodes?: number;
  /** Upper bound for the primitive count (default 12). */
  maxResources?: number;
  /**
   * Also generate groups, colocation and ordering constraints (the policy package supports them;
   * they are outside the brief's core subset, so the main test runs without them).
   */
  extended?: boolean;
}

/** One generated case. */
export interface GeneratedCib {
  seed: number;
  xml: string;
  /** A one-line description of the interesting knobs (for failure messages). */
  description: string;
}

interface Node {
  id: string;
  name: string;
  state: GenNodeState;
  permanent: Array<[string, string]>;
  transient: Array<[string, string]>;
  baseScore?: string;
}

interface Resource {
  id: string;
  cls: 'ocf' | 'stonith';
  meta: Array<[string, string]>;
  failureTimeoutSec: number;
}

const ATTRS = {
  rack: ['a', 'A', 'b', 'c', 'rack10', 'rack2'],
  weight: ['0', '1', '5', '10', '-3', '100', '9.5', 'abc', '999999', 'INFINITY', '-INFINITY', '1000000'],
  ver: ['1.2', '1.10', '1.2.10', '2.0', '0.9'],
  ssd: ['true', 'false', 'yes', 'TRUE'],
  zone: ['east', 'West', 'north'],
} as const satisfies Record<string, readonly string[]>;
type AttrName = keyof typeof ATTRS;
const ATTR_NAMES = Object.keys(ATTRS) as AttrName[];

const UUID = '9c1f2a34-6b5d-4e7f-8a90-1b2c3d4e5f60';
// Parameter digests Pacemaker 2.1.5 records for a parameterless agent (read from the history
// crm_simulate -S -O writes): without them every active resource gets "Restart ... due to
// resource definition change", which is outside the policy subset (it changes placements under
// no-quorum-policy=freeze, where the restart's start is blocked).
const DIGEST_ONESHOT = 'f2317cad3d54cec5d7d7aa7d0bf35cf8';
const DIGEST_MONITOR_10S = '4811cef7f7f94e3a35a70be7916cb2fd';

/** The `node_state` fields of each state that has one (`unseen` has none). */
const NODE_STATE_FIELDS: Record<Exclude<GenNodeState, 'unseen'>, Record<string, string>> = {
  online: { in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' },
  offline: { in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' },
  lost: { in_ccm: 'false', crmd: 'offline', join: 'member', expected: 'member' },
  'process-lost': { in_ccm: 'true', crmd: 'offline', join: 'member', expected: 'member' },
  pending: { in_ccm: 'true', crmd: 'online', join: 'pending', expected: 'member' },
};

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

/** Picks a location score: mostly small, sometimes ±INFINITY or large finite values near INF. */
function pickScore(rng: Rng): string {
  return rng.weighted<() => string>([
    [30, () => String(rng.int(-200, 200))],
    [10, () => 'INFINITY'],
    [10, () => '-INFINITY'],
    [2, () => '+INFINITY'],
    [8, () => String(rng.pick([600000, -600000, 999999, -999999, 500000, 400001, 1000000, -1000000]))],
    [6, () => String(rng.pick([0, 1, -1, 100, 1000]))],
  ])();
}

function nodeNames(rng: Rng, count: number): string[] {
  const style = rng.weighted<string>([
    [5, 'n'],
    [2, 'node'],
    [2, 'mixed'],
  ]);
  const numbers = rng.shuffle([1, 2, 3, 4, 5, 9, 10, 11, 12, 20, 21, 100]);
  const names: string[] = [];
  const fancy = ['alpha', 'Node-B', 'beta', 'Zeta', 'db10', 'db2', 'n01', 'web-1'];
  for (let i = 0; i < count; i++) {
    const n = numbers[i] ?? i + 200;
    if (style === 'mixed' && rng.chance(0.5)) {
      const candidate = rng.pick(fancy);
      if (!names.some((x) => x.toLowerCase() === candidate.toLowerCase())) {
        names.push(candidate);
        continue;
      }
    }
    const prefix = style === 'node' ? 'node' : 'n';
    const candidate = `${prefix}${n}`;
    if (names.some((x) => x.toLowerCase() === candidate.toLowerCase())) names.push(`x${n}-${i}`);
    else names.push(candidate);
  }
  return names;
}

function resourceIds(rng: Rng, count: number): string[] {
  const pool = rng.shuffle([
    'r1',
    'r2',
    'r3',
    'r10',
    'r11',
    'rsc20',
    'db',
    'web',
    'A',
    'b',
    'ip-1',
    'ip-10',
    'fs',
  ]);
  return pool.slice(0, count);
}

function genExpression(rng: Rng, node: () => Node, id: string): string {
  const kind = rng.weighted<string>([
    [4, 'uname'],
    [8, 'attr'],
    [2, 'defined'],
  ]);
  if (kind === 'uname') {
    const op = rng.pick(['eq', 'ne', 'eq', 'lt', 'gt']);
    const n = node();
    // Built-in node attributes: mostly #uname, sometimes #id, #is_dc or #kind.
    const [attribute, value] = rng.weighted<[string, string]>([
      [8, ['#uname', n.name]],
      [1, ['#id', n.id]],
      [1, ['#is_dc', rng.pick(['true', 'false'])]],
      [1, ['#kind', rng.pick(['cluster', 'remote'])]],
    ]);
    return `<expression${attrs({ id, attribute, operation: op, value })}/>`;
  }
  const attribute = rng.chance(0.1) ? 'missing-attr' : rng.pick(ATTR_NAMES);
  if (kind === 'defined') {
    return `<expression${attrs({ id, attribute, operation: rng.pick(['defined', 'not_defined']) })}/>`;
  }
  const op = rng.pick(['eq', 'ne', 'lt', 'gt', 'lte', 'gte']);
  const values: readonly string[] = attribute === 'missing-attr' ? ['1', 'a'] : ATTRS[attribute as AttrName];
  const type = rng.weighted<string | undefined>([
    [5, undefined],
    [2, 'string'],
    [2, 'integer'],
    [2, 'number'],
    [2, 'version'],
  ]);
  // crm_simulate 2.1.5 loops forever comparing two non-numeric strings as versions
  // ("a" lte "a" type=version), so version references are always dotted numbers.
  const value =
    type === 'version'
      ? rng.pick(['1.2', '1.10', '1.2.10', '0.9', '2', '5'])
      : rng.chance(0.85)
        ? rng.pick(values)
        : rng.pick(['5', '1.5', 'B', '1.9']);
  return `<expression${attrs({ id, attribute, operation: op, value, type })}/>`;
}

function genRule(rng: Rng, node: () => Node, id: string, depth: number): string {
  const scoreAttr = depth === 0 && rng.chance(0.2);
  const ruleAttrs: Record<string, string | undefined> = { id };
  if (depth === 0) {
    if (scoreAttr) ruleAttrs['score-attribute'] = rng.chance(0.8) ? 'weight' : 'missing-attr';
    else ruleAttrs.score = pickScore(rng);
  }
  if (rng.chance(0.4)) ruleAttrs['boolean-op'] = rng.pick(['and', 'or']);
  const n = rng.int(1, 3);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    if (depth === 0 && rng.chance(0.1)) parts.push(genRule(rng, node, `${id}-sub${i}`, depth + 1));
    else parts.push(genExpression(rng, node, `${id}-e${i}`));
  }
  return `<rule${attrs(ruleAttrs)}>${parts.join('')}</rule>`;
}

/** Which history record an operation is: `<rsc>_last_0`, `<rsc>_last_failure_0` or the recurring monitor. */
type OpRecord = 'last' | 'last_failure' | 'recurring';

/** One recorded operation of a resource on a node. */
interface OpSpec {
  record: OpRecord;
  op: 'start' | 'stop' | 'monitor';
  interval: number;
  rc: number;
  target: number;
  call: number;
  t: number;
}

/** Interval of the recurring monitor (ms). */
const MONITOR_MS = 10000;

function opXml(rscId: string, node: string, o: OpSpec): string {
  const key = `${rscId}_${o.op}_${o.interval}`;
  const id = o.record === 'recurring' ? key : `${rscId}_${o.record}_0`;
  const tk = `${o.call}:1:${o.target}:${UUID}`;
  return `<lrm_rsc_op${attrs({
    id,
    operation_key: key,
    operation: o.op,
    'crm-debug-origin': 'do_update_resource',
    crm_feature_set: '3.16.1',
    'transition-key': tk,
    'transition-magic': `0:${o.rc};${tk}`,
    'exit-reason': '',
    on_node: node,
    'call-id': o.call,
    'rc-code': o.rc,
    'op-status': 0,
    interval: o.interval,
    'last-rc-change': o.t,
    'exec-time': 10,
    'queue-time': 0,
    'op-digest': o.interval === 0 ? DIGEST_ONESHOT : DIGEST_MONITOR_10S,
  })}/>`;
}

/** The operations each history records: `t` = time of the last operation, `failedOpAt` = the failure's. */
function historyOps(h: GenHistory, t: number, failedOpAt: number): OpSpec[] {
  const start = (rc: number, at: number, record: OpRecord = 'last'): OpSpec => ({
    record,
    op: 'start',
    interval: 0,
    rc,
    target: 0,
    call: 2,
    t: at,
  });
  const monitor = (rc: number, at: number, record: OpRecord = 'recurring'): OpSpec => ({
    record,
    op: 'monitor',
    interval: MONITOR_MS,
    rc,
    target: 0,
    call: 3,
    t: at,
  });
  switch (h) {
    case 'none':
      return [];
    case 'probed-stopped':
      return [{ record: 'last', op: 'monitor', interval: 0, rc: 7, target: 7, call: 1, t }];
    case 'running':
      return [start(0, t - 20), monitor(0, t - 19)];
    case 'stopped':
      return [{ record: 'last', op: 'stop', interval: 0, rc: 0, target: 0, call: 4, t }];
    case 'failed-start':
      return [start(1, failedOpAt), start(1, failedOpAt, 'last_failure')];
    case 'failed-monitor':
      return [start(0, failedOpAt - 100), monitor(7, failedOpAt), monitor(7, failedOpAt, 'last_failure')];
  }
}

/** Operation history XML for one resource on one node. `t` = time of the last operation. */
function historyXml(rsc: Resource, node: string, h: GenHistory, t: number, failedOpAt: number): string {
  if (h === 'none') return '';
  const agent =
    rsc.cls === 'stonith'
      ? `type="fence_dummy" class="stonith"`
      : `type="Dummy" class="ocf" provider="heartbeat"`;
  const ops = historyOps(h, t, failedOpAt).map((o) => opXml(rsc.id, node, o));
  return `<lrm_resource id="${xmlEscape(rsc.id)}" ${agent}>${ops.join('')}</lrm_resource>`;
}

function nvset(id: string, pairs: Array<[string, string]>, tag = 'instance_attributes'): string {
  if (pairs.length === 0) return '';
  const body = pairs
    .map(
      ([k, v], i) =>
        `<nvpair${attrs({ id: `${id}-${i}-${k.replace(/[^A-Za-z0-9_.-]/g, '_')}`, name: k, value: v })}/>`,
    )
    .join('');
  return `<${tag} id="${xmlEscape(id)}">${body}</${tag}>`;
}

/**
 * Generates one random CIB from `seed`. Pure and deterministic.
 */
export function generateCib(seed: number, options: GenerateOptions = {}): GeneratedCib {
  const rng = new Rng(seed);
  const maxNodes = Math.max(2, options.maxNodes ?? 8);
  const maxResources = Math.max(1, options.maxResources ?? 12);
  const now = 1_700_000_000 + rng.int(0, 10_000_000);

  // ---- cluster options
  const stonith = rng.chance(0.5);
  const fenceDevice = stonith ? rng.chance(0.75) : rng.chance(0.15);
  const nqp = rng.weighted<string | undefined>([
    [3, undefined],
    [3, 'stop'],
    [3, 'freeze'],
    [3, 'ignore'],
    [2, 'suicide'],
    [1, 'demote'],
  ]);
  const haveQuorum = rng.chance(0.7);
  const symmetric = rng.weighted<string | undefined>([
    [6, undefined],
    [1, 'true'],
    [2, 'false'],
  ]);
  const maintenanceMode = rng.chance(0.04);
  const stopAll = rng.chance(0.04);
  const noQuorumPanic = rng.chance(0.05);
  const stonithOff = stonith && rng.chance(0.1);

  // ---- nodes
  const nodeCount = rng.int(2, maxNodes);
  const names = nodeNames(rng, nodeCount);
  const nodes: Node[] = names.map((name, i) => {
    const state = rng.weighted<GenNodeState>([
      [62, 'online'],
      [12, 'offline'],
      [8, 'lost'],
      [6, 'process-lost'],
      [6, 'unseen'],
      [3, 'pending'],
    ]);
    const node: Node = { id: String(i + 1), name, state, permanent: [], transient: [] };
    for (const a of ATTR_NAMES) {
      if (!rng.chance(0.4)) continue;
      const pair: [string, string] = [a, rng.pick(ATTRS[a])];
      if (rng.chance(0.7)) node.permanent.push(pair);
      else node.transient.push(pair);
      // Sometimes the same attribute again as a transient attribute (precedence check).
      if (rng.chance(0.05)) node.transient.push([a, rng.pick(ATTRS[a])]);
    }
    if (rng.chance(0.12)) {
      const pair: [string, string] = ['standby', rng.pick(['on', 'true'])];
      (rng.chance(0.6) ? node.permanent : node.transient).push(pair);
    }
    if (rng.chance(0.08)) {
      const pair: [string, string] = ['maintenance', 'true'];
      (rng.chance(0.6) ? node.permanent : node.transient).push(pair);
    }
    if (state === 'online' && rng.chance(0.05)) node.transient.push(['shutdown', String(now - 30)]);
    if (rng.chance(0.08)) node.baseScore = String(rng.pick([1, 10, -5, 100, 600000, -INF]));
    return node;
  });
  const anyNode = () => rng.pick(nodes);
  const dc = nodes.find((n) => n.state === 'online');

  // ---- resources
  const rscCount = rng.int(1, maxResources);
  const ids = resourceIds(rng, rscCount);
  const resources: Resource[] = ids.map((id) => {
    const meta: Array<[string, string]> = [];
    let failureTimeoutSec = 0;
    if (rng.chance(0.3)) meta.push(['priority', String(rng.int(-3, 10))]);
    if (rng.chance(0.15))
      meta.push([
        'target-role',
        rng.weighted([
          [3, 'Stopped'],
          [2, 'Started'],
        ]),
      ]);
    if (rng.chance(0.3))
      meta.push(['resource-stickiness', rng.pick(['-10', '0', '1', '50', '100', '200', 'INFINITY'])]);
    if (rng.chance(0.3)) meta.push(['migration-threshold', rng.pick(['0', '1', '2', '3', '5', '-1'])]);
    if (rng.chance(0.25)) {
      failureTimeoutSec = rng.pick([30, 60, 120, 600]);
      meta.push(['failure-timeout', rng.chance(0.5) ? `${failureTimeoutSec}s` : String(failureTimeoutSec)]);
    }
    if (rng.chance(0.08)) meta.push(['is-managed', 'false']);
    return { id, cls: 'ocf', meta, failureTimeoutSec };
  });
  if (fenceDevice) {
    const fence: Resource = { id: 'fencer', cls: 'stonith', meta: [], failureTimeoutSec: 0 };
    resources.splice(rng.int(0, resources.length), 0, fence);
  }
  // ---- groups (extended mode): runs of 2-3 consecutive ocf primitives
  const groups: Array<{ id: string; members: string[]; meta: Array<[string, string]> }> = [];
  if (options.extended && rng.chance(0.6)) {
    const ocf = resources.filter((r) => r.cls === 'ocf').map((r) => r.id);
    let at = rng.int(0, 2);
    const want = rng.int(1, 2);
    while (groups.length < want && at + 1 < ocf.length) {
      const size = Math.min(rng.int(2, 3), ocf.length - at);
      const meta: Array<[string, string]> = [];
      if (rng.chance(0.3)) meta.push(['priority', String(rng.int(-2, 8))]);
      if (rng.chance(0.1)) meta.push(['target-role', 'Stopped']);
      if (rng.chance(0.3)) meta.push(['resource-stickiness', rng.pick(['0', '10', '100'])]);
      groups.push({ id: `g${groups.length + 1}`, members: ocf.slice(at, at + size), meta });
      at += size + rng.int(0, 2);
    }
  }
  const groupOf = new Map<string, string>();
  for (const g of groups) for (const m of g.members) groupOf.set(m, g.id);
  // Top-level items (what colocation/order constraints and half of the locations name).
  const topLevel = [
    ...resources.filter((r) => r.cls === 'ocf' && !groupOf.has(r.id)).map((r) => r.id),
    ...groups.map((g) => g.id),
  ];
  const rscDefaultsStickiness = rng.chance(0.4) ? rng.pick(['0', '1', '10', '100', '-5']) : undefined;

  // ---- constraints
  const constraints: string[] = [];
  const consCount = rng.int(0, Math.min(14, 2 * rscCount));
  for (let i = 0; i < consCount; i++) {
    const rsc =
      groups.length > 0 && rng.chance(0.5)
        ? { id: rng.pick(topLevel) }
        : rng.pick(resources.filter((r) => r.cls === 'ocf'));
    const id = `loc-${i}`;
    if (rng.chance(0.6)) {
      constraints.push(
        `<rsc_location${attrs({ id, rsc: rsc.id, node: rng.chance(0.03) ? 'ghost9' : anyNode().name, score: pickScore(rng) })}/>`,
      );
    } else {
      const rules: string[] = [];
      const n = rng.int(1, 2);
      for (let j = 0; j < n; j++) rules.push(genRule(rng, anyNode, `${id}-rule${j}`, 0));
      constraints.push(`<rsc_location${attrs({ id, rsc: rsc.id })}>${rules.join('')}</rsc_location>`);
    }
  }

  if (options.extended && topLevel.length >= 2) {
    const colocs = rng.int(0, 3);
    for (let i = 0; i < colocs; i++) {
      const [a, b] = rng.shuffle(topLevel);
      const score = rng.pick(['INFINITY', '-INFINITY', '100', '-50', '500000', '1']);
      constraints.push(`<rsc_colocation${attrs({ id: `col-${i}`, rsc: a, 'with-rsc': b, score })}/>`);
    }
    // Orderings follow one random permutation, so they never form a cycle (an ordering loop makes
    // crm_simulate produce "an invalid transition").
    const rank = rng.shuffle(topLevel);
    const orders = rng.int(0, 2);
    for (let i = 0; i < orders; i++) {
      const x = rng.int(0, rank.length - 2);
      const y = rng.int(x + 1, rank.length - 1);
      const a = rank[x] as string;
      const b = rank[y] as string;
      const kind = rng.weighted<string | undefined>([
        [1, undefined],
        [1, 'Mandatory'],
        [1, 'Optional'],
      ]);
      const order: Record<string, string | undefined> = { id: `ord-${i}`, first: a };
      // biome-ignore lint/complexity/useLiteralKeys: `order.then` would trip the thenable lint instead
      order['then'] = b;
      order.kind = kind;
      constraints.push(`<rsc_order${attrs(order)}/>`);
    }
  }

  // ---- history
  const statusParts: string[] = [];
  // At most one node per resource may hold an active copy (running or failed): multi-active
  // recovery is outside the subset.
  const activeSomewhere = new Set<string>();
  for (const node of nodes) {
    if (node.state === 'unseen') continue;
    const lrm: string[] = [];
    const transient = [...node.transient];
    for (const rsc of resources) {
      const h0 = rng.weighted<GenHistory>(
        node.state === 'online'
          ? [
              [4, 'none'],
              [8, 'probed-stopped'],
              [5, 'running'],
              [2, 'stopped'],
              [2, 'failed-start'],
              [2, 'failed-monitor'],
            ]
          : [
              [10, 'none'],
              [6, 'probed-stopped'],
              [2, 'running'],
              [2, 'stopped'],
              [1, 'failed-start'],
            ],
      );
      let h = h0;
      if (h === 'running' || h === 'failed-start' || h === 'failed-monitor') {
        if (activeSomewhere.has(rsc.id)) h = rng.chance(0.5) ? 'probed-stopped' : 'stopped';
        else activeSomewhere.add(rsc.id);
      }
      // Fail time relative to now: some expired for the resource's failure-timeout.
      const ft = rsc.failureTimeoutSec || 60;
      const failedOpAt = now - rng.pick([5, ft - 1, ft, ft + 1, 3 * ft, 86400]);
      lrm.push(historyXml(rsc, node.name, h, now - rng.int(100, 5000), failedOpAt));
      if (h === 'failed-start' || h === 'failed-monitor' || rng.chance(0.04)) {
        const key = h === 'failed-monitor' ? 'monitor_10000' : 'start_0';
        const count = rng.pick(['1', '1', '2', '3', 'INFINITY', '999999']);
        transient.push([`fail-count-${rsc.id}#${key}`, count]);
        transient.push([`last-failure-${rsc.id}#${key}`, String(failedOpAt)]);
        // A second failed operation's count on the same node (counts add up, ⊕).
        if (rng.chance(0.1)) {
          const other = key === 'start_0' ? 'monitor_10000' : 'start_0';
          transient.push([`fail-count-${rsc.id}#${other}`, rng.pick(['1', '2', 'INFINITY'])]);
          transient.push([`last-failure-${rsc.id}#${other}`, String(failedOpAt - rng.int(0, 100))]);
        }
      }
    }
    const ns: Record<string, string> = { id: node.id, uname: node.name, ...NODE_STATE_FIELDS[node.state] };
    statusParts.push(
      `<node_state${attrs(ns)} crm-debug-origin="do_update_resource">` +
        `<lrm id="${node.id}"><lrm_resources>${lrm.join('')}</lrm_resources></lrm>` +
        (transient.length > 0
          ? `<transient_attributes id="${node.id}">${nvset(`status-${node.id}`, transient)}</transient_attributes>`
          : '') +
        '</node_state>',
    );
  }

  // ---- assemble
  const crm: Array<[string, string]> = [['stonith-enabled', String(stonith)]];
  if (nqp !== undefined) crm.push(['no-quorum-policy', nqp]);
  if (symmetric !== undefined) crm.push(['symmetric-cluster', symmetric]);
  if (maintenanceMode) crm.push(['maintenance-mode', 'true']);
  if (stopAll) crm.push(['stop-all-resources', 'true']);
  if (stonithOff) crm.push(['stonith-action', 'off']);
  const primitiveXml = (r: Resource): string => {
    const meta = nvset(`${r.id}-meta`, r.meta, 'meta_attributes');
    if (r.cls === 'stonith')
      return `<primitive id="${r.id}" class="stonith" type="fence_dummy">${meta}<operations><op id="${r.id}-monitor-10s" name="monitor" interval="10s"/></operations></primitive>`;
    // The recurring monitor of the history is configured, so crm_simulate does not cancel it
    // (a simulated cancel re-records the resource as active on its old node).
    const ops = `<operations><op id="${xmlEscape(r.id)}-monitor-10s" name="monitor" interval="10s"/></operations>`;
    return `<primitive id="${xmlEscape(r.id)}" class="ocf" provider="heartbeat" type="Dummy">${meta}${ops}</primitive>`;
  };
  const rscParts: string[] = [];
  for (const r of resources) {
    const gid = groupOf.get(r.id);
    if (gid === undefined) rscParts.push(primitiveXml(r));
    else {
      const g = groups.find((x) => x.id === gid);
      if (!g || g.members[0] !== r.id) continue;
      const members = g.members
        .map((m) => primitiveXml(resources.find((x) => x.id === m) as Resource))
        .join('');
      rscParts.push(
        `<group id="${g.id}">${nvset(`${g.id}-meta`, g.meta, 'meta_attributes')}${members}</group>`,
      );
    }
  }
  const rscXml = rscParts.join('\n      ');
  const nodesXml = nodes
    .map(
      (n) =>
        `<node${attrs({ id: n.id, uname: n.name, type: 'member', score: n.baseScore })}>` +
        nvset(`nodes-${n.id}`, n.permanent) +
        '</node>',
    )
    .join('\n      ');
  const cibAttrs = attrs({
    crm_feature_set: '3.16.1',
    'validate-with': 'pacemaker-3.9',
    epoch: 10,
    num_updates: 5,
    admin_epoch: 0,
    'have-quorum': haveQuorum ? '1' : '0',
    'dc-uuid': dc?.id,
    'execution-date': now,
    'no-quorum-panic': noQuorumPanic ? '1' : undefined,
  });
  const xml = `<cib${cibAttrs}>
  <configuration>
    <crm_config>
      ${nvset('cib-bootstrap-options', crm, 'cluster_property_set')}
    </crm_config>
    <nodes>
      ${nodesXml}
    </nodes>
    <resources>
      ${rscXml}
    </resources>
    <constraints>
      ${constraints.join('\n      ')}
    </constraints>
    ${rscDefaultsStickiness === undefined ? '' : `<rsc_defaults>${nvset('rsc-options', [['resource-stickiness', rscDefaultsStickiness]], 'meta_attributes')}</rsc_defaults>`}
  </configuration>
  <status>
    ${statusParts.join('\n    ')}
  </status>
</cib>
`;
  const description =
    `nodes=${nodes.map((n) => `${n.name}:${n.state}`).join(',')} rscs=${resources.length} ` +
    `stonith=${stonith} device=${fenceDevice} quorum=${haveQuorum} nqp=${nqp ?? 'default'} ` +
    `symmetric=${symmetric ?? 'default'}${maintenanceMode ? ' maintenance-mode' : ''}${stopAll ? ' stop-all' : ''}` +
    (groups.length > 0 ? ` groups=${groups.map((g) => `${g.id}[${g.members.join(',')}]`).join(',')}` : '');
  return { seed, xml, description };
}
