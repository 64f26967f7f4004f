/**
 * The zod schema of a whole scenario file (SCENARIO-FORMAT.md) and `parseScenario`, which reads
 * YAML 1.2 or JSON text into a normalised {@link Scenario}. Every bad field is reported with its
 * path (`events[3].partition[0][1]: node 'node9' is not defined`); nothing is run. Pure: the text
 * comes in as an argument.
 */
import { parse as parseYaml, stringify as stringifyYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import {
  clusterConfigSchema,
  clusterCrossFieldIssues,
  clusterDocumentShapeSchema,
  configErrorFromZod,
  withMoreIssues,
} from '../config/cluster.schema.js';
import type { ClusterConfig } from '../config/cluster-config.types.js';
import { checkConfigVersion, mergeClusterDocument } from '../config/config-update.js';
import {
  duration,
  formatDuration,
  issuesBeyondFirstFailure,
  parseDurationMs,
} from '../config/schema-helpers.js';
import { ConfigError } from '../errors.js';
import type {
  AtTime,
  Expectation,
  FenceDeviceBehaviour,
  InvariantName,
  NodeEventKind,
  PartitionGroup,
  ResourceAgentBehaviour,
  Scenario,
  ScenarioEvent,
  WorldConfig,
} from './scenario.types.js';

/** Every invariant name, in the order of SCENARIO-FORMAT "Invariants" (`invariants: default`). */
export const INVARIANT_NAMES: readonly InvariantName[] = [
  'singleActive',
  'quorumToStart',
  'fenceBeforeRecovery',
  'noSelfFence',
  'configMonotonic',
];

/** World defaults of SCENARIO-FORMAT: device actions 1s ok, starts and stops 1s, boot 30s, one ring. */
export const WORLD_DEFAULTS = {
  rings: 1,
  bootTimeMs: 30_000,
  deviceAfterMs: 1000,
  startMs: 1000,
  stopMs: 1000,
  monitorMs: 0,
} as const;

/** Time added after the last event or deadline when `until` is not given. */
export const DEFAULT_UNTIL_MARGIN_MS = 60_000;

type Issue = { path: Array<string | number>; message: string };

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A mapping that must carry exactly one of `table`'s keys; the value is then parsed by that key's
 * schema (issues keep their paths).
 */
function oneOfKeys<T>(
  what: string,
  table: Record<string, z.ZodType<T, unknown>>,
  precheck?: (key: string, v: Record<string, unknown>) => string | undefined,
): z.ZodType<T, unknown> {
  const keys = Object.keys(table);
  return z.unknown().transform((v, ctx) => {
    if (!isMapping(v)) {
      ctx.issues.push({ code: 'custom', message: `expected ${what} as a mapping`, input: v });
      return z.NEVER;
    }
    const present = keys.filter((k) => k in v);
    if (present.length !== 1) {
      ctx.issues.push({
        code: 'custom',
        input: v,
        message:
          present.length === 0
            ? `${what} needs exactly one of: ${keys.join(', ')}`
            : `${what} has more than one of ${present.join(', ')}; write one per item`,
      });
      return z.NEVER;
    }
    const key = present[0] as string;
    const hint = precheck?.(key, v);
    if (hint !== undefined) {
      ctx.issues.push({ code: 'custom', message: hint, input: v });
      return z.NEVER;
    }
    const schema = table[key] as z.ZodType<T, unknown>;
    const r = schema.safeParse(v);
    if (!r.success) {
      for (const i of r.error.issues) ctx.issues.push({ ...i, input: v } as never);
      return z.NEVER;
    }
    return r.data;
  });
}

function readAtTime(v: unknown, ctx: z.core.$RefinementCtx<unknown>): AtTime {
  if (v === 'end') return 'end';
  const r = parseDurationMs(v);
  if (!r.ok) {
    ctx.issues.push({ code: 'custom', message: `${r.message} (or 'end')`, input: v });
    return z.NEVER;
  }
  return r.ms;
}

/** An `at:`/`to:` time: a duration or `end`. */
const atTime = (): z.ZodType<AtTime, unknown> =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) {
        ctx.issues.push({ code: 'custom', message: 'required', input: v });
        return z.NEVER;
      }
      return readAtTime(v, ctx);
    });

/** As {@link atTime}, but the key may be left out. */
const optionalAtTime = (): z.ZodType<AtTime | undefined, unknown> =>
  z
    .unknown()
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : readAtTime(v, ctx)));

