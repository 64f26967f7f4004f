/**
 * `quorate status FILE [--check] [--json]`: shows what each node knows, from the `status()`
 * snapshots a host program wrote (`JSON.stringify(node.status())`), as `crm_mon` shows a cluster.
 */
import { z } from 'zod';
import { parseFileArgs } from '../args.js';
import { type Io, readInputFile } from '../io.js';
import { formatIssuePath } from './lint.js';

const USAGE = `usage: quorate status FILE [--check] [--json]

Shows the cluster as each node sees it, from ClusterNode.status() snapshots that a host program
wrote to FILE: one JSON object, a JSON array of them, or JSON lines (other lines are skipped, so
a host's event log works: the last snapshot of each node is shown).

  --check   exit 1 unless every node is running and quorate, sees every node as a member, has
            no fence pending and no ring down (for monitoring; each problem on stderr)
  --json    print the snapshots used, as one JSON array

exit: 0 shown (and, with --check, healthy), 1 --check found a problem, 2 usage error or no
valid snapshot in FILE
`;

const nodeViewSchema = z.object({
  state: z.enum(['member', 'unclean', 'offline', 'unseen']),
  standby: z.boolean(),
  maintenance: z.boolean(),
});

/** The parts of `ClusterNodeStatus` (`@quorate/core`) this command shows; other keys are kept. */
const statusSchema = z.looseObject({
  node: z.string().min(1),
  running: z.boolean(),
  members: z.array(z.string()),
  coordinator: z.string(),
  isCoordinator: z.boolean(),
  quorate: z.boolean(),
  quorum: z.object({ votes: z.number(), expected: z.number(), quorum: z.number(), reason: z.string() }),
  configVersion: z.number(),
  nodes: z.record(z.string(), nodeViewSchema),
  resources: z.record(z.string(), z.string()),
  fencePending: z.array(z.string()),
  rings: z.array(z.object({ peer: z.string(), ring: z.number(), status: z.enum(['ok', 'faulty', 'down']) })),
});

type Snapshot = z.output<typeof statusSchema>;

/** Problems `--check` reports for one snapshot (empty: healthy as this node sees it). */
export function statusProblems(s: Snapshot): string[] {
  const out: string[] = [];
  if (!s.running) out.push(`'${s.node}' is not running`);
  if (!s.quorate) out.push(`'${s.node}' is not quorate (${s.quorum.votes} of ${s.quorum.expected} votes)`);
  for (const [name, v] of Object.entries(s.nodes)) {
    if (v.state !== 'member') out.push(`'${s.node}' sees '${name}' ${v.state}`);
  }
  for (const t of s.fencePending) out.push(`'${s.node}' waits for a fence of '${t}'`);
  for (const r of s.rings) {
    if (r.status !== 'ok') out.push(`'${s.node}' sees ring ${r.ring} to '${r.peer}' ${r.status}`);
  }
  return out;
}

/** One node's view as text, `crm_mon`-like. */
export function formatStatus(s: Snapshot): string {
  const lines: string[] = [];
  const role = s.isCoordinator ? 'coordinator' : `coordinator ${s.coordinator}`;
  lines.push(
    `${s.node}${s.running ? '' : ' (not running)'}: ${s.quorate ? 'quorate' : 'NOT quorate'}, ${s.quorum.votes} of ${s.quorum.expected} votes (quorum ${s.quorum.quorum}), ${role}, configVersion ${s.configVersion}`,
  );
  const nodes = Object.entries(s.nodes).map(([name, v]) => {
    const flags = [v.standby ? 'standby' : '', v.maintenance ? 'maintenance' : ''].filter((f) => f !== '');
    return `${name} ${v.state}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
  });
  lines.push(`  nodes: ${nodes.join(', ') || 'none'}`);
  const res = Object.entries(s.resources).map(([id, st]) => `${id} ${st}`);
  lines.push(`  resources here: ${res.join(', ') || 'none'}`);
  if (s.fencePending.length > 0) lines.push(`  fence pending: ${s.fencePending.join(', ')}`);
  const bad = s.rings.filter((r) => r.status !== 'ok').map((r) => `ring ${r.ring} to ${r.peer} ${r.status}`);
  if (bad.length > 0) lines.push(`  rings: ${bad.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Every value in `text` that could be a snapshot: one JSON document, an array, or JSON lines. */
function candidates(text: string): unknown[] {
  try {
    const whole: unknown = JSON.parse(text);
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    const out: unknown[] = [];
    for (const line of text.split('\n')) {
      const t = line.trim();
      if (!t.startsWith('{')) continue;
      try {
        out.push(JSON.parse(t));
      } catch {
        // not JSON: skipped, as any other log line
      }
    }
    return out;
  }
}

/** `quorate status`: see {@link USAGE}. Returns the exit code. */
export async function status(argv: string[], io: Io): Promise<number> {
  const args = parseFileArgs('status', argv, { flags: ['--check', '--json'] }, USAGE, io);
  if (!args.ok) return args.code;
  const { file } = args;
  const check = args.flags.has('--check');
  const json = args.flags.has('--json');
  const text = await readInputFile('status', file, io);
  if (text === null) return 2;
  const latest = new Map<string, Snapshot>();
  let firstError: z.ZodError | undefined;
  for (const c of candidates(text)) {
    const r = statusSchema.safeParse(c);
    if (r.success) latest.set(r.data.node, r.data);
    else firstError ??= r.error;
  }
  if (latest.size === 0) {
    io.stderr(`quorate status: no node status snapshot in '${file}'\n`);
    for (const i of firstError?.issues ?? [])
      io.stderr(
        `  ${formatIssuePath(i.path.map((p) => (typeof p === 'number' ? p : String(p))))}: ${i.message}\n`,
      );
    return 2;
  }
  const snapshots = [...latest.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  if (json) io.stdout(`${JSON.stringify(snapshots)}\n`);
  else io.stdout(snapshots.map(formatStatus).join(''));
  if (!check) return 0;
  const problems = snapshots.flatMap(statusProblems);
  for (const p of problems) io.stderr(`problem: ${p}\n`);
  return problems.length > 0 ? 1 : 0;
}
