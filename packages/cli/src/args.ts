import type { Io } from './io.js';

/** An option that takes a value (`--out F`, `--out=F`), with its aliases and what to say when the value is missing. */
export interface ValueOption {
  aliases?: string[];
  /** Completes "`<option as typed>` …" when the value is missing, e.g. `needs a file`. */
  missing: string;
}

/** The command line of a command that takes one FILE plus options. */
export interface FileArgsSpec {
  /** Boolean flags, e.g. `--json`. */
  flags: string[];
  /** Options with a value, by their long name. */
  values?: Record<string, ValueOption>;
  /** What is said when FILE is missing (default `missing FILE`). */
  missingFile?: string;
}

export type FileArgs =
  | { ok: true; file: string; flags: Set<string>; values: Record<string, string> }
  | { ok: false; code: number };

/**
 * Parses `argv` for `quorate <command> FILE [options]`, the shape `simulate`, `lint`, `status` and
 * `import` share. `--help` prints `usage` (exit 0); an unknown option, a second file, a missing
 * file or a missing value is a usage error (exit 2) with the command's name and the usage on stderr.
 * Values are returned raw: each command validates its own.
 */
export function parseFileArgs(
  command: string,
  argv: string[],
  spec: FileArgsSpec,
  usage: string,
  io: Io,
): FileArgs {
  const fail = (message: string): FileArgs => {
    io.stderr(`quorate ${command}: ${message}\n${usage}`);
    return { ok: false, code: 2 };
  };
  const byName = new Map<string, string>();
  for (const [name, opt] of Object.entries(spec.values ?? {})) {
    byName.set(name, name);
    for (const alias of opt.aliases ?? []) byName.set(alias, name);
  }
  let file: string | undefined;
  const flags = new Set<string>();
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.indexOf('=');
    const inline = a.startsWith('--') && eq > 0 ? byName.get(a.slice(0, eq)) : undefined;
    if (spec.flags.includes(a)) flags.add(a);
    else if (inline !== undefined) values[inline] = a.slice(eq + 1);
    else if (byName.has(a)) {
      const name = byName.get(a) as string;
      const v = argv[++i];
      if (v === undefined) return fail(`${a} ${spec.values?.[name]?.missing ?? 'needs a value'}`);
      values[name] = v;
    } else if (a === '--help' || a === '-h') {
      io.stdout(usage);
      return { ok: false, code: 0 };
    } else if (a.startsWith('-')) return fail(`unknown option '${a}'`);
    else if (file === undefined) file = a;
    else return fail('one file only');
  }
  if (file === undefined) return fail(spec.missingFile ?? 'missing FILE');
  return { ok: true, file, flags, values };
}
