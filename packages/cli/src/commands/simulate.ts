import type { Io } from '../io.js';

/** `quorate simulate`: not built yet. */
export async function simulate(_argv: string[], io: Io): Promise<number> {
  io.stderr('quorate simulate: not implemented yet\n');
  return 2;
}
