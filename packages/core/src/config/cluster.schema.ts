/**
 * The one zod schema tree of the `cluster:` document (SCENARIO-FORMAT.md "cluster", STYLE.md §7).
 * Objects are strict (unknown keys are errors), defaults follow SCENARIO-FORMAT "Defaults", and
 * cross-field rules report a path (`fencing.topology.node1[1]: device 'pdu-a1' is not defined`).
 * The output is the normalised {@link ClusterConfig}: defaults applied, durations in ms, scores
 * clamped, rules in the policy `Rule` shape, constraint ids filled in.
 */

import type { Rule, RuleExpression } from '@quorate/policy';
import { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import type {
  ClusterConfig,
  FenceDeviceConfig,
  LocationConstraintConfig,
  NodeConfig,
  QdeviceConfig,
  QdiskConfig,
  QuorumOptions,
  ResourceConfig,
} from './cluster-config.types.js';
import {
  duration,
  issuesBeyondFirstFailure,
  percent,
  SCORE_INFINITY,
  score,
  stringish,
  toConfigIssues,
} from './schema-helpers.js';

/** Names that events use for other things (`partition: [[A, qdisk]]`, `heal: all`); no node may take them. */
export const RESERVED_NODE_NAMES: readonly string[] = ['qdisk', 'qdevice', 'all'];

/** Default watchdog timeout when a `watchdog` device gives none: sbd's SBD_WATCHDOG_TIMEOUT (5s). */
export const DEFAULT_WATCHDOG_TIMEOUT_MS = 5000;

const FENCE_AGENT_RE = /^(ipmi|snmp-ims|snmp-apc|sim|manual|watchdog|exec:[A-Za-z0-9_.+-]+)$/;
const RESOURCE_AGENT_RE = /^\S+$/;
/** Names and ids: anything printable without whitespace (Proxmox ids such as `vm:100` included). */
const NAME_RE = /^\S+$/;

const name = (what: string) =>
  z
    .string({ error: () => `expected the ${what} as a string` })
    .min(1, { error: () => `the ${what} must not be empty` })
    .regex(NAME_RE, { error: () => `the ${what} must not contain whitespace` });

const nodeSchema = z
  .object({
    name: name('node name'),
    /** Left out: the smallest positive integer no other node uses, in document order. */
    id: z
      .number()
      .int()
      .positive({ error: () => 'a node id must be a positive integer' })
      .optional(),
    votes: z.number().int().nonnegative().default(1),
    attributes: z.record(z.string(), stringish()).default({}),
  })
  .strict();

const qdiskSchema = z
  .object({
    votes: z.number().int().positive().optional(),
    interval: duration().default(1000),
    tko: z.number().int().positive().default(10),
    label: z.string().optional(),
    masterWins: z.boolean().optional(),
  })
  .strict();

const qdeviceSchema = z
  .object({
    votes: z.number().int().positive().optional(),
    algorithm: z.enum(['ffsplit', 'lms']).default('ffsplit'),
    tieBreaker: z.union([z.enum(['lowest', 'highest']), z.number().int().positive()]).default('lowest'),
  })
  .strict();

const quorumSchema = z
  .object({
    expectedVotes: z.number().int().positive().optional(),
    twoNode: z.boolean().default(false),
    waitForAll: z.boolean().optional(),
    lastManStanding: z.boolean().default(false),
    lastManStandingWindow: duration().default(10_000),
    autoTieBreaker: z
      .union([z.boolean(), z.enum(['lowest', 'highest']), z.array(z.number().int().positive()).min(1)], {
        error: () => "expected false, true, 'lowest', 'highest' or a list of node ids",
      })
      .default(false),
    qdisk: qdiskSchema.optional(),
    qdevice: qdeviceSchema.optional(),
  })
  .strict();

const optionsSchema = z
  .object({
    noQuorumPolicy: z.enum(['stop', 'freeze', 'ignore', 'demote', 'suicide']).default('stop'),
    stonithEnabled: z.boolean().default(true),
    symmetricCluster: z.boolean().default(true),
    resourceStickiness: score().default(0),
    tokenTimeout: duration()
      .refine((ms) => ms > 0, { error: () => 'tokenTimeout must be longer than 0ms' })
      .default(3000),
    stonithTimeout: duration()
      .refine((ms) => ms > 0, { error: () => 'stonithTimeout must be longer than 0ms' })
      .default(60_000),
    fenceDelay: duration().default(0),
    fenceAction: z.enum(['reboot', 'off']).default('reboot'),
    priorityFencingDelay: duration().default(0),
    startupFencing: z.boolean().default(true),
    maintenanceMode: z.boolean().default(false),
    stopAllResources: z.boolean().default(false),
  })
  .strict();

const deviceSchema = z
  .object({
    name: name('device name'),
    agent: z.string().regex(FENCE_AGENT_RE, {
      error: () =>
        'expected a fence agent: ipmi, snmp-ims, snmp-apc, exec:fence_xxx, sim, manual or watchdog',
    }),
    hosts: z.array(z.string()).optional(),
    port: z.record(z.string(), stringish()).default({}),
    delay: duration().default(0),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

const fencingSchema = z
  .object({
    devices: z.array(deviceSchema).default([]),
    topology: z
      .record(
        z.string(),
        z.array(z.array(z.string()).min(1, { error: () => 'a fence level needs at least one device' })),
      )
      .default({}),
    maxAttempts: z.number().int().positive().default(10),
    retryInterval: duration().default(15 * 60_000),
    skipWhenLost: percent().optional(),
  })
  .strict();

const resourceSchema = z
  .object({
    id: name('resource id'),
    agent: z
      .string()
      .regex(RESOURCE_AGENT_RE, {
        error: () => 'expected a resource agent such as sim or ocf:heartbeat:Dummy',
      })
      .default('sim'),
    priority: z.number().int().default(0),
    targetRole: z.enum(['started', 'stopped']).default('started'),
    stickiness: score().optional(),
    migrationThreshold: z
      .union([z.number().int().nonnegative(), z.enum(['INFINITY', '+INFINITY'])], {
        error: () => "expected a number of failures (0 = never ban) or 'INFINITY'",
      })
      .transform((v) => (typeof v === 'number' ? Math.min(v, SCORE_INFINITY) : SCORE_INFINITY))
      .default(SCORE_INFINITY),
    failureTimeout: duration().default(0),
    monitorInterval: duration()
      .refine((ms) => ms > 0, { error: () => 'monitorInterval must be longer than 0ms' })
      .default(10_000),
    params: z.record(z.string(), stringish()).default({}),
  })
  .strict();

const RULE_OPS = ['lt', 'gt', 'lte', 'gte', 'eq', 'ne', 'defined', 'not_defined'] as const;
const RULE_TYPES = ['string', 'integer', 'number', 'version'] as const;

/** Raw rule as written: a single expression or a compound `{ booleanOp, expressions }`. */
interface RawRule {
  attribute?: string | undefined;
  op?: (typeof RULE_OPS)[number] | undefined;
  value?: string | undefined;
  type?: (typeof RULE_TYPES)[number] | undefined;
  booleanOp?: 'and' | 'or' | undefined;
  expressions?: RawRule[] | undefined;
}

/** One rule node: either an expression or a compound rule, told apart by `expressions`. */
const ruleNodeSchema: z.ZodType<RawRule, unknown> = z.lazy(() =>
  z
    .object({
      attribute: z.string().min(1).optional(),
      op: z.enum(RULE_OPS).optional(),
      value: stringish().optional(),
      type: z.enum(RULE_TYPES).optional(),
      booleanOp: z.enum(['and', 'or']).optional(),
      expressions: z
        .array(ruleNodeSchema)
        .min(1, { error: () => 'a compound rule needs at least one expression' })
        .optional(),
    })
    .strict()
    .superRefine((r, ctx) => {
      if (r.expressions !== undefined) {
        for (const k of ['attribute', 'op', 'value', 'type'] as const) {
          if (r[k] !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: `a compound rule (with 'expressions') cannot also have '${k}'`,
            });
          }
        }
        return;
      }
      if (r.booleanOp !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['booleanOp'], message: "'booleanOp' needs 'expressions'" });
      }
      if (r.attribute === undefined)
        ctx.addIssue({ code: 'custom', path: ['attribute'], message: "a rule expression needs 'attribute'" });
      if (r.op === undefined)
        ctx.addIssue({ code: 'custom', path: ['op'], message: "a rule expression needs 'op'" });
      else if (r.op === 'defined' || r.op === 'not_defined') {
        if (r.value !== undefined)
          ctx.addIssue({ code: 'custom', path: ['value'], message: `op '${r.op}' takes no 'value'` });
      } else if (r.value === undefined) {
        ctx.addIssue({ code: 'custom', path: ['value'], message: `op '${r.op}' needs a 'value'` });
      }
    }),
);

