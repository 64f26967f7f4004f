/**
 * fast-check arbitraries for random fault schedules (DESIGN.md "Well-kept libraries": property
 * tests over fault schedules). Each value is a raw scenario document in the SCENARIO-FORMAT shape
 * (so a failing case prints as a scenario file that `quorate simulate` runs as is): a 2–5 node
 * cluster with per-node BMCs, sometimes a shared PDU level, a quorum disk or arbiter, and a
 * timeline of crashes, power loss and return, hangs, reboots, orderly shutdowns, partitions and
 * heals, ring faults, quorum-device path losses, BMC failures (`fenceDevice`), resource failures,
 * administrator fences, standby/maintenance and truthful `confirmFenced` (only for a node that is
 * really without power). No expectations; `invariants: default`.
 */
import fc from 'fast-check';

/** A raw scenario document (plain JSON data). */
export type ScenarioDoc = Record<string, unknown> & {
  events: Array<Record<string, unknown>>;
};

/** Options of {@link faultScheduleArbitrary}. */
export interface FaultScheduleOptions {
  /** Latest event time in ms (default 10 000). */
  horizonMs?: number;
  /** Virtual time the run continues after the last event, in ms (default 12 000). */
  tailMs?: number;
  /** Most events per schedule (default 7). */
  maxEvents?: number;
}

const POLICIES = ['stop', 'stop', 'freeze', 'ignore', 'demote', 'suicide'] as const;

interface Shape {
  n: number;
  quorumDevice: 'none' | 'qdisk' | 'qdevice';
  twoNode: boolean;
  rings: 1 | 2;
  pdu: boolean;
  stonith: boolean;
  resources: number;
}

