/**
 * `fromCib`: reads a Pacemaker CIB (configuration + status, as `cibadmin -Q` or crm_simulate
 * inputs) into a {@link ClusterSnapshot}. Pure: the XML text and an optional "now" in, data out.
 */
import { CibError } from '../errors.js';
import { compareVersions } from '../rules.js';
import { INFINITY, parseScore } from '../score.js';
import type {
  ClusterOptions,
  ClusterSnapshot,
  ColocationConstraint,
  Constraint,
  FailCount,
  LocationConstraint,
  NoQuorumPolicy,
  ResourceState,
  Rule,
  RuleExpression,
  SnapshotGroup,
  SnapshotNode,
  SnapshotResource,
} from '../types.js';
import { parseXmlTree, type XmlElement, type XmlParserKind } from './xml-tree.js';

/** Options for {@link fromCib}. */
export interface FromCibOptions {
  /**
   * "now" in ms since the epoch, used when the CIB has no `execution-date` (failure-timeout
   * expiry). The library has no clock: callers pass one (the CLI passes the wall clock). Default 0.
   */
  nowMs?: number;
  /**
   * XML parser: `scan` (default; a strict scanner, ~5× faster than fast-xml-parser on a 64 MB CIB),
   * `saxes` (conformant streaming parser) or `fast-xml-parser`. All build the same tree.
   */
  parser?: XmlParserKind;
}

const unsupported = (el: XmlElement, why?: string): CibError =>
  new CibError(
    'CIB_UNSUPPORTED',
    `<${el.name}${el.attrs.id ? ` id='${el.attrs.id}'` : ''}> is not supported by the policy subset${why ? `: ${why}` : ''}`,
    el.name,
    el.attrs.id,
  );

const invalid = (message: string, el?: XmlElement): CibError =>
  new CibError('CIB_INVALID', message, el?.name, el?.attrs.id);

/** Pacemaker `crm_is_true`. */
function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.toLowerCase();
  return s === 'true' || s === 'on' || s === 'yes' || s === 'y' || s === '1';
}

function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/**
 * Parses a Pacemaker interval/duration (`crm_parse_interval_spec`): plain number = seconds,
 * units ms/msec/us/usec/s/sec/m/min/h/hr, or ISO 8601 `PT…`. Returns milliseconds.
 */
export function parseDurationMs(text: string): number {
  const s = text.trim();
  if (s.startsWith('P')) {
    const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(s);
    if (!m) return 0;
    return (
      (Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) *
      1000
    );
  }
  const m = /^(\d+)\s*([a-z]*)/i.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  switch ((m[2] ?? '').toLowerCase()) {
    case 'ms':
    case 'msec':
      return n;
    case 'us':
    case 'usec':
      return Math.floor(n / 1000);
    case '':
    case 's':
    case 'sec':
      return n * 1000;
    case 'm':
    case 'min':
      return n * 60_000;
    case 'h':
    case 'hr':
      return n * 3_600_000;
    default:
      return 0;
  }
}

/** Reads the nvpairs of a set (`meta_attributes`, `instance_attributes`...), first value wins. */
function readNvpairs(set: XmlElement, into: Map<string, string>, overwrite: boolean): void {
  for (const c of set.children) {
    if (c.name === 'nvpair') {
      const name = c.attrs.name;
      const value = c.attrs.value;
      if (name === undefined || value === undefined) continue;
      if (overwrite || !into.has(name)) into.set(name, value);
    } else if (c.name === 'rule') {
      throw unsupported(c, `rules inside <${set.name}> are outside the subset`);
    } else {
      throw unsupported(c);
    }
  }
}

/** Collects the nvpair sets named `setName` under `el`, ordered by their `score` (desc, stable). */
function readSets(el: XmlElement, setName: string, first?: string): Map<string, string> {
  const sets = childrenNamed(el, setName).map((s, i) => ({ s, i, score: parseScore(s.attrs.score) }));
  sets.sort((a, b) => {
    if (first !== undefined) {
      if (a.s.attrs.id === first && b.s.attrs.id !== first) return -1;
      if (b.s.attrs.id === first && a.s.attrs.id !== first) return 1;
    }
    return b.score - a.score || a.i - b.i;
  });
  const out = new Map<string, string>();
  for (const { s } of sets) readNvpairs(s, out, false);
  return out;
}

const EXPR_OPS = new Set(['lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined']);
const EXPR_TYPES = new Set(['string', 'integer', 'number', 'version']);