const ref = (what: string) => z.string({ error: () => `expected a ${what} name` }).min(1);

// ---------------------------------------------------------------------------------------------
// events

type DistOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type RawEvent = ScenarioEvent extends infer E ? (E extends { kind: 'configUpdate' } ? never : E) : never;
type EventOut =
  | DistOmit<RawEvent, 'index'>
  | { kind: 'configUpdate'; atMs: number; patch: Record<string, unknown> };
const field = (e: unknown, k: string): unknown => (e as Record<string, unknown>)[k];

const nodeEvent = (kind: NodeEventKind) =>
  z
    .object({ at: duration(), [kind]: ref('node') })
    .strict()
    .transform((e): EventOut => ({ kind, atMs: field(e, 'at') as number, node: field(e, kind) as string }));

const ringEvent = (kind: 'ringDown' | 'ringUp') =>
  z
    .object({
      at: duration(),
      [kind]: z.object({ node: ref('node'), ring: z.number().int().nonnegative() }).strict(),
    })
    .strict()
    .transform((e): EventOut => {
      const b = field(e, kind) as { node: string; ring: number };
      return { kind, atMs: field(e, 'at') as number, node: b.node, ring: b.ring };
    });

const lostEvent = (kind: 'qdiskLost' | 'qdeviceLost') =>
  z
    .object({ at: duration(), [kind]: ref('node') })
    .strict()
    .transform((e): EventOut => ({ kind, atMs: field(e, 'at') as number, node: field(e, kind) as string }));

const toggleEvent = (kind: 'standby' | 'maintenance') =>
  z
    .object({
      at: duration(),
      [kind]: z.object({ node: ref('node'), on: z.boolean().default(true) }).strict(),
    })
    .strict()
    .transform((e): EventOut => {
      const b = field(e, kind) as { node: string; on: boolean };
      return { kind, atMs: field(e, 'at') as number, node: b.node, on: b.on };
    });

const fenceResult = z.enum(['ok', 'fail', 'timeout']);

const eventTable: Record<string, z.ZodType<EventOut, unknown>> = {
  crash: nodeEvent('crash'),
  powerLoss: nodeEvent('powerLoss'),
  powerOn: nodeEvent('powerOn'),
  hang: nodeEvent('hang'),
  partition: z
    .object({
      at: duration(),
      partition: z
        .array(z.array(ref('node')).min(1, { error: () => 'a partition group needs at least one member' }), {
          error: () => 'expected a list of groups, such as [[node1, node2], [node3, qdisk]]',
        })
        .min(1),
    })
    .strict()
    .transform(
      (e): EventOut => ({
        kind: 'partition',
        atMs: e.at,
        groups: e.partition.map((g) => ({
          nodes: g.filter((n) => n !== 'qdisk' && n !== 'qdevice'),
          quorumDevice: g.some((n) => n === 'qdisk' || n === 'qdevice'),
        })),
      }),
    ),
  heal: z
    .object({ at: duration(), heal: z.literal('all', { error: () => "expected 'heal: all'" }) })
    .strict()
    .transform((e): EventOut => ({ kind: 'heal', atMs: e.at })),
  ringDown: ringEvent('ringDown'),
  ringUp: ringEvent('ringUp'),
  qdiskLost: lostEvent('qdiskLost'),
  qdeviceLost: lostEvent('qdeviceLost'),
  shutdown: nodeEvent('shutdown'),
  reboot: nodeEvent('reboot'),
  fence: nodeEvent('fence'),
  setExpectedVotes: z
    .object({
      at: duration(),
      setExpectedVotes: z.object({ node: ref('node'), votes: z.number().int().positive() }).strict(),
    })
    .strict()
    .transform(
      (e): EventOut => ({
        kind: 'setExpectedVotes',
        atMs: e.at,
        node: e.setExpectedVotes.node,
        votes: e.setExpectedVotes.votes,
      }),
    ),
  fenceDevice: z
    .object({ at: duration(), fenceDevice: z.object({ name: ref('device'), result: fenceResult }).strict() })
    .strict()
    .transform(
      (e): EventOut => ({
        kind: 'fenceDevice',
        atMs: e.at,
        device: e.fenceDevice.name,
        result: e.fenceDevice.result,
      }),
    ),
  resourceFail: z
    .object({ at: duration(), resourceFail: z.object({ resource: ref('resource') }).strict() })
    .strict()
    .transform((e): EventOut => ({ kind: 'resourceFail', atMs: e.at, resource: e.resourceFail.resource })),
  confirmFenced: nodeEvent('confirmFenced'),
  standby: toggleEvent('standby'),
  maintenance: toggleEvent('maintenance'),
  configUpdate: z
    .object({
      at: duration(),
      configUpdate: z.record(z.string(), z.unknown(), {
        error: () => 'expected a (partial) cluster document',
      }),
    })
    .strict()
    .transform((e): EventOut => ({ kind: 'configUpdate', atMs: e.at, patch: e.configUpdate })),
};

