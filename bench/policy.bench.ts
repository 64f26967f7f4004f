/**
 * Policy benchmark (`npm run bench:policy`): Quorate's `fromCib` + `schedule` against Pacemaker's
 * `crm_simulate -R -x FILE` on generated steady-state CIBs (see bench/lib/steady-cib.ts) of
 * 8x100, 16x1000, 32x5000 and 64x10000 (nodes x resources).
 *
 * Times are wall-clock (the ratio uses them); CPU time (user+sys) is printed too, because wall time
 * is inflated when other work shares the machine.
 *
 * Each side runs in its own child process so its peak memory can be read: Quorate reports its own
 * VmHWM; crm_simulate runs under `/usr/bin/time -f '%e %M'` when available, otherwise its
 * /proc/<pid>/status VmHWM is polled.
 *
 * Environment:
 * - QUORATE_BENCH_MAX=32x5000   largest size to run (default: all four; 64x10000 needs ~8 GiB
 *                               and ~3 min for crm_simulate);
 * - QUORATE_BENCH_ONLY=64x10000  run just this one size (any NxR);
 * - QUORATE_BENCH_TIMEOUT_S=900 per-size, per-side timeout in seconds;
 * - QUORATE_BENCH_DIR           where the CIB files go (default $TMPDIR/quorate-bench).
 *
 * Last line, exactly: `policy <nodes>x<resources>: quorate <ms> ms, crm_simulate <ms> ms, ratio <x>`
 * for the largest size where both sides finished (ratio = crm_simulate time / quorate time).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSteadyCib } from './lib/steady-cib.js';

const SIZES: Array<[number, number]> = [
  [8, 100],
  [16, 1000],
  [32, 5000],
  [64, 10000],
];

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dir = process.env.QUORATE_BENCH_DIR ?? join(tmpdir(), 'quorate-bench');
const timeoutMs = Number(process.env.QUORATE_BENCH_TIMEOUT_S ?? '900') * 1000;
const maxText = process.env.QUORATE_BENCH_MAX;
const onlyText = process.env.QUORATE_BENCH_ONLY;

function parseSize(text: string): [number, number] {
  const m = /^(\d+)x(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`QUORATE_BENCH_MAX must look like 32x5000, got '${text}'`);
  return [Number(m[1]), Number(m[2])];
}

interface ChildResult {
  ok: boolean;
  wallMs: number;
  stdout: string;
  stderr: string;
  peakKiB: number | null;
  timedOut: boolean;
  code: number | null;
}

function readHwm(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Runs a command with a timeout; polls VmHWM of the direct child as a fallback peak figure. */
function run(cmd: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 200) err.push(b);
    });
    let peak: number | null = null;
    const poll = setInterval(() => {
      if (child.pid !== undefined) {
        const v = readHwm(child.pid);
        if (v !== null) peak = Math.max(peak ?? 0, v);
      }
    }, 50);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({
        ok: !timedOut && code === 0,
        wallMs: performance.now() - started,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        peakKiB: peak,
        timedOut,
        code,
      });
    });
  });
}

const hasGnuTime = existsSync('/usr/bin/time');
const crmVersion = spawnSync('crm_simulate', ['--version'], { encoding: 'utf8' });
const haveCrm = crmVersion.status === 0;

function mib(kib: number | null): string {
  return kib === null ? '?' : `${(kib / 1024).toFixed(0)} MiB`;
}