const constraintSchema = z
  .object({
    kind: z
      .literal('location', { error: () => "only 'location' constraints are supported" })
      .default('location'),
    id: name('constraint id').optional(),
    resource: z.string(),
    node: z.string().optional(),
    rule: ruleNodeSchema.optional(),
    score: score(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if ((c.node === undefined) === (c.rule === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: "a location constraint needs exactly one of 'node' and 'rule'",
      });
    }
  });

/** The strict object tree before cross-field checks and normalisation. */
const documentSchema = z
  .object({
    name: name('cluster name').default('quorate'),
    configVersion: z
      .number()
      .int()
      .nonnegative({ error: () => 'configVersion must be a non-negative integer' })
      .default(0),
    nodes: z
      .array(nodeSchema)
      .min(1, { error: () => 'a cluster needs at least one node' })
      .transform((nodes) => {
        const used = new Set(nodes.flatMap((n) => (n.id === undefined ? [] : [n.id])));
        let next = 1;
        return nodes.map((n) => {
          if (n.id !== undefined) return { ...n, id: n.id };
          while (used.has(next)) next++;
          used.add(next);
          return { ...n, id: next };
        });
      }),
    quorum: quorumSchema.prefault({}),
    options: optionsSchema.prefault({}),
    fencing: fencingSchema.prefault({}),
    resources: z.array(resourceSchema).default([]),
    constraints: z.array(constraintSchema).default([]),
  })
  .strict();

