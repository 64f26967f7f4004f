/**
 * Child process of the policy benchmark: reads a CIB file, runs `fromCib` and `schedule` and
 * prints one JSON line with the timings (ms) and this process's peak RSS (VmHWM, KiB).
 * Run: node --conditions=@quorate/source --import tsx bench/lib/quorate-policy-run.ts FILE [repeats] [parser]
 * (`parser`: fromCib's XML parser, `fast-xml-parser` (its default) or `saxes`).
 */
import { readFileSync } from 'node:fs';
import { type FromCibOptions, fromCib, schedule } from '@quorate/policy';

function vmHwmKiB(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const file = process.argv[2];
if (!file) throw new Error('usage: quorate-policy-run.ts FILE [repeats]');
const repeats = Math.max(1, Number.parseInt(process.argv[3] ?? '1', 10));
const parserArg = process.argv[4];
const options: FromCibOptions = {};
if (parserArg === 'saxes' || parserArg === 'fast-xml-parser') options.parser = parserArg;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const xml = readFileSync(file, 'utf8');
const t1 = performance.now();
const snapshot = fromCib(xml, options);
const t2 = performance.now();
const transition = schedule(snapshot);
const t3 = performance.now();
const cpu = process.cpuUsage(cpu0);
// schedule() alone, repeated on the same snapshot: report the best run.
let scheduleBest = t3 - t2;
for (let i = 1; i < repeats; i++) {
  const s = performance.now();
  schedule(snapshot);
  scheduleBest = Math.min(scheduleBest, performance.now() - s);
}
const placed = Object.values(transition.placements).filter((n) => n !== null).length;
process.stdout.write(
  `${JSON.stringify({
    readMs: t1 - t0,
    fromCibMs: t2 - t1,
    scheduleMs: t3 - t2,
    endToEndMs: t3 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    scheduleBestMs: scheduleBest,
    peakRssKiB: vmHwmKiB(),
    resources: snapshot.resources.length,
    placed,
    actions: transition.actions.length,
  })}\n`,
);
