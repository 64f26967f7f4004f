import type {
  Clock,
  Ctx,
  FenceAgent,
  FenceOutcome,
  FenceRequest,
  Logger,
  ResourceAgent,
  ResourceOutcome,
  ResourceRequest,
} from '../ports.js';

/** A logger that keeps every line in `lines` (for assertions) and prints nothing. */
export function createMemoryLogger(): Logger & {
  lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
} {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push(fields === undefined ? { level, msg } : { level, msg, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Resolves after `ms` on `clock`, or with `false` as soon as `signal` aborts. */
export function clockSleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const h = clock.setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clock.clearTimeout(h);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A scripted fence agent for unit tests: each call takes `afterMs` on `clock` and answers with the
 * next outcome of `script` (the last one repeats). Records every request in `calls`.
 */
export function createFakeFenceAgent(
  clock: Clock,
  script: FenceOutcome[] = [{ ok: true, power: 'off' }],
  afterMs = 1000,
): FenceAgent & { calls: FenceRequest[] } {
  const calls: FenceRequest[] = [];
  return {
    calls,
    async run(req: FenceRequest, ctx: Ctx): Promise<FenceOutcome> {
      const outcome = script[Math.min(calls.length, script.length - 1)] ?? { ok: true };
      calls.push(req);
      const done = await clockSleep(clock, afterMs, ctx.signal);
      return done ? outcome : { ok: false, reason: 'aborted', detail: 'aborted' };
    },
  };
}

/** A resource agent for unit tests: every action takes `afterMs`, monitor reports what runs. */
export function createFakeResourceAgent(
  clock: Clock,
  afterMs = 1000,
): ResourceAgent & { running: Set<string>; calls: ResourceRequest[] } {
  const running = new Set<string>();
  const calls: ResourceRequest[] = [];
  return {
    running,
    calls,
    async run(req: ResourceRequest, ctx: Ctx): Promise<ResourceOutcome> {
      calls.push(req);
      if (req.action === 'monitor') return { ok: true, running: running.has(req.resource) };
      const done = await clockSleep(clock, afterMs, ctx.signal);
      if (!done) return { ok: false, reason: 'aborted', detail: 'aborted' };
      if (req.action === 'start') running.add(req.resource);
      if (req.action === 'stop') running.delete(req.resource);
      return { ok: true, running: req.action === 'start' };
    },
  };
}
