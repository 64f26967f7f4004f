import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx, ResourceAgent, ResourceOutcome, ResourceRequest } from '@quorate/core';
import { configErrorFromZod } from '@quorate/core';
import { z } from 'zod';
import { runProcess } from '../exec/run-process.js';
import { type OcfMetadata, parseOcfMetadata } from './ocf-metadata.js';

/** OCF exit codes (OCF resource agent API 1.1, plus Pacemaker's degraded codes). */
export const OCF_EXIT_CODES = {
  0: 'OCF_SUCCESS',
  1: 'OCF_ERR_GENERIC',
  2: 'OCF_ERR_ARGS',
  3: 'OCF_ERR_UNIMPLEMENTED',
  4: 'OCF_ERR_PERM',
  5: 'OCF_ERR_INSTALLED',
  6: 'OCF_ERR_CONFIGURED',
  7: 'OCF_NOT_RUNNING',
  8: 'OCF_RUNNING_PROMOTED',
  9: 'OCF_FAILED_PROMOTED',
  190: 'OCF_DEGRADED',
  191: 'OCF_DEGRADED_PROMOTED',
} as const satisfies Record<number, string>;

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Options of {@link createOcfResourceAgent}. */
export const ocfResourceOptionsSchema = z
  .object({
    /** `heartbeat`, `pacemaker`, ... (the folder under `resource.d`). */
    provider: z.string().regex(NAME),
    /** `Dummy`, `IPaddr2`, ... (the script name). */
    type: z.string().regex(NAME),
    /** OCF_ROOT. Default `/usr/lib/ocf`. */
    root: z.string().min(1).default('/usr/lib/ocf'),
    /** Resource parameters (`OCF_RESKEY_<name>`); a request's `params` override them. */
    params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
    /** Time limit per action, ms. Else the request's `meta.timeout`, else `defaultTimeoutMs`. */
    timeouts: z.record(z.string(), z.number().int().positive()).default({}),
    /** Default 20 s (the usual meta-data suggestion). */
    defaultTimeoutMs: z.number().int().positive().default(20_000),
  })
  .strict();

/** Input type of {@link ocfResourceOptionsSchema}. */
export type OcfResourceOptions = z.input<typeof ocfResourceOptionsSchema>;

/** An OCF resource agent that can also describe itself. */
export interface OcfResourceAgent extends ResourceAgent {
  /** Path of the script this agent runs. */
  readonly script: string;
  /** Runs `meta-data` (cached after the first success) and parses it. */
  metadata(ctx: Ctx): Promise<{ ok: true; metadata: OcfMetadata } | { ok: false; detail: string }>;
  close(): Promise<void>;
}

/**
 * Creates a resource agent that runs the OCF script `<root>/resource.d/<provider>/<type>` with the
 * action as its argument and the OCF environment: `OCF_ROOT`, `OCF_RA_VERSION_MAJOR/MINOR`,
 * `OCF_RESOURCE_INSTANCE` (= the request's resource id), `OCF_RESOURCE_TYPE/PROVIDER`,
 * `OCF_RESKEY_<param>` and `OCF_RESKEY_CRM_meta_<meta>` (`timeout` and `interval` in ms). The child
 * gets a minimal environment (PATH and the OCF variables; `meta.depth` becomes `OCF_CHECK_LEVEL`) and leads its own process group, which
 * is killed at the time limit (`timeout`) or on abort (`aborted`).
 *
 * Outcomes by exit code: 0 → `ok` (`running` true after start/monitor, false after stop); monitor
 * 7 → `ok` with `running: false` (a probe's normal answer; the caller decides whether that is a
 * failure); stop 7 → `ok`, not running; 8 and 190/191 on monitor → `ok`, running (promoted /
 * degraded in `detail`); 1 `failed`, 2 `args`, 3 `unimplemented`, 4 `perm`, 5 `not-installed`,
 * 6 `not-configured`, 7 (start, others) `not-running`, 9 `failed`; any other code or a signal
 * → `agent-error`. `exitCode` carries the raw code; `detail` carries the `ocf-exit-reason:` line
 * when the agent printed one. A missing script gives `not-installed` (5), a non-executable one
 * `perm` (4), without running anything. `meta-data` returns the XML in `output`.
 *
 * Throws `ConfigError` at creation on invalid options. Never rejects afterwards.
 */