/** Every event key of SCENARIO-FORMAT "events". */
export const EVENT_KINDS: readonly ScenarioEvent['kind'][] = Object.keys(
  eventTable,
) as ScenarioEvent['kind'][];

// ---------------------------------------------------------------------------------------------
// expectations

type ExpectOut = Expectation extends infer E
  ? E extends unknown
    ? Omit<E, 'index' | 'text'>
    : never
  : never;

const placementSchema = z.record(
  z.string(),
  z.union([ref('node'), z.null()], { error: () => 'expected a node name or null' }),
);

const runningAtOrBy = () =>
  z
    .object({
      at: optionalAtTime(),
      by: duration().optional(),
      running: placementSchema,
    })
    .strict()
    .superRefine((e, ctx) => {
      if ((e.at === undefined) === (e.by === undefined))
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: "this expectation needs exactly one of 'at' and 'by'",
        });
    });

const windowed = z.object({
  from: duration().optional(),
  to: optionalAtTime(),
});

const expectTable: Record<string, z.ZodType<ExpectOut, unknown>> = {
  fenced: z
    .object({
      by: duration(),
      fenced: ref('node'),
      device: ref('device').optional(),
      level: z.number().int().min(1).max(9).optional(),
    })
    .strict()
    .transform((e): ExpectOut => {
      const out: ExpectOut = { kind: 'fenced', byMs: e.by, node: e.fenced };
      if (e.device !== undefined) out.device = e.device;
      if (e.level !== undefined) out.level = e.level;
      return out;
    }),
  running: runningAtOrBy().transform(
    (e): ExpectOut =>
      e.by !== undefined
        ? { kind: 'runningBy', byMs: e.by, placement: e.running }
        : { kind: 'runningAt', atMs: e.at ?? 'end', placement: e.running },
  ),
  never: z
    .object({
      never: oneOfKeys<{ fenced: string } | { running: Record<string, string> }>('a never expectation', {
        fenced: z.object({ fenced: ref('node') }).strict(),
        running: z.object({ running: z.record(z.string(), ref('node')) }).strict(),
      }),
      ...windowed.shape,
    })
    .strict()
    .superRefine((e, ctx) => {
      if (e.from !== undefined && typeof e.to === 'number' && e.to < e.from)
        ctx.addIssue({ code: 'custom', path: ['to'], message: "'to' is before 'from'" });
    })
    .transform((e): ExpectOut => {
      const fromMs = e.from ?? 0;
      const toMs = e.to ?? 'end';
      return 'fenced' in e.never
        ? { kind: 'neverFenced', node: e.never.fenced, fromMs, toMs }
        : { kind: 'neverRunning', placement: e.never.running, fromMs, toMs };
    }),
  quorate: z
    .object({ at: atTime(), quorate: z.array(ref('node')) })
    .strict()
    .transform((e): ExpectOut => ({ kind: 'quorate', atMs: e.at, nodes: e.quorate })),
  fencePending: z
    .object({ at: atTime(), fencePending: ref('node') })
    .strict()
    .transform((e): ExpectOut => ({ kind: 'fencePending', atMs: e.at, node: e.fencePending })),
  stopped: z
    .object({
      at: atTime(),
      stopped: z.union([ref('resource').transform((r) => [r]), z.array(ref('resource'))]),
    })
    .strict()
    .transform((e): ExpectOut => ({ kind: 'stopped', atMs: e.at, resources: e.stopped })),
  quorum: z
    .object({
      at: atTime(),
      quorum: z
        .object({
          votes: z.number().int().nonnegative().optional(),
          expected: z.number().int().nonnegative().optional(),
          quorum: z.number().int().nonnegative().optional(),
          node: ref('node'),
        })
        .strict(),
    })
    .strict()
    .transform((e): ExpectOut => {
      const out: ExpectOut = { kind: 'quorum', atMs: e.at, node: e.quorum.node };
      if (e.quorum.votes !== undefined) out.votes = e.quorum.votes;
      if (e.quorum.expected !== undefined) out.expected = e.quorum.expected;
      if (e.quorum.quorum !== undefined) out.quorum = e.quorum.quorum;
      return out;
    }),
  fenceCount: z
    .object({ at: atTime(), fenceCount: z.record(z.string(), z.number().int().nonnegative()) })
    .strict()
    .transform((e): ExpectOut => ({ kind: 'fenceCount', atMs: e.at, counts: e.fenceCount })),
  power: z
    .object({
      at: atTime(),
      power: z.record(
        z.string(),
        z.union([z.enum(['on', 'off']), z.boolean().transform((b) => (b ? 'on' : 'off'))], {
          error: () => "expected 'on' or 'off'",
        }),
      ),
    })
    .strict()
    .transform(
      (e): ExpectOut => ({ kind: 'power', atMs: e.at, power: e.power as Record<string, 'on' | 'off'> }),
    ),
  configVersion: z
    .object({ at: atTime(), configVersion: z.number().int().nonnegative() })
    .strict()
    .transform((e): ExpectOut => ({ kind: 'configVersion', atMs: e.at, version: e.configVersion })),
};

