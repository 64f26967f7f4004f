import type { Io } from '../io.js';

/** `quorate fence`: not built yet. */
export async function fence(_argv: string[], io: Io): Promise<number> {
  io.stderr('quorate fence: not implemented yet\n');
  return 2;
}