function readRule(el: XmlElement): Rule {
  const rule: Rule = { expressions: [] };
  if (el.attrs.id !== undefined) rule.id = el.attrs.id;
  if (el.attrs['id-ref'] !== undefined) throw unsupported(el, 'rule references (id-ref)');
  if (el.attrs.role !== undefined && !/^(started|unpromoted|slave)$/i.test(el.attrs.role)) {
    throw unsupported(el, `role '${el.attrs.role}'`);
  }
  if (el.attrs['score-attribute'] !== undefined) rule.scoreAttribute = el.attrs['score-attribute'];
  else if (el.attrs.score !== undefined) rule.score = parseScore(el.attrs.score);
  const bop = el.attrs['boolean-op'];
  if (bop !== undefined) {
    if (bop.toLowerCase() === 'or') rule.booleanOp = 'or';
    else rule.booleanOp = 'and';
  }
  for (const c of el.children) {
    if (c.name === 'rule') {
      rule.expressions.push(readRule(c));
    } else if (c.name === 'expression') {
      const attribute = c.attrs.attribute;
      const op = c.attrs.operation?.toLowerCase();
      if (attribute === undefined || op === undefined || !EXPR_OPS.has(op)) {
        throw invalid(`expression '${c.attrs.id ?? '?'}' needs 'attribute' and a valid 'operation'`, c);
      }
      const vs = c.attrs['value-source'];
      if (vs !== undefined && vs.toLowerCase() !== 'literal') throw unsupported(c, `value-source '${vs}'`);
      const expr: RuleExpression = { attribute, op: op as RuleExpression['op'] };
      if (c.attrs.value !== undefined) expr.value = c.attrs.value;
      const type = c.attrs.type?.toLowerCase();
      if (type !== undefined) {
        if (!EXPR_TYPES.has(type))
          throw invalid(`expression '${c.attrs.id ?? '?'}' has unknown type '${type}'`, c);
        expr.type = type as NonNullable<RuleExpression['type']>;
      }
      if (attribute === '#role') throw unsupported(c, 'role expressions');
      rule.expressions.push(expr);
    } else {
      throw unsupported(c);
    }
  }
  return rule;
}

interface OpConfig {
  name: string;
  intervalMs: number;
  onFail: string | undefined;
}

interface PrimitiveInfo {
  res: SnapshotResource;
  ops: OpConfig[];
}

/** What the operation history says about one resource on one node. */
interface HistoryOutcome {
  active: boolean;
  /** False when no operation counted (all expired or ignored): the state there is unknown. */
  known: boolean;
  onFail: string;
  stopFailed: boolean;
  /** Node index-free bans produced by hard errors: −INFINITY on this node, or everywhere. */
  banHere: boolean;
  banEverywhere: boolean;
}

const CLEARED_BY_SUCCESS = new Set(['block', 'ignore', 'demote', 'restart']);
const ON_FAIL_RANK: Record<string, number> = {
  ignore: 0,
  demote: 1,
  restart: 2,
  'restart-container': 3,
  'reset-remote': 4,
  migrate: 5,
  block: 6,
  stop: 7,
  standby: 8,
  fence: 9,
};

function decodeTargetRc(op: XmlElement): number {
  const key = op.attrs['transition-key'];
  if (key === undefined) return -1;
  const parts = key.split(':');
  if (parts.length < 4) return -1;
  const n = Number(parts[2]);
  return Number.isInteger(n) ? n : -1;
}

function intAttr(op: XmlElement, name: string, dflt: number): number {
  const v = op.attrs[name];
  if (v === undefined) return dflt;
  const m = /^\s*-?\d+/.exec(v);
  return m ? Number(m[0]) : dflt;
}

/** Pacemaker's op order: call-id, then last-rc-change; pending (-1) ops last. */
function sortOps(ops: XmlElement[]): XmlElement[] {
  const list = ops.slice().reverse(); // Pacemaker prepends, then stable-sorts
  return list.sort((a, b) => {
    const ca = intAttr(a, 'call-id', -1);
    const cb = intAttr(b, 'call-id', -1);
    if (ca === -1 && cb === -1) return 0;
    if (ca === -1) return 1;
    if (cb === -1) return -1;
    if (ca !== cb) return ca - cb;
    const la = intAttr(a, 'last-rc-change', -1);
    const lb = intAttr(b, 'last-rc-change', -1);
    if (la >= 0 && la < lb) return -1;
    if (lb >= 0 && la > lb) return 1;
    return 0;
  });
}

/**
 * Replays one resource's operation history on one node (Pacemaker `unpack_lrm_resource` →
 * `unpack_rsc_op` → `process_rsc_state`, simplified to primitives): last op wins; a monitor or probe
 * returning 7 (not running) means stopped; a failed start leaves the resource active and failed; a
 * failed stop bans the node; expired failures (failure-timeout) are ignored.
 */
