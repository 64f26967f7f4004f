import type { Io } from '../io.js';

/** `quorate policy`: not built yet. */
export async function policy(_argv: string[], io: Io): Promise<number> {
  io.stderr('quorate policy: not implemented yet\n');
  return 2;
}
