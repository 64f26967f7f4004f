/**
 * Runs the installed Pacemaker `crm_simulate` (2.1.5) on a CIB file and turns its XML output into
 * the facts the differential test compares: final placement per resource and the fence set.
 *
 * We call `crm_simulate -x FILE -S --output-as=xml` (plus `-s` for allocation scores when asked:
 * it costs ~30 % more time): `-S` simulates the transition (every runnable action succeeds), the
 * XML output is stable to parse
 * (the text output drops its headings when stdout is not a terminal).
 *
 * Quirks handled here:
 * - fences are listed in an order that depends on concurrent-fencing chaining; we return them
 *   sorted and callers compare them as sets;
 * - placement = current status + the simulated transition's starts, stops and fences (a fence
 *   removes everything on its target, including unmanaged resources that get no summary line);
 *   the revised status is not trusted because recurring monitors scheduled on a node the
 *   resource just left are simulated as "running" there;
 * - crm_simulate 2.1.5 loops forever on some inputs (version comparison of two non-numeric
 *   strings), so every call has a timeout;
 * - some groups are left out of the status output (seen: a group whose only active member is on
 *   an unclean node); their primitives' current nodes come from `crm_resource --locate`;
 * - schema errors go to stderr with exit code 78 (`Invalid configuration`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

/** Name of the binary (overridable for tests on machines with another path). */
export const CRM_SIMULATE = process.env.QUORATE_CRM_SIMULATE ?? 'crm_simulate';
const CRM_RESOURCE = process.env.QUORATE_CRM_RESOURCE ?? 'crm_resource';

/** The decision crm_simulate took, reduced to comparable facts. */
export interface OracleAnswer {
  /** Resource id → node after the simulated transition, or null when stopped. */
  placements: Record<string, string | null>;
  /** Nodes fenced by the transition, sorted (compare as a set). */
  fence: string[];
  /**
   * pcmk__primitive_assign allocation scores: resource → node → score (±1000000 for ±INFINITY);
   * empty unless scores were requested.
   */
  scores: Record<string, Record<string, number>>;
  /** Transition summary, one line per action (for failure messages). */
  summary: string[];
  /** Resources active on more than one node after the transition (outside the subset). */
  multiActive: string[];
}

/** A failed oracle run (bad CIB, timeout, crash): not a verdict on Quorate. */
export interface OracleFailure {
  error: string;
  /**
   * crm_simulate computed a transition but could not execute it ("An invalid transition was
   * produced", exit 1): a crm_simulate defect seen with groups. Such cases cannot be compared.
   */
  invalidTransition?: boolean;
}

/** Whether crm_simulate is installed and runs; returns its version line or null. */
export function crmSimulateVersion(): string | null {
  try {
    const r = spawnSync(CRM_SIMULATE, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0 || typeof r.stdout !== 'string') return null;
    return r.stdout.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) =>
    ['node', 'resource', 'group', 'node_weight', 'node_action', 'rsc_action', 'fencing_action'].includes(
      name,
    ),
});

type XmlObj = Record<string, unknown>;

function arr(v: unknown): XmlObj[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]) as XmlObj[];
}

function parseScore(s: string): number {
  if (s === 'INFINITY' || s === '+INFINITY') return 1_000_000;
  if (s === '-INFINITY') return -1_000_000;
  return Number.parseInt(s, 10);
}

/**
 * Parses `crm_simulate -S -s --output-as=xml` output. Exported for unit tests.
 * `hidden` gives the current nodes of primitives the status output leaves out (crm_simulate hides
 * some groups, e.g. one whose only active member sits on an unclean node); `expected` lists every
 * primitive of the CIB, and one neither shown nor in `hidden` makes the answer a failure.
 */