function replayHistory(
  prim: PrimitiveInfo,
  ops: XmlElement[],
  stonith: boolean,
  nowSec: number,
  unexpiredFailcount: boolean,
  opDefaultsOnFail: string | undefined,
  managed: boolean,
): HistoryOutcome {
  let role: 'unknown' | 'stopped' | 'started' = 'unknown';
  let onFail = 'ignore';
  let lastFailureKey: string | undefined;
  let stopFailed = false;
  let banHere = false;
  let banEverywhere = false;
  const failureTimeoutSec = Math.floor((prim.res.failureTimeoutMs ?? 0) / 1000);
  const onFailFor = (task: string, intervalMs: number): string => {
    const conf = prim.ops.find((o) => o.name === task && o.intervalMs === intervalMs);
    const v = conf?.onFail ?? opDefaultsOnFail;
    if (v !== undefined) return v.toLowerCase();
    if (task === 'stop') return stonith ? 'fence' : 'block';
    return 'restart';
  };
  const clearPast = (): void => {
    if (CLEARED_BY_SUCCESS.has(onFail)) onFail = 'ignore';
  };
  const success = (task: string, rc: number, key: string): void => {
    if (rc === 5) {
      role = 'stopped';
    } else if (rc === 7) {
      clearPast();
    } else if (task === 'monitor') {
      if (lastFailureKey !== undefined && lastFailureKey === key) clearPast();
      if (role !== 'started') role = 'started';
    } else if (task === 'start') {
      role = 'started';
      clearPast();
    } else if (task === 'stop') {
      role = 'stopped';
      clearPast();
    } else if (role !== 'started') {
      role = 'started';
    }
  };
  for (const op of sortOps(ops)) {
    const task = op.attrs.operation;
    if (task === undefined || task === 'notify' || task === 'meta-data') continue;
    if (/^(promote|demote|migrate_to|migrate_from)$/.test(task)) {
      throw unsupported(op, `operation '${task}' (promotable or migrating resources)`);
    }
    const intervalMs = intAttr(op, 'interval', 0);
    const isProbe = task === 'monitor' && intervalMs === 0;
    const key = op.attrs.operation_key ?? `${prim.res.id}_${task}_${intervalMs}`;
    let rc = intAttr(op, 'rc-code', 0);
    let status = intAttr(op, 'op-status', 0);
    const targetRc = decodeTargetRc(op);
    if (status === -1) {
      if (task === 'start' && role !== 'started') role = 'started';
      continue;
    }
    // failure-timeout expiry of this history entry
    let expired = false;
    const lastRun = intAttr(op, 'last-rc-change', -1);
    if (
      failureTimeoutSec > 0 &&
      lastRun >= 0 &&
      nowSec >= lastRun + failureTimeoutSec &&
      !unexpiredFailcount
    ) {
      expired = true;
    }
    if (expired && isProbe && (rc === 0 || rc === 7 || rc === 8 || rc === 190 || rc === 191)) expired = false;
    // remap_operation
    if (task === 'monitor') {
      if (rc === 190) rc = 0;
      else if (rc === 191) rc = 8;
    }
    const oldRc = rc;
    const maskable = isProbe && (status === 7 || rc === 5);
    if (maskable) {
      status = 0;
      rc = 7;
    }
    if (status === 0 || status === 4) {
      status = 0;
      if (targetRc < 0 || targetRc !== rc) status = 4;
      switch (rc) {
        case 0:
          if (isProbe && targetRc === 7) status = 0;
          break;
        case 7:
          if (isProbe || targetRc === rc || !managed) {
            status = 0;
            role = 'stopped';
            onFail = 'ignore';
          }
          break;
        case 8:
        case 9:
          throw unsupported(op, 'promoted role results');
        case 6:
          status = 6;
          break;
        case 3:
          status = intervalMs === 0 ? 5 : 3;
          break;
        case 5:
        case 2:
        case 4:
          status = 5;
          break;
        default:
          if (status === 0) status = 4;
      }
    }
    if (expired && maskable && oldRc !== targetRc) continue;
    if (expired && rc !== targetRc) continue;
    if (maskable) {
      success(task, targetRc, key);
      banHere = true;
      continue;
    }
    if (status === 1) continue; // cancelled
    if (status === 0) {
      success(task, rc, key);
      continue;
    }
    if (status === 10 || status === 11) status = 5;
    let strategy = onFailFor(task, intervalMs);
    if (status === 7 && strategy === 'ignore') strategy = 'migrate';
    if (strategy === 'ignore') {
      success(task, targetRc, key);
      continue;
    }
    // unpack_rsc_op_failure
    lastFailureKey = key;
    if ((ON_FAIL_RANK[strategy] ?? 2) > (ON_FAIL_RANK[onFail] ?? 0)) onFail = strategy;
    if (task === 'stop') {
      stopFailed = true;
    }
    if (!(isProbe && rc === 5)) role = 'started';
    else role = 'stopped';
    if (status === 5 || status === 7) banHere = true;
    if (status === 6) banEverywhere = true;
  }
  return {
    active: role === 'started',
    known: role !== 'unknown',
    onFail,
    stopFailed,
    banHere,
    banEverywhere,
  };
}

