import {
  CibError,
  formatScores,
  formatSummary,
  fromCib,
  INFINITY,
  schedule,
  type Transition,
} from '@quorate/policy';
import { type Io, readInputFile } from '../io.js';

const USAGE = `usage: quorate policy --cib FILE [--json] [--scores]

Reads a Pacemaker CIB (configuration + status) and prints what the scheduler would do,
in crm_simulate's words ("Transition Summary"). --scores adds the allocation scores;
--json prints one JSON object instead. Exit 2 on bad input.
`;

function jsonScore(s: number): number | string {
  if (s >= INFINITY) return 'INFINITY';
  if (s <= -INFINITY) return '-INFINITY';
  return s;
}

/** The `--json` shape: placements, actions, fence list, scores. */
function toJson(t: Transition): unknown {
  const actions = t.actions.map((a) => {
    if (a.op === 'fence') return { op: 'fence', node: a.node, action: a.action, reason: a.reason };
    const out: Record<string, unknown> = { op: a.op, resource: a.resource, node: a.node };
    if ((a.op === 'move' || a.op === 'recover') && a.from !== undefined) out.from = a.from;
    if (a.blocked === true) out.blocked = true;
    if (a.due !== undefined) out.due = a.due;
    return out;
  });
  const scores: Record<string, Record<string, number | string>> = {};
  for (const [rsc, table] of Object.entries(t.scores)) {
    const row: Record<string, number | string> = {};
    for (const [node, s] of Object.entries(table)) row[node] = jsonScore(s);
    scores[rsc] = row;
  }
  return { placements: t.placements, actions, fence: t.fence, scores, reasons: t.reasons };
}

/**
 * `quorate policy --cib FILE [--json] [--scores]`: runs `@quorate/policy`'s `fromCib` and
 * `schedule` on a CIB file. Prints the Transition Summary (and scores) or, with `--json`, exactly
 * one JSON object `{placements, actions, fence, scores, reasons}`. Returns 0 on success and 2 on
 * usage errors or bad input (missing file, not XML, unsupported element, duplicate ids, unknown
 * resource), with the message on stderr and nothing on stdout. The wall clock is read here (not in
 * the library) and used as "now" only when the CIB has no `execution-date`.
 */
export async function policy(argv: string[], io: Io): Promise<number> {
  let cib: string | undefined;
  let json = false;
  let showScores = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--cib') {
      cib = argv[++i];
      if (cib === undefined) {
        io.stderr(`quorate policy: --cib needs a file\n${USAGE}`);
        return 2;
      }
    } else if (a?.startsWith('--cib=')) {
      cib = a.slice('--cib='.length);
    } else if (a === '--json') {
      json = true;
    } else if (a === '--scores') {
      showScores = true;
    } else if (a === '--help' || a === '-h') {
      io.stdout(USAGE);
      return 0;
    } else {
      io.stderr(`quorate policy: unknown argument '${a}'\n${USAGE}`);
      return 2;
    }
  }
  if (cib === undefined) {
    io.stderr(`quorate policy: --cib FILE is required\n${USAGE}`);
    return 2;
  }
  const xml = await readInputFile('policy', cib, io);
  if (xml === null) return 2;
  let transition: Transition;
  try {
    transition = schedule(fromCib(xml, { nowMs: Date.now() }));
  } catch (e) {
    if (e instanceof CibError) {
      io.stderr(`quorate policy: '${cib}': ${e.message} [${e.code}]\n`);
      return 2;
    }
    throw e;
  }
  if (json) {
    io.stdout(`${JSON.stringify(toJson(transition))}\n`);
    return 0;
  }
  const lines = ['Transition Summary:', ...formatSummary(transition).map((l) => `  * ${l}`)];
  if (showScores) lines.push('', 'Allocation scores:', ...formatScores(transition));
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}