type Document = z.output<typeof documentSchema>;

/** Cross-field rules: each issue carries the path of the field at fault. */
function checkDocument(d: Document, ctx: z.core.$RefinementCtx<Document>): void {
  const issue = (path: Array<string | number>, message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  const nodeNames = new Set<string>();
  const nodeIds = new Set<number>();
  d.nodes.forEach((n, i) => {
    if (RESERVED_NODE_NAMES.includes(n.name))
      issue(['nodes', i, 'name'], `node name '${n.name}' is reserved (events use it for something else)`);
    if (nodeNames.has(n.name)) issue(['nodes', i, 'name'], `node name '${n.name}' is used twice`);
    if (nodeIds.has(n.id)) issue(['nodes', i, 'id'], `node id ${n.id} is used twice`);
    nodeNames.add(n.name);
    nodeIds.add(n.id);
  });

  const q = d.quorum;
  if (q.twoNode && d.nodes.length !== 2)
    issue(['quorum', 'twoNode'], `twoNode needs exactly 2 nodes, the cluster has ${d.nodes.length}`);
  if (q.twoNode && d.nodes.some((n) => n.votes !== 1))
    issue(['quorum', 'twoNode'], 'twoNode needs 1 vote per node (as cman and votequorum)');
  if (q.qdisk !== undefined && q.qdevice !== undefined)
    issue(['quorum', 'qdevice'], 'qdisk and qdevice cannot be used together; choose one quorum device');
  if (q.twoNode && q.qdisk !== undefined)
    issue(
      ['quorum', 'qdisk'],
      'twoNode cannot be used with a qdisk (cman: two_node must be 0 with a quorum disk)',
    );
  if (q.twoNode && q.qdevice !== undefined)
    issue(
      ['quorum', 'qdevice'],
      'twoNode cannot be used with a qdevice (votequorum refuses two_node with a quorum device)',
    );
  if (q.qdevice !== undefined && q.lastManStanding)
    issue(['quorum', 'lastManStanding'], 'lastManStanding cannot be used with a qdevice');
  if (q.qdevice !== undefined && q.autoTieBreaker !== false)
    issue(['quorum', 'autoTieBreaker'], 'autoTieBreaker cannot be used with a qdevice');
  if (q.qdevice?.algorithm === 'ffsplit' && q.qdevice.votes !== undefined && q.qdevice.votes !== 1) {
    issue(
      ['quorum', 'qdevice', 'votes'],
      `a qdevice with algorithm 'ffsplit' must have 1 vote, got ${q.qdevice.votes}`,
    );
  }
  if (q.lastManStanding) {
    d.nodes.forEach((n, i) => {
      if (n.votes !== 1)
        issue(
          ['nodes', i, 'votes'],
          `lastManStanding needs 1 vote per node; node '${n.name}' has ${n.votes}`,
        );
    });
  }
  if (Array.isArray(q.autoTieBreaker)) {
    q.autoTieBreaker.forEach((id, i) => {
      if (!nodeIds.has(id)) issue(['quorum', 'autoTieBreaker', i], `node id ${id} is not defined`);
    });
  }
  if (typeof q.qdevice?.tieBreaker === 'number' && !nodeIds.has(q.qdevice.tieBreaker)) {
    issue(['quorum', 'qdevice', 'tieBreaker'], `node id ${q.qdevice.tieBreaker} is not defined`);
  }

  const devices = new Map<string, Document['fencing']['devices'][number]>();
  d.fencing.devices.forEach((dev, i) => {
    if (devices.has(dev.name))
      issue(['fencing', 'devices', i, 'name'], `device name '${dev.name}' is used twice`);
    devices.set(dev.name, dev);
    dev.hosts?.forEach((h, j) => {
      if (!nodeNames.has(h)) issue(['fencing', 'devices', i, 'hosts', j], `node '${h}' is not defined`);
    });
    for (const h of Object.keys(dev.port)) {
      if (!nodeNames.has(h)) issue(['fencing', 'devices', i, 'port', h], `node '${h}' is not defined`);
      else if (dev.hosts !== undefined && !dev.hosts.includes(h))
        issue(
          ['fencing', 'devices', i, 'port', h],
          `node '${h}' is not in the hosts of device '${dev.name}'`,
        );
    }
    if (dev.agent === 'watchdog' && dev.params.timeout !== undefined) {
      const r = duration().safeParse(dev.params.timeout);
      if (!r.success)
        issue(
          ['fencing', 'devices', i, 'params', 'timeout'],
          r.error.issues[0]?.message ?? 'invalid duration',
        );
    }
  });
  for (const [node, levels] of Object.entries(d.fencing.topology)) {
    if (!nodeNames.has(node)) issue(['fencing', 'topology', node], `node '${node}' is not defined`);
    levels.forEach((level, li) => {
      level.forEach((devName, di) => {
        const dev = devices.get(devName);
        if (dev === undefined)
          issue(['fencing', 'topology', node, li, di], `device '${devName}' is not defined`);
        else if (dev.agent === 'watchdog')
          issue(
            ['fencing', 'topology', node, li, di],
            `device '${devName}' is a watchdog (self-fencing) and cannot be a topology level`,
          );
        else if (dev.hosts !== undefined && !dev.hosts.includes(node))
          issue(
            ['fencing', 'topology', node, li, di],
            `device '${devName}' cannot fence '${node}' (not in its hosts)`,
          );
      });
      if (new Set(level).size !== level.length)
        issue(['fencing', 'topology', node, li], 'a fence level lists a device twice');
    });
  }

  const resources = new Set<string>();
  d.resources.forEach((r, i) => {
    if (resources.has(r.id)) issue(['resources', i, 'id'], `resource id '${r.id}' is used twice`);
    resources.add(r.id);
  });
  const constraintIds = new Set<string>();
  d.constraints.forEach((c, i) => {
    if (!resources.has(c.resource))
      issue(['constraints', i, 'resource'], `resource '${c.resource}' is not defined`);
    if (c.node !== undefined && !nodeNames.has(c.node))
      issue(['constraints', i, 'node'], `node '${c.node}' is not defined`);
    if (c.id !== undefined) {
      if (constraintIds.has(c.id)) issue(['constraints', i, 'id'], `constraint id '${c.id}' is used twice`);
      constraintIds.add(c.id);
    }
  });
}

function normaliseRuleNode(r: RawRule): Rule | RuleExpression {
  if (r.expressions !== undefined) {
    const rule: Rule = { expressions: r.expressions.map(normaliseRuleNode) };
    if (r.booleanOp !== undefined) rule.booleanOp = r.booleanOp;
    return rule;
  }
  const e: RuleExpression = { attribute: r.attribute ?? '', op: r.op ?? 'eq' };
  if (r.value !== undefined) e.value = r.value;
  if (r.type !== undefined) e.type = r.type;
  return e;
}

/** A single expression becomes a one-expression rule; a compound rule stays as it is. */
function normaliseRule(r: RawRule): Rule {
  const n = normaliseRuleNode(r);
  return 'expressions' in n ? n : { expressions: [n] };
}

function normalise(d: Document): ClusterConfig {
  const nodes: NodeConfig[] = d.nodes.map((n) => ({
    name: n.name,
    id: n.id,
    votes: n.votes,
    attributes: { ...n.attributes },
  }));
  const q = d.quorum;
  const quorum: QuorumOptions = {
    twoNode: q.twoNode,
    // votequorum: two_node switches wait_for_all on unless it is explicitly 0.
    waitForAll: q.waitForAll ?? q.twoNode,
    lastManStanding: q.lastManStanding,
    lastManStandingWindowMs: q.lastManStandingWindow,
    autoTieBreaker: q.autoTieBreaker === true ? 'lowest' : q.autoTieBreaker,
  };
  if (q.expectedVotes !== undefined) quorum.expectedVotes = q.expectedVotes;
  if (q.qdisk !== undefined) {
    const qdisk: QdiskConfig = {
      // cman qdiskd: votes default to (number of nodes - 1), at least 1.
      votes: q.qdisk.votes ?? Math.max(1, nodes.length - 1),
      intervalMs: q.qdisk.interval,
      tko: q.qdisk.tko,
      masterWins: q.qdisk.masterWins ?? nodes.length === 2,
    };
    if (q.qdisk.label !== undefined) qdisk.label = q.qdisk.label;
    quorum.qdisk = qdisk;
  }
  if (q.qdevice !== undefined) {
    const qdevice: QdeviceConfig = {
      // corosync-qdevice: ffsplit casts 1 vote; lms defaults to (number of nodes - 1).
      votes: q.qdevice.votes ?? (q.qdevice.algorithm === 'lms' ? Math.max(1, nodes.length - 1) : 1),
      algorithm: q.qdevice.algorithm,
      tieBreaker: q.qdevice.tieBreaker,
    };
    quorum.qdevice = qdevice;
  }
  const o = d.options;
  const topologyOf = (node: string) => d.fencing.topology[node];
  const devices: FenceDeviceConfig[] = d.fencing.devices.map((dev) => {
    let hosts = dev.hosts;
    if (hosts === undefined) {
      // Without pcmk_host_list: a watchdog guards every node; another device fences the nodes
      // whose topology names it.
      hosts =
        dev.agent === 'watchdog'
          ? nodes.map((n) => n.name)
          : nodes
              .map((n) => n.name)
              .filter((n) => (topologyOf(n) ?? []).some((level) => level.includes(dev.name)));
    }
    const out: FenceDeviceConfig = {
      name: dev.name,
      agent: dev.agent,
      hosts: [...hosts],
      port: { ...dev.port },
      delayMs: dev.delay,
      params: { ...dev.params },
    };
    if (dev.agent === 'watchdog') {
      const t = dev.params.timeout === undefined ? undefined : duration().safeParse(dev.params.timeout);
      out.watchdogTimeoutMs = t?.success === true ? t.data : DEFAULT_WATCHDOG_TIMEOUT_MS;
    }
    return out;
  });
  // Pacemaker without a fencing topology tries each capable device in turn: one level per device.
  const topology: Record<string, string[][]> = {};
  for (const n of nodes) {
    const given = topologyOf(n.name);
    if (given !== undefined) topology[n.name] = given.map((level) => [...level]);
    else {
      const capable = devices
        .filter((dev) => dev.agent !== 'watchdog' && dev.hosts.includes(n.name))
        .map((dev) => [dev.name]);
      if (capable.length > 0) topology[n.name] = capable;
    }
  }
  const fencing: ClusterConfig['fencing'] = {
    devices,
    topology,
    maxAttempts: d.fencing.maxAttempts,
    retryIntervalMs: d.fencing.retryInterval,
  };
  if (d.fencing.skipWhenLost !== undefined) fencing.skipWhenLost = d.fencing.skipWhenLost;

  const resources: ResourceConfig[] = d.resources.map((r) => {
    const out: ResourceConfig = {
      id: r.id,
      agent: r.agent,
      priority: r.priority,
      targetRole: r.targetRole,
      migrationThreshold: r.migrationThreshold,
      failureTimeoutMs: r.failureTimeout,
      monitorIntervalMs: r.monitorInterval,
      params: { ...r.params },
    };
    if (r.stickiness !== undefined) out.stickiness = r.stickiness;
    return out;
  });

  const usedIds = new Set(d.constraints.flatMap((c) => (c.id === undefined ? [] : [c.id])));
  const constraints: LocationConstraintConfig[] = d.constraints.map((c, i) => {
    let id = c.id;
    if (id === undefined) {
      // Deterministic: the same document always gives the same ids.
      const base =
        c.node !== undefined ? `location-${c.resource}-${c.node}` : `location-${c.resource}-rule-${i}`;
      id = base;
      for (let k = 2; usedIds.has(id); k++) id = `${base}-${k}`;
      usedIds.add(id);
    }
    if (c.node !== undefined)
      return { kind: 'location', id, resource: c.resource, node: c.node, score: c.score };
    return {
      kind: 'location',
      id,
      resource: c.resource,
      rule: normaliseRule(c.rule ?? { expressions: [] }),
      score: c.score,
    };
  });

  return {
    name: d.name,
    configVersion: d.configVersion,
    nodes,
    quorum,
    options: {
      noQuorumPolicy: o.noQuorumPolicy,
      stonithEnabled: o.stonithEnabled,
      symmetricCluster: o.symmetricCluster,
      resourceStickiness: o.resourceStickiness,
      tokenTimeoutMs: o.tokenTimeout,
      stonithTimeoutMs: o.stonithTimeout,
      fenceDelayMs: o.fenceDelay,
      fenceAction: o.fenceAction,
      priorityFencingDelayMs: o.priorityFencingDelay,
      startupFencing: o.startupFencing,
      maintenanceMode: o.maintenanceMode,
      stopAllResources: o.stopAllResources,
    },
    fencing,
    resources,
    constraints,
  };
}

/**
 * The zod schema of the `cluster:` document: strict objects, defaults, cross-field checks with
 * paths, and a transform to the normalised {@link ClusterConfig}. Use {@link parseClusterConfig}
 * unless you compose it into a larger schema (the scenario schema does).
 */
export const clusterConfigSchema: z.ZodType<ClusterConfig, ClusterConfigInput> = documentSchema
  .superRefine(checkDocument)
  .transform(normalise) as unknown as z.ZodType<ClusterConfig, ClusterConfigInput>;

/**
 * The `cluster:` document with its field-by-field rules only (no cross-field rules such as
 * duplicate names or undefined references), normalised as {@link clusterConfigSchema} does. For
 * reporting every issue of an invalid document at once; a configuration the engine runs on must
 * come from {@link clusterConfigSchema}.
 */
export const clusterDocumentShapeSchema: z.ZodType<ClusterConfig, ClusterConfigInput> =
  documentSchema.transform(normalise) as unknown as z.ZodType<ClusterConfig, ClusterConfigInput>;

/**
 * The cross-field issues of a `cluster:` document whose fields all read (duplicate names and ids,
 * references to undefined nodes, devices and resources...), with their paths; `[]` when it has
 * none or when its fields do not all read (those issues are {@link clusterConfigSchema}'s). Pure.
 */
export function clusterCrossFieldIssues(input: unknown): ConfigIssue[] {
  if (!documentSchema.safeParse(input).success) return [];
  const r = clusterConfigSchema.safeParse(input);
  return r.success ? [] : toConfigIssues(r.error.issues);
}

/**
 * The raw `cluster:` document as a host writes it (durations as `"3s"` or ms, scores as
 * `"INFINITY"` or integers, optional fields left out). Inferred from the schema.
 */
export type ClusterConfigInput = z.input<typeof documentSchema>;

/** Result of {@link safeParseClusterConfig}: a value, or the error `parseClusterConfig` would throw. */
export type SafeParseClusterConfigResult =
  | { ok: true; value: ClusterConfig }
  | { ok: false; error: ConfigError };

/** Builds the {@link ConfigError} for a failed zod parse: prettified message, issues with paths. */
export function configErrorFromZod(error: z.ZodError, prefix?: Array<string | number>): ConfigError {
  const issues: ConfigIssue[] = toConfigIssues(error.issues).map((i) => ({
    ...i,
    path: [...(prefix ?? []), ...i.path],
  }));
  const shifted =
    prefix === undefined
      ? error
      : new z.ZodError(error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })));
  return new ConfigError(z.prettifyError(shifted), issues);
}

