/**
 * `quorate import cluster.conf [--out FILE] [--force]`: a cman / rgmanager `cluster.conf` → the
 * Quorate cluster document (YAML), through `importClusterConf` of `@quorate/core`.
 */
import { writeFile } from 'node:fs/promises';
import {
  type ClusterConfImport,
  ConfigError,
  importClusterConf,
  renderClusterConfImport,
  safeParseClusterConfig,
} from '@quorate/core';
import { parseFileArgs } from '../args.js';
import { type Io, readInputFile } from '../io.js';
import { formatIssuePath } from './lint.js';

const USAGE = `usage: quorate import FILE [--out FILE] [--force]

Reads a cman / rgmanager cluster.conf (RHEL 5/6, Proxmox VE 2-3) and prints the Quorate cluster
document as YAML under a 'cluster:' key: ready for 'quorate lint', a scenario file or
parseClusterConfig. Everything not carried over is reported as a '# warning:' comment at the top
and on stderr. Passwords are never copied: devices get passwordEnv placeholders instead.

  --out FILE   write the YAML to FILE instead of stdout (refuses to overwrite without --force)
  --force      overwrite FILE

exit: 0 imported (warnings or not), 2 usage error, unreadable or invalid cluster.conf
`;

/** `quorate import`: see {@link USAGE}. Returns the exit code. */
export async function importCommand(argv: string[], io: Io): Promise<number> {
  const args = parseFileArgs(
    'import',
    argv,
    {
      flags: ['--force'],
      values: { '--out': { aliases: ['-o'], missing: 'needs a file' } },
      missingFile: 'missing FILE (a cluster.conf)',
    },
    USAGE,
    io,
  );
  if (!args.ok) return args.code;
  const { file } = args;
  const out = args.values['--out'];
  const force = args.flags.has('--force');
  if (out === '') {
    io.stderr(`quorate import: --out needs a file\n${USAGE}`);
    return 2;
  }

  const xml = await readInputFile('import', file, io);
  if (xml === null) return 2;
  let result: ClusterConfImport;
  try {
    result = importClusterConf(xml);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`quorate import: '${file}' cannot be imported:\n`);
      for (const i of e.issues) io.stderr(`  ${i.path.join('/') || '(file)'}: ${i.message}\n`);
      return 2;
    }
    throw e;
  }
  // The import maps; the schema decides. A document it refuses is not printed.
  const check = safeParseClusterConfig(result.document);
  if (!check.ok) {
    io.stderr(`quorate import: '${file}' imports to an invalid cluster document:\n`);
    for (const i of check.error.issues) io.stderr(`  cluster.${formatIssuePath(i.path)}: ${i.message}\n`);
    return 2;
  }
  const yaml = renderClusterConfImport(result);
  for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
  const cfg = check.value;
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  const summary = `cluster '${cfg.name}' configVersion ${cfg.configVersion}: ${n(cfg.nodes.length, 'node')}, ${n(cfg.resources.length, 'resource')}, ${n(cfg.fencing.devices.length, 'fence device')}, ${n(result.warnings.length, 'warning')}`;
  if (out === undefined) {
    io.stdout(yaml);
    return 0;
  }
  try {
    await writeFile(out, yaml, { encoding: 'utf8', flag: force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr(
      `quorate import: cannot write '${out}': ${code === 'EEXIST' ? 'it exists (use --force to overwrite)' : (code ?? 'write error')}\n`,
    );
    return 2;
  }
  io.stdout(`imported ${summary} → ${out}\n`);
  return 0;
}