/**
 * Reads a Pacemaker CIB into a {@link ClusterSnapshot}.
 *
 * Configuration: `crm_config` cluster options, `nodes` (+ instance attributes, `score`),
 * primitives with meta attributes, groups, `rsc_defaults`, `op_defaults` on-fail, location
 * constraints (node+score or rules with `boolean-op`, nested rules, `score-attribute`),
 * colocation and ordering between resources. Status: `node_state` → online / offline / unclean /
 * pending (Pacemaker `determine_online_status`, both the fencing and the no-fencing tables),
 * transient attributes (standby, maintenance, shutdown, `fail-count-*`, `last-failure-*`),
 * `lrm_rsc_op` history → active / failed / blocked per resource and node. `<cib>` attributes:
 * `have-quorum`, `dc-uuid`, `execution-date` (seconds; else `options.nowMs`), `no-quorum-panic`.
 *
 * Throws {@link CibError}: `CIB_INVALID` for text that is not XML or not a CIB, duplicate ids in
 * the configuration, a constraint naming an unknown resource; `CIB_UNSUPPORTED` (naming element
 * and id) for anything outside the subset: clone, master, bundle, template, utilization,
 * date_expression, rsc_ticket, tags, resource sets, promotable roles, remote nodes. A constraint
 * naming an unknown node is kept; the scheduler ignores it, as Pacemaker does.
 */