async function main(): Promise<void> {
  let sizes = SIZES;
  if (maxText) {
    const [mn, mr] = parseSize(maxText);
    sizes = SIZES.filter(([n, r]) => n * r <= mn * mr);
  }
  if (onlyText) {
    const [on, or] = parseSize(onlyText);
    sizes = [[on, or]];
  }
  mkdirSync(dir, { recursive: true });
  console.log(
    `policy bench: sizes ${sizes.map(([n, r]) => `${n}x${r}`).join(', ')}; ` +
      `crm_simulate ${haveCrm ? (crmVersion.stdout.split('\n')[0] ?? '') : 'NOT INSTALLED'}; ` +
      `timeout ${timeoutMs / 1000} s per side; files in ${dir}`,
  );
  let last: string | null = null;
  for (const [nodes, rscs] of sizes) {
    const label = `${nodes}x${rscs}`;
    const file = join(dir, `policy-${label}.xml`);
    const g0 = performance.now();
    const info = writeSteadyCib(file, nodes, rscs);
    console.log(
      `\n${label}: CIB ${(info.bytes / 1e6).toFixed(1)} MB (${info.running} running, ${info.constraints} ` +
        `location constraints, ${nodes * rscs} probe histories), written in ${(performance.now() - g0).toFixed(0)} ms`,
    );

    const q = await run(process.execPath, [
      '--conditions=@quorate/source',
      '--import',
      'tsx',
      join(here, 'lib', 'quorate-policy-run.ts'),
      file,
      rscs <= 1000 ? '5' : '2',
    ]);
    let quorateMs: number | null = null;
    if (!q.ok) {
      console.log(
        `  quorate: ${q.timedOut ? `timed out after ${timeoutMs / 1000} s` : `failed (exit ${q.code})`} ${q.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    } else {
      const r = JSON.parse(q.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | null>;
      quorateMs = Number(r.endToEndMs);
      console.log(
        `  quorate: end to end ${quorateMs.toFixed(0)} ms (read ${Number(r.readMs).toFixed(0)}, fromCib ` +
          `${Number(r.fromCibMs).toFixed(0)}, schedule ${Number(r.scheduleMs).toFixed(0)}; cpu ` +
          `${Number(r.cpuMs).toFixed(0)} ms); schedule() alone ` +
          `${Number(r.scheduleBestMs).toFixed(1)} ms; peak RSS ${mib(r.peakRssKiB ?? null)}; ` +
          `${r.placed}/${r.resources} placed, ${r.actions} actions`,
      );
    }

    // The same with fromCib's `saxes` parser (information only; the headline uses the default).
    const qs = await run(process.execPath, [
      '--conditions=@quorate/source',
      '--import',
      'tsx',
      join(here, 'lib', 'quorate-policy-run.ts'),
      file,
      '1',
      'saxes',
    ]);
    if (qs.ok) {
      const r = JSON.parse(qs.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | null>;
      console.log(
        `  quorate (fromCib parser 'saxes'): end to end ${Number(r.endToEndMs).toFixed(0)} ms (fromCib ` +
          `${Number(r.fromCibMs).toFixed(0)}); peak RSS ${mib(r.peakRssKiB ?? null)}`,
      );
    } else {
      console.log(
        `  quorate (fromCib parser 'saxes'): ${qs.timedOut ? 'timed out' : `failed (exit ${qs.code})`}`,
      );
    }

    let crmMs: number | null = null;
    if (!haveCrm) {
      console.log('  crm_simulate: not installed (apt-get install pacemaker-cli-utils), skipped');
    } else {
      const c = hasGnuTime
        ? await run('/usr/bin/time', ['-f', '__TIME__ %e %M %U %S', 'crm_simulate', '-R', '-x', file])
        : await run('crm_simulate', ['-R', '-x', file]);
      let peak = c.peakKiB;
      let cpu = '';
      const m = /__TIME__ ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(c.stderr);
      if (m) {
        peak = Number(m[2]);
        cpu = `, cpu ${((Number(m[3]) + Number(m[4])) * 1000).toFixed(0)} ms`;
      }
      if (!c.ok) {
        console.log(
          `  crm_simulate: ${c.timedOut ? `timed out after ${timeoutMs / 1000} s` : `failed (exit ${c.code})`}`,
        );
      } else {
        crmMs = c.wallMs;
        console.log(`  crm_simulate -R: ${crmMs.toFixed(0)} ms wall${cpu}, peak RSS ${mib(peak)}`);
      }
    }
    if (quorateMs !== null && crmMs !== null) {
      last = `policy ${label}: quorate ${quorateMs.toFixed(0)} ms, crm_simulate ${crmMs.toFixed(0)} ms, ratio ${(crmMs / quorateMs).toFixed(2)}`;
      console.log(`  ${last.replace(/^policy \S+ /, '')}`);
    }
    if (!process.env.QUORATE_BENCH_KEEP) rmSync(file, { force: true });
  }
  if (last === null) {
    console.log('policy: no size completed on both sides');
    process.exitCode = 1;
    return;
  }
  console.log(last);
}

await main();
