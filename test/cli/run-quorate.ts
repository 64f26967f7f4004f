import { main } from '../../packages/cli/src/main.js';

/** What one `quorate` invocation produced: exit code and both streams, collected. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs the `quorate` command line in-process with collecting streams (the CLI tests' one runner). */
export async function quorate(...argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}
