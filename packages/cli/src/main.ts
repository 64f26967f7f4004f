import type { Command, Io } from './io.js';

const USAGE = `usage: quorate <command> [options]

commands:
  simulate FILE [--json] [--seed N]     run a scenario file in the deterministic simulator
  policy --cib FILE [--json] [--scores] decide placements for a Pacemaker CIB
  fence ...                             try a fence device by hand (see 'quorate fence --help')
  lint FILE [--scenario] [--strict] [--json]
                                        validate a cluster document and warn about risky settings
  import FILE [--out FILE] [--force]    cman cluster.conf -> Quorate cluster document (YAML)
  schema                                print the JSON Schema of the cluster document
  status FILE [--check] [--json]        show ClusterNode.status() snapshots a host wrote, crm_mon-like

'quorate <command> --help' describes each command. Exit codes: 0 ok, 1 failed, 2 usage error or
invalid input (every bad field with its path on stderr, nothing on stdout).
`;

/** Each command lives in its own module, loaded on demand so `quorate policy` stays light. */
const commands: Record<string, () => Promise<Command>> = {
  simulate: async () => (await import('./commands/simulate.js')).simulate,
  policy: async () => (await import('./commands/policy.js')).policy,
  fence: async () => (await import('./commands/fence.js')).fence,
  lint: async () => (await import('./commands/lint.js')).lint,
  import: async () => (await import('./commands/import.js')).importCommand,
  schema: async () => (await import('./commands/schema.js')).schema,
  status: async () => (await import('./commands/status.js')).status,
};

/** Runs the `quorate` command line; returns the exit code (2 for usage errors). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`quorate: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  return (await load())(rest, io);
}
