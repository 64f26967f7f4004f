/**
 * `quorate lint FILE [--scenario] [--strict] [--json]`: validates a cluster document and prints
 * what a careful operator wants to know about it.
 */
import {
  type ClusterConfig,
  type ConfigIssue,
  type Scenario,
  safeParseClusterConfig,
  safeParseScenarioDocument,
} from '@quorate/core';
import { parse as parseYaml } from 'yaml';
import { parseFileArgs } from '../args.js';
import { type Io, readInputFile } from '../io.js';

const USAGE = `usage: quorate lint FILE [--scenario] [--strict] [--json]

Validates a Quorate cluster document (YAML or JSON). FILE is either the document itself (with
'nodes:' at the top) or a file with a 'cluster:' section (a scenario file, or what
'quorate import' prints); only that section is checked. --scenario checks the whole file as a
scenario (SCENARIO-FORMAT.md): events, expectations and all.

Prints "ok: cluster 'NAME' configVersion N, K nodes, R resources, D fence devices" and then any
warnings (on stderr: things that are valid but probably not what you want). An invalid file
prints every issue with its path on stderr and nothing on stdout.

  --strict   exit 1 when there are warnings
  --json     print one JSON object {ok, summary, issues, warnings} on stdout instead

exit: 0 valid, 1 valid but warnings with --strict, 2 invalid or usage error
`;

/** One finding of the lint: where (path in the document, as `ConfigIssue`) and what. */
export interface LintWarning {
  path: Array<string | number>;
  message: string;
}

/**
 * Formats a document path as people read it: `fencing.topology.node1[1]`, `nodes[0].name`;
 * keys that are not plain words are quoted (`port["vm:100"]`). The empty path is `(document)`.
 */
export function formatIssuePath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out === '' ? '(document)' : out;
}

/**
 * Warnings about a valid, normalised cluster configuration: each is true of how the engine
 * treats the document (see docs/safety.md), never a rule the schema already enforces. `prefix`
 * is prepended to every path (`['cluster']` for a scenario's section). Pure.
 */
export function lintClusterConfig(
  cfg: ClusterConfig,
  prefix: ReadonlyArray<string | number> = [],
): LintWarning[] {
  const out: LintWarning[] = [];
  const warn = (path: Array<string | number>, message: string) =>
    out.push({ path: [...prefix, ...path], message });
  const q = cfg.quorum;
  const o = cfg.options;

  if (
    cfg.nodes.length === 2 &&
    !q.twoNode &&
    q.qdisk === undefined &&
    q.qdevice === undefined &&
    q.expectedVotes === undefined &&
    q.autoTieBreaker === false &&
    cfg.nodes[0]?.votes === cfg.nodes[1]?.votes &&
    (cfg.nodes[0]?.votes ?? 0) > 0
  ) {
    warn(
      ['quorum'],
      `a two-node cluster without twoNode, a qdisk or a qdevice: when either node is lost the other has half the votes, which is not a quorum (noQuorumPolicy '${o.noQuorumPolicy}' then applies)`,
    );
  }

  const watchdogCovers = (node: string) =>
    cfg.fencing.devices.some(
      (d) => d.agent === 'watchdog' && (d.hosts.length === 0 || d.hosts.includes(node)),
    );

  if (o.stonithEnabled) {
    if (cfg.fencing.devices.length === 0) {
      warn(
        ['options', 'stonithEnabled'],
        'stonithEnabled is true but there is no fence device: a lost node can never be fenced, so its resources are not recovered elsewhere until an operator calls confirmFenced',
      );
    } else {
      for (const n of cfg.nodes) {
        const levels = (cfg.fencing.topology[n.name] ?? []).filter((l) => l.length > 0);
        if (levels.length === 0 && !watchdogCovers(n.name)) {
          warn(
            ['fencing', 'topology', n.name],
            `node '${n.name}' has no fence device (no topology level, no device whose hosts name it, no watchdog): if it is lost, its resources are not recovered elsewhere until an operator calls confirmFenced`,
          );
        }
      }
    }
  } else if (cfg.nodes.length > 1) {
    warn(
      ['options', 'stonithEnabled'],
      'stonithEnabled is false: a lost node is taken as offline without being fenced, so a node that is only cut off may still run the resources that are then started elsewhere',
    );
  }

  cfg.fencing.devices.forEach((d, i) => {
    if (d.agent !== 'watchdog' && d.hosts.length === 0) {
      warn(
        ['fencing', 'devices', i],
        `device '${d.name}' fences no node (no hosts, and no topology level names it)`,
      );
    }
    for (const key of ['password', 'passwd', 'privPassword']) {
      if (d.params[key] !== undefined) {
        warn(
          ['fencing', 'devices', i, 'params', key],
          `a password written into the document: the agents registry refuses it (use passwordEnv or passwordFile), and the file should not hold it`,
        );
      }
    }
  });

  if (o.maintenanceMode) {
    warn(
      ['options', 'maintenanceMode'],
      'maintenanceMode is on: every resource is unmanaged, nothing is started, stopped or recovered',
    );
  }
  if (o.stopAllResources) {
    warn(['options', 'stopAllResources'], 'stopAllResources is on: every resource is stopped');
  }
  return out;
}

