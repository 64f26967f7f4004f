import type { Ctx, ResourceAgent, ResourceOutcome, ResourceRequest } from '@quorate/core';

/** What an in-process resource action receives. */
export interface FunctionActionInput {
  resource: ResourceRequest['resource'];
  params: Record<string, string>;
  meta: Record<string, string>;
  /** Aborted when core gives up; the function should stop and clean up. */
  signal: AbortSignal;
}

/**
 * In-process resource actions. `start`/`stop` resolve when done and throw (or reject) to fail;
 * `monitor` resolves `true` when the resource runs and `false` when it does not. `validate` is
 * optional: it throws to report bad parameters.
 */
export interface FunctionResourceHandlers {
  start(input: FunctionActionInput): Promise<void> | void;
  stop(input: FunctionActionInput): Promise<void> | void;
  monitor(input: FunctionActionInput): Promise<boolean> | boolean;
  validate?(input: FunctionActionInput): Promise<void> | void;
}

/**
 * Creates a resource agent whose actions are functions of the host program (a worker pool, an
 * in-process server). Outcomes: start → `{ ok: true, running: true }`; stop → running false;
 * monitor → running as the function says; `validate-all` runs `validate` (or succeeds when there is
 * none); `meta-data` is `unimplemented`. A thrown error becomes `{ ok: false, reason: 'failed' }`
 * with its message as detail (an error whose `reason` property is an OCF reason such as
 * `'not-configured'` keeps that reason). If `ctx.signal` aborts, the outcome is `aborted` at once,
 * even when the function ignores its signal. Never rejects.
 */
export function createFunctionResourceAgent(handlers: FunctionResourceHandlers): ResourceAgent {
  const agent = {
    async run(req: ResourceRequest, ctx: Ctx): Promise<ResourceOutcome> {
      const what = `'${req.action}' of '${req.resource}'`;
      if (ctx.signal.aborted)
        return { ok: false, reason: 'aborted', detail: `${what} aborted before it started` };
      const input: FunctionActionInput = {
        resource: req.resource,
        params: req.params,
        meta: req.meta ?? {},
        signal: ctx.signal,
      };
      let work: Promise<ResourceOutcome>;
      switch (req.action) {
        case 'start':
          work = Promise.resolve()
            .then(() => handlers.start(input))
            .then(() => ({ ok: true, running: true }));
          break;
        case 'stop':
          work = Promise.resolve()
            .then(() => handlers.stop(input))
            .then(() => ({ ok: true, running: false }));
          break;
        case 'monitor':
          work = Promise.resolve()
            .then(() => handlers.monitor(input))
            .then((running) => ({ ok: true, running: running === true }));
          break;
        case 'validate-all':
          work = Promise.resolve()
            .then(() => handlers.validate?.(input))
            .then(() => ({ ok: true, running: false }));
          break;
        default:
          return {
            ok: false,
            reason: 'unimplemented',
            detail: `${what}: function agents have no '${req.action}'`,
            exitCode: 3,
          };
      }
      const failed = work.catch((err: unknown): ResourceOutcome => {
        const message = err instanceof Error ? err.message : String(err);
        const r = (err as { reason?: unknown } | null)?.reason;
        const reason = typeof r === 'string' && KNOWN.has(r) ? (r as FailReason) : 'failed';
        return { ok: false, reason, detail: `${what} failed: ${message}` };
      });
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<ResourceOutcome>((resolve) => {
        onAbort = () => resolve({ ok: false, reason: 'aborted', detail: `${what} aborted` });
        ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([failed, aborted]);
      } finally {
        if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
      }
    },
  } satisfies ResourceAgent;
  return agent;
}

type FailReason = Exclude<ResourceOutcome, { ok: true }>['reason'];
const KNOWN = new Set<string>([
  'not-running',
  'failed',
  'args',
  'unimplemented',
  'perm',
  'not-installed',
  'not-configured',
]);
