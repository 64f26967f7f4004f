/** `quorate schema`: the JSON Schema of the cluster document, for editors and other languages. */
import { clusterConfigJsonSchema } from '@quorate/core';
import type { Io } from '../io.js';

const USAGE = `usage: quorate schema

Prints the JSON Schema (draft 2020-12) of the Quorate cluster document: the input shape as a
person writes it (durations such as '5s', scores such as 'INFINITY'). Cross-field rules (a
topology naming an undefined device, twoNode with three nodes...) are not in the schema: use
'quorate lint' for those.

exit: 0, or 2 on a usage error
`;

/**
 * `quorate schema`: prints `clusterConfigJsonSchema()` as indented JSON on stdout. Takes no
 * arguments but `--help`; anything else is a usage error (exit 2, nothing on stdout).
 */
export async function schema(argv: string[], io: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    io.stdout(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    io.stderr(`quorate schema: unexpected argument '${argv[0]}'\n${USAGE}`);
    return 2;
  }
  io.stdout(`${JSON.stringify(clusterConfigJsonSchema(), null, 2)}\n`);
  return 0;
}