const shapeArb: fc.Arbitrary<Shape> = fc
  .record({
    n: fc.constantFrom(2, 2, 3, 3, 3, 4, 4, 5),
    quorumDevice: fc.constantFrom('none', 'none', 'qdisk', 'qdevice') as fc.Arbitrary<Shape['quorumDevice']>,
    twoNode: fc.boolean(),
    rings: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>,
    pdu: fc.boolean(),
    stonith: fc.constantFrom(true, true, true, true, false),
    resources: fc.integer({ min: 1, max: 4 }),
  })
  .map((s) => ({ ...s, twoNode: s.twoNode && s.n === 2 && s.quorumDevice === 'none' }));

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node${i + 1}`);

/** Times are whole multiples of 250ms so that several faults can land on the same instant. */
const timeArb = (horizonMs: number) => fc.integer({ min: 0, max: horizonMs / 250 }).map((k) => k * 250);

function eventArb(shape: Shape, horizonMs: number): fc.Arbitrary<Record<string, unknown>> {
  const nodes = names(shape.n);
  const node = fc.constantFrom(...nodes);
  const resource = fc.constantFrom(...Array.from({ length: shape.resources }, (_, i) => `vm${i + 1}`));
  const devices = [...nodes.map((n) => `ipmi-${n}`), ...(shape.pdu ? ['pdu'] : [])];
  const partition = fc
    .tuple(
      fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.n, maxLength: shape.n }),
      fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    )
    .map(([groupOf, reach]) => {
      const groups: string[][] = [[], [], []];
      nodes.forEach((n, i) => {
        groups[groupOf[i] ?? 0]?.push(n);
      });
      return groups
        .map((g, gi) =>
          shape.quorumDevice !== 'none' && reach[gi] === true && g.length > 0
            ? [...g, shape.quorumDevice]
            : g,
        )
        .filter((g) => g.length > 0);
    });
  const kinds: Array<fc.WeightedArbitrary<Record<string, unknown>>> = [
    { weight: 6, arbitrary: node.map((n) => ({ crash: n })) },
    { weight: 4, arbitrary: node.map((n) => ({ powerLoss: n })) },
    { weight: 3, arbitrary: node.map((n) => ({ powerOn: n })) },
    { weight: 2, arbitrary: node.map((n) => ({ hang: n })) },
    { weight: 2, arbitrary: node.map((n) => ({ reboot: n })) },
    { weight: 1, arbitrary: node.map((n) => ({ shutdown: n })) },
    { weight: 1, arbitrary: node.map((n) => ({ fence: n })) },
    { weight: 6, arbitrary: partition.map((p) => ({ partition: p })) },
    { weight: 4, arbitrary: fc.constant({ heal: 'all' }) },
    {
      weight: 4,
      arbitrary: fc
        .record({ name: fc.constantFrom(...devices), result: fc.constantFrom('ok', 'fail', 'timeout') })
        .map((d) => ({ fenceDevice: d })),
    },
    { weight: 3, arbitrary: resource.map((r) => ({ resourceFail: { resource: r } })) },
    { weight: 1, arbitrary: fc.record({ node, on: fc.boolean() }).map((s) => ({ standby: s })) },
    { weight: 1, arbitrary: fc.record({ node, on: fc.boolean() }).map((s) => ({ maintenance: s })) },
  ];
  if (shape.rings === 2) {
    const ring = fc.record({ node, ring: fc.constantFrom(0, 1) });
    kinds.push(
      { weight: 3, arbitrary: ring.map((r) => ({ ringDown: r })) },
      { weight: 2, arbitrary: ring.map((r) => ({ ringUp: r })) },
    );
  }
  if (shape.quorumDevice === 'qdisk')
    kinds.push({ weight: 2, arbitrary: fc.constantFrom('all', ...nodes).map((n) => ({ qdiskLost: n })) });
  if (shape.quorumDevice === 'qdevice')
    kinds.push({ weight: 2, arbitrary: fc.constantFrom('all', ...nodes).map((n) => ({ qdeviceLost: n })) });
  // A configuration change (its configVersion is numbered in time order below).
  kinds.push({
    weight: 2,
    arbitrary: fc
      .record({
        policy: fc.constantFrom(...POLICIES),
        fenceDelay: fc.constantFrom(0, 2000, 5000),
        maxAttempts: fc.integer({ min: 1, max: 3 }),
        stonith: fc.constantFrom(true, true, true, false),
      })
      .map((c) => ({
        configUpdate: {
          options: { noQuorumPolicy: c.policy, fenceDelay: c.fenceDelay, stonithEnabled: c.stonith },
          fencing: { maxAttempts: c.maxAttempts },
        },
      })),
  });
  // A confirmation candidate; kept only where the node really has no power (see below).
  kinds.push({ weight: 2, arbitrary: node.map((n) => ({ confirmFenced: n })) });
  return fc.tuple(timeArb(horizonMs), fc.oneof(...kinds)).map(([at, e]) => ({ at, ...e }));
}

/**
 * An operator's `confirmFenced` is a statement of fact; a false one (the node still has power) is
 * operator error that the invariants would rightly charge to nobody. Keep a confirmation only
 * when the node lost power earlier and has not been powered on since.
 */
function keepTruthfulConfirmations(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const sorted = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at as number) - (b.e.at as number) || a.i - b.i);
  const dark = new Set<string>();
  const kept: Array<Record<string, unknown>> = [];
  for (const { e } of sorted) {
    if (typeof e.powerLoss === 'string') dark.add(e.powerLoss);
    if (typeof e.powerOn === 'string') dark.delete(e.powerOn);
    if (typeof e.confirmFenced === 'string' && !dark.has(e.confirmFenced)) continue;
    kept.push(e);
  }
  return kept;
}

/** Gives the configuration updates increasing versions in time order (2, 3, ...). */
function numberConfigVersions(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  let version = 1;
  return [...events]
    .sort((a, b) => (a.at as number) - (b.at as number))
    .map((e) =>
      e.configUpdate === undefined
        ? e
        : {
            ...e,
            configUpdate: { ...(e.configUpdate as Record<string, unknown>), configVersion: ++version },
          },
    );
}

/** Arbitrary fault schedules as raw scenario documents; see the module comment. */
export function faultScheduleArbitrary(opts: FaultScheduleOptions = {}): fc.Arbitrary<ScenarioDoc> {
  const horizonMs = opts.horizonMs ?? 10_000;
  const tailMs = opts.tailMs ?? 12_000;
  const maxEvents = opts.maxEvents ?? 7;
  return shapeArb.chain((shape) => {
    const nodes = names(shape.n);
    const resIds = Array.from({ length: shape.resources }, (_, i) => `vm${i + 1}`);
    const devices = [...nodes.map((n) => `ipmi-${n}`), ...(shape.pdu ? ['pdu'] : [])];
    return fc
      .record({
        policy: fc.constantFrom(...POLICIES),
        tokenMs: fc.constantFrom(1000, 2000, 3000),
        fenceDelayMs: fc.constantFrom(0, 0, 2000, 5000),
        maxAttempts: fc.integer({ min: 1, max: 3 }),
        retryMs: fc.constantFrom(5000, 15_000, 60_000),
        stickiness: fc.constantFrom(0, 100),
        bootMs: fc.constantFrom(5000, 10_000, 30_000),
        deviceBehaviour: fc.array(
          fc.record({
            result: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'timeout'),
            after: fc.constantFrom(500, 1000, 2000),
            bmc: fc.boolean(),
          }),
          { minLength: devices.length, maxLength: devices.length },
        ),
        running: fc.array(fc.option(fc.constantFrom(...nodes), { nil: undefined }), {
          minLength: resIds.length,
          maxLength: resIds.length,
        }),
        failStart: fc.array(
          fc.option(fc.tuple(fc.constantFrom(...nodes), fc.integer({ min: 1, max: 2 })), {
            nil: undefined,
            freq: 4,
          }),
          {
            minLength: resIds.length,
            maxLength: resIds.length,
          },
        ),
        failStop: fc.array(
          fc.option(fc.tuple(fc.constantFrom(...nodes), fc.integer({ min: 1, max: 1 })), {
            nil: undefined,
            freq: 5,
          }),
          {
            minLength: resIds.length,
            maxLength: resIds.length,
          },
        ),
        migrationThreshold: fc.constantFrom(1, 2, 1_000_000),
        events: fc.array(eventArb(shape, horizonMs), { minLength: 1, maxLength: maxEvents }),
      })
      .map((r): ScenarioDoc => {
        const quorum: Record<string, unknown> = {};
        if (shape.twoNode) quorum.twoNode = true;
        if (shape.quorumDevice === 'qdisk') quorum.qdisk = { votes: 1, interval: '1s', tko: 3 };
        if (shape.quorumDevice === 'qdevice')
          quorum.qdevice = { algorithm: shape.n % 2 === 0 ? 'ffsplit' : 'lms' };
        const fenceDevices: Record<string, unknown> = {};
        devices.forEach((d, i) => {
          const b = r.deviceBehaviour[i];
          if (b === undefined) return;
          const owner = d === 'pdu' ? undefined : d.slice('ipmi-'.length);
          fenceDevices[d] = {
            result: b.result,
            after: b.after,
            ...(b.bmc && owner !== undefined ? { poweredBy: owner } : {}),
          };
        });
        const running: Record<string, string> = {};
        resIds.forEach((id, i) => {
          const n = r.running[i];
          if (n !== undefined) running[id] = n;
        });
        const resourceAgents: Record<string, unknown> = {};
        resIds.forEach((id, i) => {
          const fs = r.failStart[i];
          const fp = r.failStop[i];
          if (fs === undefined && fp === undefined) return;
          resourceAgents[id] = {
            ...(fs === undefined ? {} : { failStart: { [fs[0]]: fs[1] } }),
            ...(fp === undefined ? {} : { failStop: { [fp[0]]: fp[1] } }),
          };
        });
        const events = numberConfigVersions(keepTruthfulConfirmations(r.events));
        const last = Math.max(0, ...events.map((e) => e.at as number));
        return {
          name: 'property-fault-schedule',
          cluster: {
            name: 'prop',
            configVersion: 1,
            nodes: nodes.map((n, i) => ({ name: n, id: i + 1 })),
            quorum,
            options: {
              noQuorumPolicy: r.policy,
              stonithEnabled: shape.stonith,
              tokenTimeout: r.tokenMs,
              stonithTimeout: 5000,
              fenceDelay: r.fenceDelayMs,
              resourceStickiness: r.stickiness,
            },
            fencing: {
              devices: [
                ...nodes.map((n) => ({ name: `ipmi-${n}`, agent: 'ipmi', hosts: [n] })),
                ...(shape.pdu
                  ? [
                      {
                        name: 'pdu',
                        agent: 'snmp-apc',
                        hosts: nodes,
                        port: Object.fromEntries(nodes.map((n, i) => [n, String(i + 1)])),
                      },
                    ]
                  : []),
              ],
              topology: Object.fromEntries(
                nodes.map((n) => [n, shape.pdu ? [[`ipmi-${n}`], ['pdu']] : [[`ipmi-${n}`]]]),
              ),
              maxAttempts: r.maxAttempts,
              retryInterval: r.retryMs,
            },
            resources: resIds.map((id) => ({ id, agent: 'sim', migrationThreshold: r.migrationThreshold })),
          },
          world: { rings: shape.rings, bootTime: r.bootMs, start: { running }, fenceDevices, resourceAgents },
          events,
          invariants: 'default',
          until: last + tailMs,
        };
      });
  });
}