export function parseCrmSimulateXml(
  xml: string,
  hidden: ReadonlyMap<string, string[]> = new Map(),
  expected: readonly string[] = [],
): OracleAnswer | OracleFailure {
  const doc = parser.parse(xml) as XmlObj;
  const result = doc['pacemaker-result'] as XmlObj | undefined;
  if (!result) return { error: 'no <pacemaker-result> in output' };
  const status = result.status as XmlObj | undefined;
  if (status && status.code !== '0') return { error: `status ${status.code}: ${String(status.message)}` };
  const current = result.cluster_status as XmlObj | undefined;
  if (!current) return { error: 'no <cluster_status> in output' };
  const transition = result.transition as XmlObj | undefined;
  if (!transition && !result.revised_cluster_status) return { error: 'no <transition> (was -S given?)' };
  // Placement = current status with the simulated transition's starts, stops and fences applied.
  // The revised status is not used: a recurring monitor the transition (re)schedules on a node the
  // resource just left (e.g. after an expired failure) is simulated with rc 0 and makes the
  // resource look active there again.
  const where = new Map<string, string[]>();
  const order: string[] = [];
  const currentResources = current.resources as XmlObj | undefined;
  if (currentResources && ('clone' in currentResources || 'bundle' in currentResources)) {
    return { error: 'clones/bundles are not supported by the harness' };
  }
  // Primitives, top-level or inside groups (groups themselves have no placement of their own).
  const primitives = [
    ...arr(currentResources?.resource),
    ...arr(currentResources?.group).flatMap((g) => arr(g.resource)),
  ];
  for (const r of primitives) {
    const id = String(r.id);
    order.push(id);
    where.set(id, r.active === 'true' ? arr(r.node).map((n) => String(n.name)) : []);
  }
  for (const id of expected) {
    if (where.has(id)) continue;
    const nodes = hidden.get(id);
    if (!nodes) return { error: `primitive ${id} missing from crm_simulate's status output` };
    order.push(id);
    where.set(id, [...nodes]);
  }
  for (const a of arr(transition?.rsc_action)) {
    const id = String(a.resource);
    const nodes = where.get(id);
    if (!nodes) continue;
    const node = String(a.node);
    if (a.op === 'start' && !nodes.includes(node)) nodes.push(node);
    if (a.op === 'stop')
      where.set(
        id,
        nodes.filter((n) => n !== node),
      );
  }
  for (const f of arr(transition?.fencing_action)) {
    const target = String(f.target);
    for (const [id, nodes] of where)
      where.set(
        id,
        nodes.filter((n) => n !== target),
      );
  }
  const placements: Record<string, string | null> = {};
  const multiActive: string[] = [];
  for (const id of order) {
    const nodes = where.get(id) ?? [];
    if (nodes.length > 1) multiActive.push(id);
    placements[id] = nodes[0] ?? null;
  }
  const fence: string[] = [];
  const summary: string[] = [];
  const actions = result.actions as XmlObj | undefined;
  for (const a of arr(actions?.node_action)) {
    const task = String(a.task);
    summary.push(`${task} ${String(a.node)} '${String(a.reason ?? '')}'`);
    if (task.startsWith('Fence')) fence.push(String(a.node));
  }
  for (const a of arr(actions?.rsc_action)) {
    const where =
      a.source && a.dest ? `${String(a.source)} -> ${String(a.dest)}` : String(a.node ?? a.dest ?? '');
    const extra = [a.reason ? `due to ${String(a.reason)}` : '', a.blocked === 'true' ? '(blocked)' : '']
      .filter(Boolean)
      .join(' ');
    summary.push(`${String(a.action)} ${String(a.resource)} (${where})${extra ? ` ${extra}` : ''}`);
  }
  const scores: Record<string, Record<string, number>> = {};
  for (const w of arr((result.allocations as XmlObj | undefined)?.node_weight)) {
    if (w.function !== 'pcmk__primitive_assign') continue;
    const id = String(w.id);
    scores[id] ??= {};
    (scores[id] as Record<string, number>)[String(w.node)] = parseScore(String(w.score));
  }
  fence.sort();
  return { placements, fence, scores, summary, multiActive };
}

/**
 * Runs crm_simulate on `file` (an existing CIB file) with a timeout and parses the answer.
 * Never throws for oracle trouble: returns an {@link OracleFailure}.
 */
export function runCrmSimulate(
  file: string,
  options: { scores?: boolean; timeoutMs?: number } = {},
): Promise<OracleAnswer | OracleFailure> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = ['-x', file, '-S', ...(options.scores ? ['-s'] : []), '--output-as=xml'];
  return new Promise((resolve) => {
    const child = spawn(CRM_SIMULATE, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: `spawn failed: ${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (timedOut) return resolve({ error: `crm_simulate timed out after ${timeoutMs} ms` });
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 1 && stdout.includes('An invalid transition was produced')) {
        return resolve({
          error: 'crm_simulate: An invalid transition was produced',
          invalidTransition: true,
        });
      }
      if (code !== 0) return resolve({ error: `crm_simulate exit ${code}: ${stderr.slice(0, 2000)}` });
      const expected = primitiveIds(file);
      const shown = new Set(
        [...stdout.slice(0, stdout.indexOf('</cluster_status>')).matchAll(/<resource id="([^"]+)"/g)].map(
          (m) => m[1] as string,
        ),
      );
      const hidden = new Map<string, string[]>();
      for (const id of expected) if (!shown.has(id)) hidden.set(id, locate(file, id));
      const parsed = parseCrmSimulateXml(stdout, hidden, expected);
      if ('error' in parsed) return resolve(parsed);
      if (/Relax-NG|validity error/i.test(stderr))
        return resolve({ error: `schema: ${stderr.slice(0, 2000)}` });
      resolve(parsed);
    });
  });
}

function primitiveIds(file: string): string[] {
  const xml = readFileSync(file, 'utf8');
  const config = xml.slice(0, Math.max(0, xml.indexOf('<status')));
  return [...config.matchAll(/<primitive id="([^"]+)"/g)].map((m) => m[1] as string);
}

/** Where a primitive currently runs, per `crm_resource --locate` on the CIB file. */
function locate(file: string, id: string): string[] {
  const r = spawnSync(CRM_RESOURCE, ['--locate', '--resource', id, '--output-as=xml'], {
    encoding: 'utf8',
    timeout: 15_000,
    env: { ...process.env, CIB_file: file },
  });
  if (r.status !== 0 || typeof r.stdout !== 'string') return [];
  return [...r.stdout.matchAll(/<node>([^<]+)<\/node>/g)].map((m) => m[1] as string);
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
) {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      results[i] = await fn(items[i] as T, i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