export function createOcfResourceAgent(options: OcfResourceOptions): OcfResourceAgent {
  const parsed = ocfResourceOptionsSchema.safeParse(options);
  if (!parsed.success) throw configErrorFromZod(parsed.error);
  const o = parsed.data;
  const script = join(o.root, 'resource.d', o.provider, o.type);
  const label = `ocf:${o.provider}:${o.type}`;
  let cached: OcfMetadata | undefined;

  const installed = (): ResourceOutcome | undefined => {
    try {
      if (!statSync(script).isFile()) throw new Error('not a file');
    } catch {
      return {
        ok: false,
        reason: 'not-installed',
        detail: `${label}: '${script}' does not exist`,
        exitCode: 5,
      };
    }
    try {
      accessSync(script, constants.X_OK);
    } catch {
      return { ok: false, reason: 'perm', detail: `${label}: '${script}' is not executable`, exitCode: 4 };
    }
    return undefined;
  };

  const run = async (req: ResourceRequest, ctx: Ctx): Promise<ResourceOutcome> => {
    const what = `${label} '${req.action}' of '${req.resource}'`;
    if (ctx.signal.aborted)
      return { ok: false, reason: 'aborted', detail: `${what} aborted before it started` };
    const missing = installed();
    if (missing) return missing;
    const meta: Record<string, string> = { ...(req.meta ?? {}) };
    const timeoutMs = o.timeouts[req.action] ?? positive(meta.timeout) ?? o.defaultTimeoutMs;
    meta.timeout = String(timeoutMs);
    if (req.action === 'monitor') meta.interval ??= '0';
    const env: Record<string, string> = {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C',
      OCF_ROOT: o.root,
      OCF_RA_VERSION_MAJOR: '1',
      OCF_RA_VERSION_MINOR: '1',
      OCF_RESOURCE_INSTANCE: String(req.resource),
      OCF_RESOURCE_TYPE: o.type,
      OCF_RESOURCE_PROVIDER: o.provider,
    };
    for (const [k, v] of Object.entries({ ...o.params, ...req.params })) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) env[`OCF_RESKEY_${k}`] = v;
    }
    for (const [k, v] of Object.entries(meta)) {
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) env[`OCF_RESKEY_CRM_meta_${k}`] = v;
    }
    // Monitor depth travels as OCF_CHECK_LEVEL, as Pacemaker's executor passes it.
    const depth = meta.OCF_CHECK_LEVEL ?? meta.depth;
    if (depth !== undefined && /^\d+$/.test(depth)) env.OCF_CHECK_LEVEL = depth;
    const res = await runProcess({ file: script, args: [req.action], env, timeoutMs, signal: ctx.signal });
    switch (res.kind) {
      case 'spawn-error':
        return res.code === 'ENOENT'
          ? {
              ok: false,
              reason: 'not-installed',
              detail: `${what}: '${script}' cannot be run (${res.code})`,
              exitCode: 5,
            }
          : {
              ok: false,
              reason: 'perm',
              detail: `${what}: '${script}' cannot be run (${res.code})`,
              exitCode: 4,
            };
      case 'timeout':
        return {
          ok: false,
          reason: 'timeout',
          detail: `${what} did not finish within ${timeoutMs}ms; its process group was killed`,
        };
      case 'aborted':
        return { ok: false, reason: 'aborted', detail: `${what} was aborted; its process group was killed` };
      case 'exited':
        break;
    }
    const reason = exitReason(res.stderr);
    const because = reason ? `: ${reason}` : '';
    if (res.code === null) {
      return {
        ok: false,
        reason: 'agent-error',
        detail: `${what} was killed by ${res.signal ?? 'a signal'}${because}`,
      };
    }
    const rc = res.code;
    const name = (OCF_EXIT_CODES as Record<number, string>)[rc] ?? 'unknown';
    const fail = (r: Exclude<ResourceOutcome, { ok: true }>['reason']): ResourceOutcome => ({
      ok: false,
      reason: r,
      detail: `${what} returned ${rc} (${name})${because}`,
      exitCode: rc,
    });
    if (rc === 0) {
      if (req.action === 'meta-data' || req.action === 'validate-all') {
        return { ok: true, running: false, output: res.stdout };
      }
      return withDetail({ ok: true, running: req.action !== 'stop' }, reason);
    }
    if (req.action === 'monitor') {
      if (rc === 7) return withDetail({ ok: true, running: false }, reason);
      if (rc === 8) return { ok: true, running: true, detail: 'running promoted' };
      if (rc === 190) return withDetail({ ok: true, running: true, detail: 'degraded' }, reason);
      if (rc === 191) return withDetail({ ok: true, running: true, detail: 'degraded, promoted' }, reason);
    }
    if (req.action === 'stop' && rc === 7) return { ok: true, running: false };
    switch (rc) {
      case 1:
      case 9:
        return fail('failed');
      case 2:
        return fail('args');
      case 3:
        return fail('unimplemented');
      case 4:
        return fail('perm');
      case 5:
        return fail('not-installed');
      case 6:
        return fail('not-configured');
      case 7:
        return fail('not-running');
      default:
        return fail('agent-error');
    }
  };

  const metadata: OcfResourceAgent['metadata'] = async (ctx) => {
    if (cached) return { ok: true, metadata: cached };
    const out = await run(
      { action: 'meta-data', resource: 'meta-data' as ResourceRequest['resource'], params: {} },
      ctx,
    );
    if (!out.ok) return { ok: false, detail: out.detail };
    try {
      cached = parseOcfMetadata(out.output ?? '');
      return { ok: true, metadata: cached };
    } catch (err) {
      return { ok: false, detail: `${label} meta-data is unusable: ${(err as Error).message}` };
    }
  };

  return { script, run, metadata, async close(): Promise<void> {} } satisfies OcfResourceAgent;
}

function positive(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
}

/** The last `ocf-exit-reason:` line of stderr, as Pacemaker reports it. */
function exitReason(stderr: string): string | undefined {
  let last: string | undefined;
  for (const line of stderr.split(/\r?\n/)) {
    const i = line.indexOf('ocf-exit-reason:');
    if (i >= 0) last = line.slice(i + 'ocf-exit-reason:'.length).trim();
  }
  return last || undefined;
}

function withDetail(
  o: { ok: true; running: boolean; detail?: string },
  reason: string | undefined,
): ResourceOutcome {
  if (reason === undefined) return o;
  return { ...o, detail: o.detail ? `${o.detail}: ${reason}` : reason };
}
