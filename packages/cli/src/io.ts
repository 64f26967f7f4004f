/** Where a command writes. Tests pass collectors; the binary passes process streams. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** A subcommand: gets its own argv (after the command name) and returns the exit code. */
export type Command = (argv: string[], io: Io) => Promise<number>;