/**
 * Validates a `cluster:` document (already parsed from YAML/JSON into plain data) and returns the
 * normalised {@link ClusterConfig}. Throws {@link ConfigError} listing every problem with its
 * path; nothing else is thrown. Pure: no I/O, the input is not modified.
 */
export function parseClusterConfig(input: unknown): ClusterConfig {
  const r = safeParseClusterConfig(input);
  if (!r.ok) throw r.error;
  return r.value;
}

/** As {@link parseClusterConfig}, but returns the error as a value instead of throwing it. */
export function safeParseClusterConfig(input: unknown): SafeParseClusterConfigResult {
  const r = clusterConfigSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  // The cross-field rules (duplicate ids, undefined references) of the fields that could be read.
  const more = issuesBeyondFirstFailure(clusterDocumentShapeSchema, input, r.error.issues, (_, doc) =>
    clusterCrossFieldIssues(doc),
  );
  return { ok: false, error: configErrorFromZod(withMoreIssues(r.error, more)) };
}

/**
 * `error` followed by `more` (custom issues with their paths), for one {@link ConfigError} that
 * lists every bad field. `error` itself when there is nothing more.
 */
export function withMoreIssues(error: z.ZodError, more: readonly ConfigIssue[]): z.ZodError {
  if (more.length === 0) return error;
  return new z.ZodError([
    ...error.issues,
    ...more.map((i) => ({
      code: 'custom' as const,
      path: [...i.path],
      message: i.message,
      input: undefined,
    })),
  ]);
}

/**
 * The JSON Schema (draft 2020-12) of the raw `cluster:` document, for editors and other
 * languages. It describes the input shape (`io: 'input'`); cross-field rules are not in it.
 */
export function clusterConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(documentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
