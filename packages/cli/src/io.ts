import { readFile } from 'node:fs/promises';

/** Where a command writes. Tests pass collectors; the binary passes process streams. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A subcommand: gets its own argv (after the command name) and returns the exit code. */
export type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Reads a command's input file as UTF-8. On failure writes `quorate <command>: cannot read
 * '<file>': no such file` (or the error code) to stderr and returns null; the caller exits 2.
 */
export async function readInputFile(command: string, file: string, io: Io): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.stderr(
      `quorate ${command}: cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : (code ?? 'read error')}\n`,
    );
    return null;
  }
}
