import {
  ConfigError,
  formatTime,
  formatTimelineEntry,
  parseScenario,
  runScenario,
  type Scenario,
} from '@quorate/core';
import { parseFileArgs } from '../args.js';
import { type Io, readInputFile } from '../io.js';

const USAGE = `usage: quorate simulate FILE [--json] [--seed N]

Runs a scenario file (SCENARIO-FORMAT.md, YAML or JSON) in the deterministic simulator and prints
its timeline. Exit 0 when every expectation and invariant holds, 1 when one fails, 2 when the file
is invalid (nothing is run). --json prints one JSON object per line, the last one the result.
`;

/**
 * \`quorate simulate FILE [--json] [--seed N]\`: parses the scenario (exit 2 with every bad field's
 * path on invalid input), runs it with \`runScenario\` and prints the timeline. On failure it prints
 * which expectation or invariant failed, at what virtual time, and the timeline up to there.
 */
export async function simulate(argv: string[], io: Io): Promise<number> {
  const args = parseFileArgs(
    'simulate',
    argv,
    { flags: ['--json'], values: { '--seed': { missing: 'needs an integer' } } },
    USAGE,
    io,
  );
  if (!args.ok) return args.code;
  const { file } = args;
  const json = args.flags.has('--json');
  const seedText = args.values['--seed'] ?? '1';
  if (!/^-?\d+$/.test(seedText)) {
    io.stderr(`quorate simulate: --seed needs an integer\n${USAGE}`);
    return 2;
  }
  const seed = Number(seedText);
  const text = await readInputFile('simulate', file, io);
  if (text === null) return 2;
  let scenario: Scenario;
  try {
    scenario = parseScenario(text, /\.json$/i.test(file) ? 'json' : 'yaml');
  } catch (e) {
    if (e instanceof ConfigError) {
      if (json)
        io.stdout(
          `${JSON.stringify({ type: 'result', ok: false, invalid: true, issues: e.issues, failures: [] })}\n`,
        );
      io.stderr(`quorate simulate: invalid scenario '${file}':\n${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const result = await runScenario(scenario, {
    seed,
    keepTimeline: !json,
    ...(json
      ? {
          onEntry: (e) => {
            io.stdout(
              `${JSON.stringify({ type: e.type, atMs: e.atMs, source: e.source, message: e.message, ...(e.data ? { data: e.data } : {}) })}\n`,
            );
          },
        }
      : {}),
  });
  if (json) {
    io.stdout(`${JSON.stringify({ type: 'result', ok: result.ok, failures: result.failures })}\n`);
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    for (const e of result.timeline) io.stdout(`${formatTimelineEntry(e)}\n`);
    io.stdout(
      `\nok: '${scenario.name}' holds every expectation and invariant (seed ${seed}, until ${formatTime(scenario.untilMs).trim()})\n`,
    );
    return 0;
  }
  const first = result.failures[0] as { atMs: number; message: string };
  for (const e of result.timeline) {
    if (e.atMs > first.atMs) break;
    io.stdout(`${formatTimelineEntry(e)}\n`);
  }
  io.stdout(`\nFAILED: '${scenario.name}' (seed ${seed})\n`);
  for (const f of result.failures) io.stdout(`  at ${formatTime(f.atMs).trim()}: ${f.message}\n`);
  return 1;
}