interface LintTarget {
  kind: 'cluster' | 'cluster section' | 'scenario';
  data: unknown;
}

/** `quorate lint`: see {@link USAGE}. Returns the exit code. */
export async function lint(argv: string[], io: Io): Promise<number> {
  const args = parseFileArgs('lint', argv, { flags: ['--scenario', '--strict', '--json'] }, USAGE, io);
  if (!args.ok) return args.code;
  const { file } = args;
  const asScenario = args.flags.has('--scenario');
  const strict = args.flags.has('--strict');
  const json = args.flags.has('--json');

  const invalid = (issues: ConfigIssue[]): number => {
    if (json) io.stdout(`${JSON.stringify({ ok: false, issues, warnings: [] })}\n`);
    io.stderr(
      `quorate lint: '${file}' is invalid (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n`,
    );
    for (const i of issues) io.stderr(`  ${formatIssuePath(i.path)}: ${i.message}\n`);
    return 2;
  };

  const text = await readInputFile('lint', file, io);
  if (text === null) return 2;
  let doc: unknown;
  try {
    doc = parseYaml(text, { version: '1.2', uniqueKeys: true, prettyErrors: true });
  } catch (e) {
    return invalid([{ path: [], message: `not valid YAML or JSON: ${(e as Error).message}` }]);
  }

  let target: LintTarget;
  if (asScenario) target = { kind: 'scenario', data: doc };
  else if (
    doc !== null &&
    typeof doc === 'object' &&
    !Array.isArray(doc) &&
    'cluster' in doc &&
    !('nodes' in doc)
  )
    target = { kind: 'cluster section', data: (doc as { cluster: unknown }).cluster };
  else target = { kind: 'cluster', data: doc };

  let cfg: ClusterConfig;
  let scenario: Scenario | undefined;
  const prefix = target.kind === 'cluster' ? [] : ['cluster'];
  if (target.kind === 'scenario') {
    const r = safeParseScenarioDocument(target.data);
    if (!r.ok) return invalid(r.error.issues);
    scenario = r.value;
    cfg = r.value.cluster;
  } else {
    if (target.data === null || typeof target.data !== 'object' || Array.isArray(target.data)) {
      return invalid([
        {
          path: prefix,
          message: "expected a cluster document: a mapping with 'nodes' (or a 'cluster:' section)",
        },
      ]);
    }
    const r = safeParseClusterConfig(target.data);
    if (!r.ok) return invalid(r.error.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })));
    cfg = r.value;
  }

  const warnings = lintClusterConfig(cfg, prefix);
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const summary = `cluster '${cfg.name}' configVersion ${cfg.configVersion}, ${plural(cfg.nodes.length, 'node')}, ${plural(cfg.resources.length, 'resource')}, ${plural(cfg.fencing.devices.length, 'fence device')}`;
  const failed = strict && warnings.length > 0;
  if (json) {
    io.stdout(
      `${JSON.stringify({ ok: !failed, summary, ...(scenario ? { scenario: scenario.name } : {}), issues: [], warnings })}\n`,
    );
  } else {
    io.stdout(`ok: ${scenario ? `scenario '${scenario.name}', ` : ''}${summary}\n`);
  }
  for (const w of warnings) io.stderr(`warning: ${formatIssuePath(w.path)}: ${w.message}\n`);
  return failed ? 1 : 0;
}
