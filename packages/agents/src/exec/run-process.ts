/**
 * Internal: runs one external program (a fence agent or an OCF resource agent) with a time limit
 * and an abort signal. The child leads its own process group (`detached`), so a timeout or an abort
 * kills the whole group, including anything the program started (sleep, ssh, ipmitool...).
 */
import { spawn } from 'node:child_process';

/** What happened to the program. Never thrown: every case is a value. */
export type ProcessResult =
  | {
      kind: 'exited';
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
      ms: number;
    }
  | { kind: 'timeout'; stdout: string; stderr: string; ms: number }
  | { kind: 'aborted'; stdout: string; stderr: string; ms: number }
  | { kind: 'spawn-error'; code: string; message: string; ms: number };

export interface RunProcessOptions {
  file: string;
  args: string[];
  env: Record<string, string>;
  /** Written to stdin, which is then closed. Empty: stdin is closed at once. */
  stdin?: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Per stream; the rest is dropped. Default 1 MiB. */
  maxBytes?: number;
  cwd?: string;
}

/** Runs the program; resolves when it ended, was killed at its time limit, or was aborted. */
export function runProcess(o: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const maxBytes = o.maxBytes ?? 1 << 20;
  return new Promise((resolve) => {
    if (o.signal.aborted) {
      resolve({ kind: 'aborted', stdout: '', stderr: '', ms: 0 });
      return;
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(o.file, o.args, {
        env: o.env,
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe'],
        ...(o.cwd !== undefined ? { cwd: o.cwd } : {}),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      resolve({ kind: 'spawn-error', code: e.code ?? 'EUNKNOWN', message: e.message, ms: elapsed() });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout?.on('data', (b: Buffer) => {
      if (outLen < maxBytes) out.push(b.subarray(0, maxBytes - outLen));
      outLen += b.length;
    });
    child.stderr?.on('data', (b: Buffer) => {
      if (errLen < maxBytes) err.push(b.subarray(0, maxBytes - errLen));
      errLen += b.length;
    });
    // A program that exits before reading stdin gives EPIPE; that is not our failure.
    child.stdin?.on('error', () => {});
    child.stdin?.end(o.stdin ?? '');

    let ended: 'timeout' | 'aborted' | undefined;
    let settled = false;
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already gone
      }
    };
    const timer = setTimeout(() => {
      ended = 'timeout';
      killGroup();
    }, o.timeoutMs);
    const onAbort = (): void => {
      ended ??= 'aborted';
      killGroup();
    };
    o.signal.addEventListener('abort', onAbort, { once: true });

    const finish = (code: number | null, sig: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(closeGrace);
      o.signal.removeEventListener('abort', onAbort);
      child.stdout?.destroy();
      child.stderr?.destroy();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (ended === 'timeout') resolve({ kind: 'timeout', stdout, stderr, ms: elapsed() });
      else if (ended === 'aborted') resolve({ kind: 'aborted', stdout, stderr, ms: elapsed() });
      else resolve({ kind: 'exited', code, signal: sig, stdout, stderr, ms: elapsed() });
    };
    let closeGrace: NodeJS.Timeout | undefined;
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      resolve({ kind: 'spawn-error', code: e.code ?? 'EUNKNOWN', message: e.message, ms: elapsed() });
    });
    // 'close' waits for the pipes; a daemon the program left behind may hold them open, so after
    // 'exit' we wait at most 200 ms for them.
    child.on('exit', (code, sig) => {
      closeGrace = setTimeout(() => finish(code, sig), 200);
    });
    child.on('close', (code, sig) => finish(code, sig));
  });
}

/** The lines of stderr worth showing: Python deprecation noise removed, at most `max` chars from the end. */
export function tailOf(text: string, max = 400): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/DeprecationWarning|^import (pipes|telnetlib)|^from pipes import/.test(l));
  const joined = lines.join(' | ');
  return joined.length > max ? `…${joined.slice(joined.length - max)}` : joined;
}