export function fromCib(xml: string, options: FromCibOptions = {}): ClusterSnapshot {
  const root = parseXmlTree(xml, options.parser);
  if (root.name !== 'cib') throw invalid(`root element is <${root.name}>, expected <cib>`, root);
  const configuration = child(root, 'configuration');
  if (!configuration) throw invalid('<cib> has no <configuration>', root);

  // --- duplicate ids in the configuration -------------------------------------------------------
  const seen = new Map<string, XmlElement>();
  const walk = (el: XmlElement): void => {
    for (const c of el.children) {
      const id = c.attrs.id;
      if (id !== undefined && c.name !== 'node' && c.name !== 'resource_ref') {
        const prev = seen.get(id);
        if (prev) throw invalid(`duplicate id '${id}' (<${prev.name}> and <${c.name}>)`, c);
        seen.set(id, c);
      }
      walk(c);
    }
  };
  walk(configuration);

  // --- cluster options ---------------------------------------------------------------------------
  const crmConfig = child(configuration, 'crm_config');
  const props = crmConfig
    ? readSets(crmConfig, 'cluster_property_set', 'cib-bootstrap-options')
    : new Map<string, string>();
  if (crmConfig)
    for (const c of crmConfig.children) if (c.name !== 'cluster_property_set') throw unsupported(c);
  const stonithEnabled = props.has('stonith-enabled') ? isTrue(props.get('stonith-enabled')) : true;
  const nqpRaw = (props.get('no-quorum-policy') ?? 'stop').toLowerCase();
  const noQuorumPolicy: NoQuorumPolicy = (
    ['stop', 'freeze', 'ignore', 'demote', 'suicide'] as const
  ).includes(nqpRaw as NoQuorumPolicy)
    ? (nqpRaw as NoQuorumPolicy)
    : 'stop';
  const placement = props.get('placement-strategy');
  if (placement !== undefined && placement.toLowerCase() !== 'default') {
    throw new CibError(
      'CIB_UNSUPPORTED',
      `placement-strategy '${placement}' is not supported by the policy subset (only 'default')`,
      'nvpair',
      'placement-strategy',
    );
  }
  const opts: ClusterOptions = {
    stonithEnabled,
    noQuorumPolicy,
    symmetricCluster: props.has('symmetric-cluster') ? isTrue(props.get('symmetric-cluster')) : true,
    resourceStickiness: 0,
    maintenanceMode: isTrue(props.get('maintenance-mode')),
    stopAllResources: isTrue(props.get('stop-all-resources')),
    startupFencing: props.has('startup-fencing') ? isTrue(props.get('startup-fencing')) : true,
    noQuorumPanic: isTrue(root.attrs['no-quorum-panic']),
  };
  const fenceAction = props.get('stonith-action');
  if (fenceAction !== undefined)
    opts.fenceAction = fenceAction.toLowerCase() === 'off' || fenceAction === 'poweroff' ? 'off' : 'reboot';
  const clusterName = props.get('cluster-name');
  if (clusterName !== undefined) opts.clusterName = clusterName;

  // --- defaults ------------------------------------------------------------------------------------
  const rscDefaultsEl = child(configuration, 'rsc_defaults');
  const rscDefaults = rscDefaultsEl ? readSets(rscDefaultsEl, 'meta_attributes') : new Map<string, string>();
  const opDefaultsEl = child(configuration, 'op_defaults');
  const opDefaults = opDefaultsEl ? readSets(opDefaultsEl, 'meta_attributes') : new Map<string, string>();
  opts.resourceStickiness = parseScore(
    rscDefaults.get('resource-stickiness') ?? rscDefaults.get('stickiness') ?? '0',
  );

  // --- nodes -----------------------------------------------------------------------------------------
  const dcUuid = root.attrs['dc-uuid'];
  const nodes: SnapshotNode[] = [];
  const nodeById = new Map<string, SnapshotNode>();
  const nodeByName = new Map<string, SnapshotNode>();
  const nodesEl = child(configuration, 'nodes');
  for (const n of nodesEl?.children ?? []) {
    if (n.name !== 'node') throw unsupported(n);
    const type = (n.attrs.type ?? 'member').toLowerCase();
    if (type !== 'member' && type !== 'normal') throw unsupported(n, `node type '${type}'`);
    const id = n.attrs.id;
    const uname = n.attrs.uname ?? id;
    if (id === undefined || uname === undefined) throw invalid('<node> without id or uname', n);
    if (nodeByName.has(uname) || nodeById.has(id)) throw invalid(`duplicate node '${uname}'`, n);
    const attrs = new Map<string, string>();
    for (const c of n.children) {
      if (c.name === 'instance_attributes') readNvpairs(c, attrs, false);
      else throw unsupported(c);
    }
    const node: SnapshotNode = { name: uname, id, state: 'offline', attributes: Object.fromEntries(attrs) };
    if (n.attrs.score !== undefined) node.baseScore = parseScore(n.attrs.score);
    if (dcUuid !== undefined && dcUuid === id) node.isDc = true;
    nodes.push(node);
    nodeById.set(id, node);
    nodeByName.set(uname, node);
  }

  // --- resources -------------------------------------------------------------------------------------
  const resources: SnapshotResource[] = [];
  const prims = new Map<string, PrimitiveInfo>();
  const groups: SnapshotGroup[] = [];
  const groupIds = new Set<string>();
  const critical = new Map<string, string>();
  const readPrimitive = (
    el: XmlElement,
    groupMeta: Map<string, string> | undefined,
    groupId?: string,
  ): void => {
    const id = el.attrs.id;
    if (id === undefined) throw invalid('<primitive> without id', el);
    if (el.attrs.template !== undefined) throw unsupported(el, 'resource templates');
    const cls = el.attrs.class ?? '';
    const agent = [cls, el.attrs.provider, el.attrs.type]
      .filter((x) => x !== undefined && x !== '')
      .join(':');
    const meta = new Map<string, string>();
    const ops: OpConfig[] = [];
    for (const c of el.children) {
      if (c.name === 'meta_attributes') {
        // higher-scored sets first; within a resource the first value wins
      } else if (c.name === 'instance_attributes') {
        // agent parameters: irrelevant to placement
      } else if (c.name === 'operations') {
        for (const o of c.children) {
          if (o.name !== 'op') throw unsupported(o);
          ops.push({
            name: o.attrs.name ?? '',
            intervalMs: parseDurationMs(o.attrs.interval ?? '0'),
            onFail: o.attrs['on-fail'],
          });
        }
      } else if (c.name === 'utilization') {
        throw unsupported(c);
      } else {
        throw unsupported(c);
      }
    }
    for (const [k, v] of readSets(el, 'meta_attributes')) meta.set(k, v);
    const get = (k: string): string | undefined => meta.get(k) ?? groupMeta?.get(k) ?? rscDefaults.get(k);
    const res: SnapshotResource = { id, agent };
    if (cls === 'stonith') res.isFenceDevice = true;
    const prio = get('priority');
    if (prio !== undefined) res.priority = parseScore(prio);
    const tr = get('target-role');
    if (tr !== undefined) {
      const t = tr.toLowerCase();
      if (t === 'stopped') res.targetRole = 'stopped';
      else if (t === 'started' || t === 'unpromoted' || t === 'slave' || t === 'promoted' || t === 'master') {
        res.targetRole = 'started';
      }
    }
    const st = meta.get('resource-stickiness') ?? groupMeta?.get('resource-stickiness');
    if (st !== undefined) res.stickiness = parseScore(st);
    const mt = get('migration-threshold');
    if (mt !== undefined) res.migrationThreshold = parseScore(mt);
    const ft = get('failure-timeout');
    if (ft !== undefined) res.failureTimeoutMs = parseDurationMs(ft);
    const managed = get('is-managed');
    const maint = get('maintenance');
    if ((managed !== undefined && !isTrue(managed)) || isTrue(maint)) res.managed = false;
    const req = get('requires')?.toLowerCase();
    if (req === 'nothing' || req === 'quorum' || req === 'fencing') res.requires = req;
    else if (req === 'unfencing') throw unsupported(el, "requires='unfencing'");
    if (groupId !== undefined) res.group = groupId;
    const crit = get('critical');
    if (crit !== undefined) critical.set(id, crit);
    resources.push(res);
    prims.set(id, { res, ops });
  };
  const resourcesEl = child(configuration, 'resources');
  for (const r of resourcesEl?.children ?? []) {
    if (r.name === 'primitive') {
      readPrimitive(r, undefined);
    } else if (r.name === 'group') {
      const gid = r.attrs.id;
      if (gid === undefined) throw invalid('<group> without id', r);
      const gmeta = readSets(r, 'meta_attributes');
      const members: string[] = [];
      for (const c of r.children) {
        if (c.name === 'primitive') {
          readPrimitive(c, gmeta, gid);
          members.push(c.attrs.id as string);
        } else if (c.name !== 'meta_attributes' && c.name !== 'instance_attributes') {
          throw unsupported(c);
        }
      }
      const group: SnapshotGroup = { id: gid, members };
      const gprio = gmeta.get('priority') ?? rscDefaults.get('priority');
      if (gprio !== undefined) group.priority = parseScore(gprio);
      groups.push(group);
      groupIds.add(gid);
    } else {
      throw unsupported(r);
    }
  }
  const knownRsc = (id: string | undefined, el: XmlElement, attr: string): string => {
    if (id === undefined) throw invalid(`<${el.name} id='${el.attrs.id ?? '?'}'> has no '${attr}'`, el);
    if (!prims.has(id) && !groupIds.has(id)) {
      throw invalid(`<${el.name} id='${el.attrs.id ?? '?'}'> names unknown resource '${id}'`, el);
    }
    return id;
  };

  // --- constraints ---------------------------------------------------------------------------------
  const constraints: Constraint[] = [];
  const constraintsEl = child(configuration, 'constraints');
  for (const c of constraintsEl?.children ?? []) {
    const id = c.attrs.id ?? '';
    if (c.children.some((x) => x.name === 'resource_set')) {
      throw unsupported(c.children.find((x) => x.name === 'resource_set') as XmlElement, 'resource sets');
    }
    if (c.name === 'rsc_location') {
      if (c.attrs['rsc-pattern'] !== undefined) throw unsupported(c, 'rsc-pattern');
      const loc: LocationConstraint = { kind: 'location', id, resource: knownRsc(c.attrs.rsc, c, 'rsc') };
      if (c.attrs.role !== undefined) {
        if (!/^(started|unpromoted|slave)$/i.test(c.attrs.role))
          throw unsupported(c, `role '${c.attrs.role}'`);
        loc.role = c.attrs.role;
      }
      const rules = childrenNamed(c, 'rule');
      for (const x of c.children) if (x.name !== 'rule') throw unsupported(x);
      if (rules.length > 0) {
        loc.rules = rules.map(readRule);
      } else {
        if (c.attrs.node === undefined)
          throw invalid(`<rsc_location id='${id}'> has neither 'node' nor rules`, c);
        loc.node = c.attrs.node;
        loc.score = parseScore(c.attrs.score ?? c.attrs['score-attribute'] ?? '0');
      }
      constraints.push(loc);
    } else if (c.name === 'rsc_colocation') {
      for (const a of ['rsc-role', 'with-rsc-role']) {
        const v = c.attrs[a];
        if (v !== undefined && !/^(started)$/i.test(v)) throw unsupported(c, `${a} '${v}'`);
      }
      const col: ColocationConstraint = {
        kind: 'colocation',
        id,
        resource: knownRsc(c.attrs.rsc, c, 'rsc'),
        withResource: knownRsc(c.attrs['with-rsc'], c, 'with-rsc'),
        score: parseScore(c.attrs.score ?? '0'),
      };
      if (c.attrs['node-attribute'] !== undefined) col.nodeAttribute = c.attrs['node-attribute'];
      const dep = prims.get(col.resource)?.res;
      const influence = c.attrs.influence ?? (dep ? critical.get(dep.id) : undefined);
      if (influence !== undefined && !isTrue(influence)) col.influence = false;
      constraints.push(col);
    } else if (c.name === 'rsc_order') {
      for (const a of ['first-action', 'then-action']) {
        const v = c.attrs[a];
        if (
          v !== undefined &&
          v.toLowerCase() !== 'start' &&
          !(a === 'first-action' && v.toLowerCase() === 'start')
        ) {
          throw unsupported(c, `${a} '${v}'`);
        }
      }
      const ord: Constraint = {
        kind: 'order',
        id,
        first: knownRsc(c.attrs.first, c, 'first'),
        // biome-ignore lint/suspicious/noThenProperty: the OrderConstraint vocabulary names it 'then'
        then: knownRsc(c.attrs.then, c, 'then'),
      };
      const kind = c.attrs.kind;
      if (kind !== undefined) {
        const k = kind.toLowerCase();
        ord.kindOf = k === 'optional' ? 'Optional' : k === 'serialize' ? 'Serialize' : 'Mandatory';
      } else if (c.attrs.score !== undefined) {
        ord.kindOf = parseScore(c.attrs.score) > 0 ? 'Mandatory' : 'Optional';
      }
      if (c.attrs.symmetrical !== undefined) ord.symmetrical = isTrue(c.attrs.symmetrical);
      constraints.push(ord);
    } else {
      throw unsupported(c);
    }
  }

  for (const c of configuration.children) {
    if (
      ![
        'crm_config',
        'nodes',
        'resources',
        'constraints',
        'rsc_defaults',
        'op_defaults',
        'fencing-topology',
        'acls',
        'alerts',
      ].includes(c.name)
    ) {
      throw unsupported(c);
    }
  }

  // --- status --------------------------------------------------------------------------------------
  const featureSet = root.attrs.crm_feature_set;
  const legacyFailCounts = featureSet === undefined || compareVersions(featureSet, '3.0.13') < 0;
  const execDate = root.attrs['execution-date'];
  const nowMs =
    execDate !== undefined && /^\d+$/.test(execDate) ? Number(execDate) * 1000 : (options.nowMs ?? 0);
  const nowSec = Math.floor(nowMs / 1000);
  const state: ResourceState[] = [];
  const failCounts: FailCount[] = [];
  const statusEl = child(root, 'status');
  const seenState = new Set<SnapshotNode>();
  const extraBans: LocationConstraint[] = [];
  const standbyOnFail = new Set<SnapshotNode>();
  const unmanagedNow = new Set<string>();

  for (const ns of statusEl?.children ?? []) {
    if (ns.name !== 'node_state') continue;
    const node =
      (ns.attrs.id !== undefined ? nodeById.get(ns.attrs.id) : undefined) ??
      (ns.attrs.uname !== undefined ? nodeByName.get(ns.attrs.uname) : undefined);
    if (!node) continue;
    seenState.add(node);
    // transient attributes override permanent ones
    const transient = new Map<string, string>();
    for (const t of childrenNamed(ns, 'transient_attributes')) {
      // Transient attributes are read with overwrite on (Pacemaker add_node_attrs): the last value wins.
      for (const set of childrenNamed(t, 'instance_attributes')) readNvpairs(set, transient, true);
    }
    const attrs: Record<string, string> = { ...(node.attributes ?? {}) };
    for (const [k, v] of transient) {
      if (k.startsWith('fail-count-') || k.startsWith('last-failure-')) continue;
      attrs[k] = v;
    }
    node.attributes = attrs;
    if (isTrue(attrs.standby)) node.standby = true;
    if (isTrue(attrs.maintenance)) node.maintenance = true;
    const shutdownAttr = attrs.shutdown;
    const shutdown = shutdownAttr !== undefined && shutdownAttr !== '' && shutdownAttr !== '0';
    if (shutdown) node.shutdown = true;
    // fail counts
    const lastFailure = new Map<string, number>();
    for (const [k, v] of transient) {
      if (k.startsWith('last-failure-')) lastFailure.set(k.slice('last-failure-'.length), Number(v) * 1000);
    }
    for (const [k, v] of transient) {
      if (!k.startsWith('fail-count-')) continue;
      const rest = k.slice('fail-count-'.length);
      // Pacemaker matches `fail-count-<rsc>#<op>_<interval>` when the CIB's crm_feature_set is at
      // least 3.0.13 and only the legacy `fail-count-<rsc>` before that (or when it is absent).
      let rsc: string;
      if (legacyFailCounts) {
        rsc = rest;
      } else {
        const m = /^(.+)#.+_[0-9]+$/.exec(rest);
        if (!m) continue;
        rsc = m[1] as string;
        const hash = rest.lastIndexOf('#');
        if (!prims.has(rsc) && hash > 0) rsc = rest.slice(0, hash);
      }
      if (!prims.has(rsc)) continue;
      const fc: FailCount = { resource: rsc, node: node.name, count: parseScore(v) };
      const lf = lastFailure.get(rest);
      if (lf !== undefined && Number.isFinite(lf)) fc.lastFailureMs = lf;
      failCounts.push(fc);
    }

    // node state (Pacemaker determine_online_status)
    const inCcm = ns.attrs.in_ccm;
    const crmdOnline = (ns.attrs.crmd ?? '').toLowerCase() === 'online';
    const join = (ns.attrs.join ?? '').toLowerCase();
    const expected = (ns.attrs.expected ?? 'down').toLowerCase();
    const terminateAttr = attrs.terminate;
    const terminate = isTrue(terminateAttr) || (terminateAttr !== undefined && /^[1-9]/.test(terminateAttr));
    const setUnclean = (reason: string | undefined, inMembership: boolean): void => {
      node.state = 'unclean';
      if (reason !== undefined) node.uncleanReason = reason;
      if (inMembership) node.inMembership = true;
    };
    if (stonithEnabled) {
      const online = isTrue(inCcm);
      if (shutdown) {
        node.state = crmdOnline ? 'online' : 'offline';
      } else if (inCcm === undefined) {
        setUnclean('peer has not been seen by the cluster', false);
      } else if (join === 'banned') {
        setUnclean('peer failed Pacemaker membership criteria', online);
      } else if (!terminate && expected === 'down') {
        node.state = online || crmdOnline ? 'pending' : 'offline';
      } else if (terminate && join === 'down' && !online && !crmdOnline) {
        node.state = 'offline';
      } else if (!online) {
        setUnclean('peer is no longer part of the cluster', false);
      } else if (!crmdOnline) {
        setUnclean('peer process is no longer available', true);
      } else if (terminate) {
        setUnclean('termination was requested', true);
      } else if (join === 'member') {
        node.state = 'online';
      } else if (join === 'pending' || join === 'down') {
        node.state = 'pending';
      } else {
        setUnclean('peer was in an unknown state', true);
      }
    } else {
      if (!isTrue(inCcm)) node.state = 'offline';
      else if (crmdOnline) node.state = join === 'member' ? 'online' : 'offline';
      else if (expected !== 'member' || shutdown) node.state = 'offline';
      else setUnclean('peer is unexpectedly down', false);
    }

    // operation history (without fencing, Pacemaker does not read the history of nodes that are
    // not online: their resources are simply considered stopped)
    const lrm = stonithEnabled || node.state === 'online' ? child(ns, 'lrm') : undefined;
    const lrmResources = lrm ? child(lrm, 'lrm_resources') : undefined;
    for (const lr of lrmResources?.children ?? []) {
      if (lr.name !== 'lrm_resource') continue;
      const rid = lr.attrs.id;
      if (rid === undefined) continue;
      const prim = prims.get(rid);
      const ops = childrenNamed(lr, 'lrm_rsc_op');
      if (ops.length === 0) continue;
      if (!prim) continue; // orphan history: outside the subset, ignored
      const timeout = prim.res.failureTimeoutMs ?? 0;
      let unexpired = false;
      for (const fc of failCounts) {
        if (fc.resource !== rid || fc.node !== node.name || fc.count <= 0) continue;
        if (timeout > 0 && nowMs > (fc.lastFailureMs ?? 0) + timeout) continue;
        unexpired = true;
      }
      // Whether Pacemaker still considers it managed at this point of the status section: a
      // resource seen on a maintenance node (or blocked) earlier is unmanaged from then on.
      const managedNow = prim.res.managed !== false && !opts.maintenanceMode && !unmanagedNow.has(rid);
      const outcome = replayHistory(
        prim,
        ops,
        stonithEnabled,
        nowSec,
        unexpired,
        opDefaults.get('on-fail'),
        managedNow,
      );
      if (outcome.active && (node.maintenance === true || outcome.onFail === 'block')) unmanagedNow.add(rid);
      if (outcome.banHere) {
        extraBans.push({
          kind: 'location',
          id: `hard-error:${rid}:${node.name}`,
          resource: rid,
          node: node.name,
          score: -INFINITY,
        });
      }
      if (outcome.banEverywhere) {
        for (const n of nodes) {
          extraBans.push({
            kind: 'location',
            id: `fatal-error:${rid}:${n.name}`,
            resource: rid,
            node: n.name,
            score: -INFINITY,
          });
        }
      }
      if (!outcome.active) {
        // Known to be stopped there (probed); an unknown state (only expired failures) is left out.
        if (outcome.known) state.push({ resource: rid, node: node.name, status: 'stopped' });
        continue;
      }
      const s: ResourceState = { resource: rid, node: node.name, status: 'active' };
      switch (outcome.onFail) {
        case 'ignore':
          break;
        case 'block':
          s.status = 'blocked';
          break;
        case 'fence':
          s.status = 'failed';
          if (!outcome.stopFailed) s.fenceOnFail = true;
          break;
        case 'stop':
          s.status = 'failed';
          for (const n of nodes) {
            extraBans.push({
              kind: 'location',
              id: `on-fail-stop:${rid}:${n.name}`,
              resource: rid,
              node: n.name,
              score: -INFINITY,
            });
          }
          break;
        case 'standby':
          standbyOnFail.add(node);
          s.status = 'failed';
          break;
        case 'migrate':
          extraBans.push({
            kind: 'location',
            id: `migration-auto:${rid}:${node.name}`,
            resource: rid,
            node: node.name,
            score: -INFINITY,
          });
          break;
        default:
          s.status = 'failed';
      }
      if (outcome.stopFailed) s.stopFailed = true;
      state.push(s);
    }
  }
  for (const n of standbyOnFail) n.standby = true;
  // Nodes without any node_state are "unseen": unclean under startup-fencing when fencing is on.
  for (const n of nodes) {
    if (seenState.has(n)) continue;
    n.unseen = true;
    if (stonithEnabled && opts.startupFencing !== false) n.state = 'unclean';
    else n.state = 'offline';
  }

  const haveQuorum = root.attrs['have-quorum'];
  const snapshot: ClusterSnapshot = {
    nodes,
    resources,
    constraints: [...constraints, ...extraBans],
    options: opts,
    hasQuorum: haveQuorum === undefined ? false : isTrue(haveQuorum),
    state,
    failCounts,
    nowMs,
  };
  if (groups.length > 0) snapshot.groups = groups;
  return snapshot;
}