/** Says which time key an expectation kind takes when the file gives the other one. */
function expectationTiming(key: string, v: Record<string, unknown>): string | undefined {
  if (key === 'fenced' && !('by' in v) && 'at' in v)
    return "'fenced' is checked with 'by: T' (fenced no later than T), not 'at:'";
  if (key === 'never' && ('at' in v || 'by' in v))
    return "'never' takes an optional window 'from:'/'to:', not 'at:' or 'by:'";
  if (key !== 'fenced' && key !== 'running' && key !== 'never' && !('at' in v) && 'by' in v)
    return `'${key}' is checked with 'at: T' (exactly at T), not 'by:'`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// world and the whole file

const worldSchema = z
  .object({
    rings: z.number().int().min(1).max(8).default(WORLD_DEFAULTS.rings),
    bootTime: duration().default(WORLD_DEFAULTS.bootTimeMs),
    start: z
      .object({
        up: z.array(ref('node')).optional(),
        running: z.record(z.string(), ref('node')).default({}),
      })
      .strict()
      .prefault({}),
    fenceDevices: z
      .record(
        z.string(),
        z
          .object({
            result: fenceResult.default('ok'),
            after: duration().default(WORLD_DEFAULTS.deviceAfterMs),
            poweredBy: ref('node').optional(),
          })
          .strict(),
      )
      .default({}),
    resourceAgents: z
      .record(
        z.string(),
        z
          .object({
            start: duration().default(WORLD_DEFAULTS.startMs),
            stop: duration().default(WORLD_DEFAULTS.stopMs),
            monitor: duration().default(WORLD_DEFAULTS.monitorMs),
            failStart: z.record(z.string(), z.number().int().nonnegative()).default({}),
            failStop: z.record(z.string(), z.number().int().nonnegative()).default({}),
          })
          .strict(),
      )
      .default({}),
  })
  .strict();

const fileSchema = z
  .object({
    name: z.string({ error: () => 'expected the scenario name as a string' }).min(1),
    description: z.string().optional(),
    cluster: clusterConfigSchema,
    world: worldSchema.optional(),
    events: z.array(oneOfKeys('an event', eventTable)).default([]),
    expect: z.array(oneOfKeys('an expectation', expectTable, expectationTiming)).default([]),
    invariants: z
      .unknown()
      .optional()
      .transform((v, ctx): 'default' | 'none' | InvariantName[] => {
        if (v === undefined || v === 'default') return 'default';
        if (v === 'none') return 'none';
        const r = z
          .array(
            z.enum(INVARIANT_NAMES as [InvariantName, ...InvariantName[]], {
              error: (iss) =>
                `unknown invariant ${JSON.stringify(iss.input)}; known: ${INVARIANT_NAMES.join(', ')}`,
            }),
          )
          .safeParse(v);
        if (r.success) return r.data;
        if (!Array.isArray(v)) {
          ctx.issues.push({
            code: 'custom',
            message: `expected 'default', 'none' or a list of: ${INVARIANT_NAMES.join(', ')}`,
            input: v,
          });
        } else for (const i of r.error.issues) ctx.issues.push({ ...i, input: v } as never);
        return z.NEVER;
      }),
    until: duration().optional(),
  })
  .strict();

type ParsedFile = z.output<typeof fileSchema>;

/** {@link fileSchema} without the cluster's cross-field rules (for reporting every issue at once). */
const fileShapeSchema: z.ZodType<ParsedFile, unknown> = fileSchema.extend({
  cluster: clusterDocumentShapeSchema,
});

/** Result of {@link safeParseScenarioDocument}. */
export type SafeParseScenarioResult = { ok: true; value: Scenario } | { ok: false; error: ConfigError };

function errorFromIssues(issues: Issue[]): ConfigError {
  const zerr = new z.ZodError(
    issues.map((i) => ({ code: 'custom' as const, path: i.path, message: i.message, input: undefined })),
  );
  return configErrorFromZod(zerr);
}

/**
 * Validates an already-parsed scenario document (plain data, as from YAML or JSON) and returns the
 * normalised {@link Scenario}, or the {@link ConfigError} that {@link parseScenario} would throw.
 * Never throws.
 */
export function safeParseScenarioDocument(input: unknown): SafeParseScenarioResult {
  const doc = withSimulatedDeviceHosts(input);
  const r = fileSchema.safeParse(doc);
  if (!r.success) {
    // The fields that could be read still get their cross-checks (undefined nodes, resources...).
    const more = issuesBeyondFirstFailure(fileShapeSchema, doc, r.error.issues, (data, repaired) => {
      const raw = repaired as { cluster: Record<string, unknown>; expect?: unknown[] };
      const found: Issue[] = clusterCrossFieldIssues(raw.cluster).map((i) => ({
        path: ['cluster', ...i.path],
        message: i.message,
      }));
      crossCheckAndNormalise(data, raw.cluster, raw.expect ?? [], found);
      return found;
    });
    return { ok: false, error: configErrorFromZod(withMoreIssues(r.error, more)) };
  }
  const issues: Issue[] = [];
  const raw = doc as { cluster: Record<string, unknown>; expect?: unknown[] };
  const scenario = crossCheckAndNormalise(r.data, raw.cluster, raw.expect ?? [], issues);
  if (issues.length > 0) return { ok: false, error: errorFromIssues(issues) };
  return { ok: true, value: scenario };
}

/**
 * In a simulated world every device is simulated and can switch any machine it is asked to, so a
 * device that lists no `hosts` and that no topology names can fence every node (as Pacemaker asks
 * a device without a host list). The library itself stays strict: outside the simulator such a
 * device fences nobody (an IPMI device without hosts would otherwise power-cycle its own machine).
 */
function simulatedDeviceHosts(cluster: unknown): unknown {
  if (!isRecord(cluster) || !isRecord(cluster.fencing) || !Array.isArray(cluster.fencing.devices))
    return cluster;
  if (!Array.isArray(cluster.nodes)) return cluster;
  const names = cluster.nodes.flatMap((n) => (isRecord(n) && typeof n.name === 'string' ? [n.name] : []));
  const topology = isRecord(cluster.fencing.topology) ? cluster.fencing.topology : {};
  const named = new Set<string>();
  for (const levels of Object.values(topology))
    if (Array.isArray(levels))
      for (const l of levels)
        if (Array.isArray(l)) for (const d of l) if (typeof d === 'string') named.add(d);
  let changed = false;
  const devices = cluster.fencing.devices.map((d) => {
    if (!isRecord(d) || d.hosts !== undefined || d.agent === 'watchdog') return d;
    if (typeof d.name !== 'string' || named.has(d.name)) return d;
    changed = true;
    return { ...d, hosts: names };
  });
  return changed ? { ...cluster, fencing: { ...cluster.fencing, devices } } : cluster;
}

function withSimulatedDeviceHosts(doc: unknown): unknown {
  if (!isRecord(doc) || doc.cluster === undefined) return doc;
  const cluster = simulatedDeviceHosts(doc.cluster);
  return cluster === doc.cluster ? doc : { ...doc, cluster };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** As {@link safeParseScenarioDocument}, but throws the {@link ConfigError}. */
export function parseScenarioDocument(doc: unknown): Scenario {
  const r = safeParseScenarioDocument(doc);
  if (!r.ok) throw r.error;
  return r.value;
}

/**
 * Reads a scenario file's text (YAML 1.2 by default; `format: 'json'` for JSON, which YAML also
 * reads) and returns the normalised {@link Scenario}. Throws {@link ConfigError} when the text is
 * not YAML/JSON (message with line and column) or when any field is invalid (one `✖` line per
 * issue, with its path, as `z.prettifyError` prints; `.issues` for programs). Pure.
 */
export function parseScenario(text: string, format: 'yaml' | 'json' = 'yaml'): Scenario {
  let doc: unknown;
  try {
    // A leading byte-order mark is not content; YAML merge keys (`<<: *anchor`) are read as
    // hand-written YAML files use them.
    const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    doc =
      format === 'json'
        ? JSON.parse(body)
        : parseYaml(body, { version: '1.2', uniqueKeys: true, prettyErrors: true, merge: true });
  } catch (e) {
    const what = format === 'json' ? 'JSON' : 'YAML';
    const detail = e instanceof YAMLParseError || e instanceof SyntaxError ? e.message : String(e);
    throw new ConfigError(
      `✖ the scenario is not valid ${what}: ${detail}`,
      [{ path: [], message: `not valid ${what}: ${detail}` }],
      { cause: e },
    );
  }
  return parseScenarioDocument(doc);
}

/** Renders a raw item in YAML flow style (`{ by: 20s, fenced: node1 }`) for messages. */
function flow(v: unknown): string {
  return stringifyYaml(v, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function crossCheckAndNormalise(
  f: ParsedFile,
  rawCluster: Record<string, unknown>,
  rawExpect: unknown[],
  issues: Issue[],
): Scenario {
  const cluster = f.cluster;
  const issue = (path: Array<string | number>, message: string) => issues.push({ path, message });

  // configUpdates: merge in file order onto the document as accepted so far (configs are then
  // known for the cross-checks of later events, e.g. a device added by an update).
  const configs: ClusterConfig[] = [cluster];
  const updateConfigs = new Map<number, ClusterConfig>();
  {
    let doc: unknown = rawCluster;
    let version = cluster.configVersion;
    f.events.forEach((e, i) => {
      if (e.kind !== 'configUpdate') return;
      const merged = simulatedDeviceHosts(mergeClusterDocument(doc, e.patch));
      const r = clusterConfigSchema.safeParse(merged);
      if (!r.success) {
        for (const zi of r.error.issues)
          issue(
            ['events', i, 'configUpdate', ...zi.path.map((p) => (typeof p === 'number' ? p : String(p)))],
            zi.message,
          );
        return;
      }
      updateConfigs.set(i, r.data);
      configs.push(r.data);
      if (checkConfigVersion(version, r.data.configVersion).ok) {
        doc = merged;
        version = r.data.configVersion;
      }
    });
  }
  const nodes = new Set(configs.flatMap((c) => c.nodes.map((n) => n.name)));
  const resources = new Set(configs.flatMap((c) => c.resources.map((r) => r.id)));
  const devices = new Set(configs.flatMap((c) => c.fencing.devices.map((d) => d.name)));
  const hasQdisk = configs.some((c) => c.quorum.qdisk !== undefined);
  const hasQdevice = configs.some((c) => c.quorum.qdevice !== undefined);
  const checkNode = (path: Array<string | number>, n: string) => {
    if (!nodes.has(n)) issue(path, `node '${n}' is not defined`);
  };
  const checkResource = (path: Array<string | number>, r: string) => {
    if (!resources.has(r)) issue(path, `resource '${r}' is not defined`);
  };

  // world
  const w = f.world ?? worldSchema.parse({});
  const up = w.start.up ?? cluster.nodes.map((n) => n.name);
  const seenUp = new Set<string>();
  (w.start.up ?? []).forEach((n, i) => {
    checkNode(['world', 'start', 'up', i], n);
    if (seenUp.has(n)) issue(['world', 'start', 'up', i], `node '${n}' is listed twice`);
    seenUp.add(n);
  });
  for (const [r, n] of Object.entries(w.start.running)) {
    checkResource(['world', 'start', 'running', r], r);
    checkNode(['world', 'start', 'running', r], n);
    if (nodes.has(n) && !up.includes(n))
      issue(['world', 'start', 'running', r], `node '${n}' is not up at the start (world.start.up)`);
  }
  for (const [d, b] of Object.entries(w.fenceDevices)) {
    if (!devices.has(d)) issue(['world', 'fenceDevices', d], `device '${d}' is not defined`);
    if (b.poweredBy !== undefined) checkNode(['world', 'fenceDevices', d, 'poweredBy'], b.poweredBy);
  }
  for (const [r, b] of Object.entries(w.resourceAgents)) {
    checkResource(['world', 'resourceAgents', r], r);
    for (const n of Object.keys(b.failStart)) checkNode(['world', 'resourceAgents', r, 'failStart', n], n);
    for (const n of Object.keys(b.failStop)) checkNode(['world', 'resourceAgents', r, 'failStop', n], n);
  }
  const fenceDevices: Record<string, FenceDeviceBehaviour> = {};
  for (const d of cluster.fencing.devices)
    fenceDevices[d.name] = { result: 'ok', afterMs: WORLD_DEFAULTS.deviceAfterMs };
  for (const [d, b] of Object.entries(w.fenceDevices)) {
    const out: FenceDeviceBehaviour = { result: b.result, afterMs: b.after };
    if (b.poweredBy !== undefined) out.poweredBy = b.poweredBy;
    fenceDevices[d] = out;
  }
  const resourceAgents: Record<string, ResourceAgentBehaviour> = {};
  const defaultAgent = (): ResourceAgentBehaviour => ({
    startMs: WORLD_DEFAULTS.startMs,
    stopMs: WORLD_DEFAULTS.stopMs,
    monitorMs: WORLD_DEFAULTS.monitorMs,
    failStart: {},
    failStop: {},
  });
  for (const r of cluster.resources) resourceAgents[r.id] = defaultAgent();
  for (const [r, b] of Object.entries(w.resourceAgents)) {
    resourceAgents[r] = {
      startMs: b.start,
      stopMs: b.stop,
      monitorMs: b.monitor,
      failStart: { ...b.failStart },
      failStop: { ...b.failStop },
    };
  }
  const world: WorldConfig = {
    rings: w.rings,
    bootTimeMs: w.bootTime,
    start: { up: [...up], running: { ...w.start.running } },
    fenceDevices,
    resourceAgents,
  };

  // events
  const events: ScenarioEvent[] = [];
  f.events.forEach((e, i) => {
    const at = ['events', i];
    switch (e.kind) {
      case 'partition': {
        const seen = new Set<string>();
        const raw = (e.groups as PartitionGroup[]).map((g) => g);
        raw.forEach((g, gi) => {
          g.nodes.forEach((n) => {
            checkNode([...at, 'partition', gi], n);
            if (seen.has(n)) issue([...at, 'partition', gi], `node '${n}' is in two groups`);
            seen.add(n);
          });
          if (g.quorumDevice && !hasQdisk && !hasQdevice)
            issue(
              [...at, 'partition', gi],
              'the group names a quorum device, but the cluster has no quorum.qdisk or quorum.qdevice',
            );
        });
        const groups = raw
          .map((g) => ({ nodes: [...g.nodes], quorumDevice: g.quorumDevice }))
          .filter((g) => g.nodes.length > 0 || g.quorumDevice);
        for (const n of cluster.nodes)
          if (!seen.has(n.name)) groups.push({ nodes: [n.name], quorumDevice: false });
        events.push({
          kind: 'partition',
          atMs: e.atMs,
          index: i,
          groups: groups.filter((g) => g.nodes.length > 0),
        });
        return;
      }
      case 'ringDown':
      case 'ringUp':
        checkNode([...at, e.kind, 'node'], e.node);
        if (e.ring >= world.rings)
          issue(
            [...at, e.kind, 'ring'],
            `ring ${e.ring} does not exist: world.rings is ${world.rings} (rings count from 0)`,
          );
        break;
      case 'qdiskLost':
      case 'qdeviceLost':
        if (e.node !== 'all') checkNode([...at, e.kind], e.node);
        if (e.kind === 'qdiskLost' && !hasQdisk)
          issue([...at, e.kind], 'qdiskLost needs a quorum disk (cluster.quorum.qdisk)');
        if (e.kind === 'qdeviceLost' && !hasQdevice)
          issue([...at, e.kind], 'qdeviceLost needs a quorum device (cluster.quorum.qdevice)');
        break;
      case 'setExpectedVotes':
      case 'standby':
      case 'maintenance':
        checkNode([...at, e.kind, 'node'], e.node);
        break;
      case 'fenceDevice':
        if (!devices.has(e.device))
          issue([...at, 'fenceDevice', 'name'], `device '${e.device}' is not defined`);
        break;
      case 'resourceFail':
        checkResource([...at, 'resourceFail', 'resource'], e.resource);
        break;
      case 'heal':
        break;
      case 'configUpdate': {
        const config = updateConfigs.get(i);
        if (config !== undefined)
          events.push({ kind: 'configUpdate', atMs: e.atMs, index: i, patch: e.patch, config });
        return;
      }
      default:
        checkNode([...at, e.kind], e.node);
    }
    events.push({ ...e, index: i } as ScenarioEvent);
  });
  // Array.prototype.sort is stable: same-time events keep file order.
  events.sort((a, b) => a.atMs - b.atMs);

  // expectations
  const expect: Expectation[] = [];
  const topologyLevels = (node: string) =>
    Math.max(0, ...configs.map((c) => c.fencing.topology[node]?.length ?? 0));
  const canFence = (device: string, node: string) =>
    configs.some((c) => c.fencing.devices.some((d) => d.name === device && d.hosts.includes(node)));
  f.expect.forEach((x, i) => {
    const at = ['expect', i];
    switch (x.kind) {
      case 'fenced':
        checkNode([...at, 'fenced'], x.node);
        if (x.device !== undefined) {
          if (!devices.has(x.device)) issue([...at, 'device'], `device '${x.device}' is not defined`);
          else if (nodes.has(x.node) && !canFence(x.device, x.node))
            issue([...at, 'device'], `device '${x.device}' cannot fence '${x.node}' (not in its hosts)`);
        }
        if (x.level !== undefined && nodes.has(x.node) && x.level > topologyLevels(x.node)) {
          issue(
            [...at, 'level'],
            `node '${x.node}' has ${topologyLevels(x.node)} fence level(s), not ${x.level}`,
          );
        }
        break;
      case 'neverFenced':
        checkNode([...at, 'never', 'fenced'], x.node);
        break;
      case 'runningBy':
      case 'runningAt':
        for (const [r, n] of Object.entries(x.placement)) {
          checkResource([...at, 'running', r], r);
          if (n !== null) checkNode([...at, 'running', r], n);
        }
        break;
      case 'neverRunning':
        for (const [r, n] of Object.entries(x.placement)) {
          checkResource([...at, 'never', 'running', r], r);
          checkNode([...at, 'never', 'running', r], n);
        }
        break;
      case 'quorate':
        x.nodes.forEach((n, j) => {
          checkNode([...at, 'quorate', j], n);
        });
        break;
      case 'fencePending':
        checkNode([...at, 'fencePending'], x.node);
        break;
      case 'stopped':
        x.resources.forEach((r, j) => {
          checkResource([...at, 'stopped', j], r);
        });
        break;
      case 'quorum':
        checkNode([...at, 'quorum', 'node'], x.node);
        break;
      case 'fenceCount':
        for (const n of Object.keys(x.counts)) checkNode([...at, 'fenceCount', n], n);
        break;
      case 'power':
        for (const n of Object.keys(x.power)) checkNode([...at, 'power', n], n);
        break;
      case 'configVersion':
        break;
    }
    expect.push({ ...x, index: i, text: flow(rawExpect[i]) } as Expectation);
  });

  // until
  let last = 0;
  for (const e of events) last = Math.max(last, e.atMs);
  for (const x of expect) {
    for (const t of [
      (x as { atMs?: AtTime }).atMs,
      (x as { byMs?: number }).byMs,
      (x as { fromMs?: number }).fromMs,
      (x as { toMs?: AtTime }).toMs,
    ]) {
      if (typeof t === 'number') last = Math.max(last, t);
    }
  }
  const untilMs = f.until ?? last + DEFAULT_UNTIL_MARGIN_MS;
  if (f.until !== undefined) {
    for (const x of expect) {
      const t = (x as { atMs?: AtTime }).atMs;
      if (typeof t === 'number' && t > untilMs)
        issue(
          ['expect', x.index, 'at'],
          `at ${formatDuration(t)} is after the end of the run (until ${formatDuration(untilMs)})`,
        );
    }
  }

  const invariants: InvariantName[] =
    f.invariants === 'default'
      ? [...INVARIANT_NAMES]
      : f.invariants === 'none'
        ? []
        : [...new Set(f.invariants)];
  const scenario: Scenario = {
    name: f.name,
    cluster,
    clusterDocument: rawCluster,
    world,
    events,
    expect,
    invariants,
    untilMs,
  };
  if (f.description !== undefined) scenario.description = f.description;
  return scenario;
}
