import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx, FenceAgent, FenceOutcome, FenceRequest } from '@quorate/core';
import { ConfigError, configErrorFromZod } from '@quorate/core';
import { z } from 'zod';
import { redact, resolveSecret } from '../secrets/index.js';
import { type FenceAgentMetadata, parseFenceAgentMetadata } from './fence-metadata.js';
import { type ProcessResult, runProcess, tailOf } from './run-process.js';

/** Options of {@link createExecFenceAgent}. */
export const execFenceOptionsSchema = z
  .object({
    /** `fence_xxx` (looked up in /usr/sbin, /usr/bin, /sbin, /bin) or an absolute path. */
    command: z.string().min(1),
    /**
     * Agent parameters as fence-agents name them on stdin (`ip`, `ipport`, `username`, `lanplus`,
     * `cipher`, ...). Booleans become `1`/`0`. Never put the password here: use `password*`.
     */
    params: z
      .record(z.string().regex(/^[a-z_][a-z0-9_-]*$/i), z.union([z.string(), z.number(), z.boolean()]))
      .default({}),
    password: z.string().optional(),
    passwordEnv: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    /** Limit for one action, ms; the whole process group is killed when it runs out. Default 60 s. */
    timeoutMs: z.number().int().positive().default(60_000),
    /** Limit for `-o metadata`, ms. Default 10 s. */
    metadataTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

/** Input type of {@link execFenceOptionsSchema}. */
export type ExecFenceOptions = z.input<typeof execFenceOptionsSchema>;

/** A fence agent that also tells what its program declares. */
export interface ExecFenceAgent extends FenceAgent {
  /** Reads (once, then cached) `<command> -o metadata`. Resolves `{ ok: false }` when unreadable. */
  metadata(ctx: Ctx): Promise<{ ok: true; metadata: FenceAgentMetadata } | { ok: false; detail: string }>;
  close(): Promise<void>;
}

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];
const CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function locate(command: string): string {
  if (command.includes('/')) return command;
  for (const dir of SEARCH) {
    const p = join(dir, command);
    if (existsSync(p)) return p;
  }
  return command;
}

/**
 * Creates a fence agent that runs any fence-agents program (`fence_ipmilan`, `fence_apc_snmp`, a
 * site script...) with the key=value stdin protocol: the parameters, `action=`, `plug=` (or
 * `port=` for agents that only know that name) and `password=` go on stdin, never in argv, so no
 * secret shows in `ps`. Before the first action it reads `-o metadata` to learn the actions and
 * parameters the program supports; an action it does not declare is an `agent-error` without
 * running it.
 *
 * Exit codes as fence-agents: `status` 0 = on, 2 = off, anything else a failure; other actions
 * 0 = done. Failures: `timeout` (the limit ran out: the whole process group is killed, or the
 * program itself reported a timeout), `refused` (it reported a login failure), `unreachable`
 * (connection lost/refused), `aborted` (ctx.signal; the group is killed), `agent-error`
 * (missing or non-executable program, garbage or contradictory output, unexpected exit). The
 * detail quotes the program's stderr with every secret replaced by `***`.
 *
 * Throws `ConfigError` at creation on invalid options or a missing secret source.
 */
export function createExecFenceAgent(options: ExecFenceOptions): ExecFenceAgent {
  const parsed = execFenceOptionsSchema.safeParse(options);
  if (!parsed.success) throw configErrorFromZod(parsed.error);
  const o = parsed.data;
  const password = resolveSecret(o, 'fence agent password');
  const file = locate(o.command);
  const name = o.command.split('/').pop() ?? o.command;
  const secrets = [password];
  for (const [k, v] of Object.entries(o.params)) {
    if (/passw(or)?d|community|secret|key/i.test(k)) secrets.push(String(v));
    if (typeof v === 'string' && /[\r\n]/.test(v)) {
      throw new ConfigError(`fence parameter '${k}' must not contain a line break`, [
        { path: ['params', k], message: 'must not contain a line break' },
      ]);
    }
  }
  if (password !== undefined && /[\r\n]/.test(password)) {
    throw new ConfigError('fence agent password must not contain a line break', [
      { path: ['password'], message: 'must not contain a line break' },
    ]);
  }
  const env = { PATH: CHILD_PATH, LANG: 'C', LC_ALL: 'C' };

  let cached: FenceAgentMetadata | undefined;
  const metadata: ExecFenceAgent['metadata'] = async (ctx) => {
    if (cached) return { ok: true, metadata: cached };
    const res = await runProcess({
      file,
      args: ['-o', 'metadata'],
      env,
      timeoutMs: o.metadataTimeoutMs,
      signal: ctx.signal,
    });
    const problem = processProblem(res, `'${name} -o metadata'`, o.metadataTimeoutMs, secrets);
    if (problem) return { ok: false, detail: problem.detail };
    if (res.kind !== 'exited') return { ok: false, detail: `'${name} -o metadata' did not finish` };
    if (res.code !== 0) {
      return {
        ok: false,
        detail: `'${name} -o metadata' exited ${res.code}: ${redact(tailOf(res.stderr), secrets)}`,
      };
    }
    try {
      cached = parseFenceAgentMetadata(res.stdout);
      return { ok: true, metadata: cached };
    } catch (err) {
      return { ok: false, detail: `'${name} -o metadata' gave unusable output: ${(err as Error).message}` };
    }
  };

  const run = async (req: FenceRequest, ctx: Ctx): Promise<FenceOutcome> => {
    if (ctx.signal.aborted)
      return { ok: false, reason: 'aborted', detail: `'${name}' '${req.action}' aborted before it started` };
    const md = await metadata(ctx);
    if (!md.ok) {
      if (ctx.signal.aborted) return { ok: false, reason: 'aborted', detail: md.detail };
      return { ok: false, reason: 'agent-error', detail: md.detail };
    }
    const meta = md.metadata;
    if (!meta.actions.includes(req.action)) {
      return {
        ok: false,
        reason: 'agent-error',
        detail: `'${name}' does not support '${req.action}' (its metadata lists ${meta.actions.join(', ')})`,
      };
    }
    const has = (p: string): boolean => meta.parameters.some((x) => x.name === p);
    const lines: string[] = [];
    for (const [k, v] of Object.entries(o.params))
      lines.push(`${k}=${typeof v === 'boolean' ? (v ? '1' : '0') : String(v)}`);
    lines.push(`action=${req.action}`);
    const plugRequired = meta.parameters.some((x) => (x.name === 'plug' || x.name === 'port') && x.required);
    const plug =
      req.port ??
      (plugRequired && req.action !== 'list' && req.action !== 'monitor' ? String(req.target) : undefined);
    if (plug !== undefined) {
      if (/[\r\n]/.test(plug))
        return { ok: false, reason: 'agent-error', detail: 'plug must not contain a line break' };
      lines.push(`${has('plug') || !has('port') ? 'plug' : 'port'}=${plug}`);
    }
    if (password !== undefined)
      lines.push(`${has('password') || !has('passwd') ? 'password' : 'passwd'}=${password}`);
    const res = await runProcess({
      file,
      args: [],
      env,
      stdin: `${lines.join('\n')}\n`,
      timeoutMs: o.timeoutMs,
      signal: ctx.signal,
    });
    return toOutcome(res, req, name, o.timeoutMs, secrets);
  };

  return {
    run,
    metadata,
    async close(): Promise<void> {},
  } satisfies ExecFenceAgent;
}

function processProblem(
  res: ProcessResult,
  what: string,
  timeoutMs: number,
  secrets: Array<string | undefined>,
): { reason: 'timeout' | 'aborted' | 'agent-error'; detail: string } | undefined {
  if (res.kind === 'spawn-error') {
    const why =
      res.code === 'ENOENT'
        ? 'not found'
        : res.code === 'EACCES'
          ? 'not executable'
          : `could not start (${res.code})`;
    return { reason: 'agent-error', detail: `${what}: program ${why}` };
  }
  if (res.kind === 'timeout') {
    const err = redact(tailOf(res.stderr), secrets);
    return {
      reason: 'timeout',
      detail: `${what} did not finish within ${timeoutMs}ms and was killed${err ? `: ${err}` : ''}`,
    };
  }
  if (res.kind === 'aborted') return { reason: 'aborted', detail: `${what} was aborted and killed` };
  return undefined;
}

function toOutcome(
  res: ProcessResult,
  req: FenceRequest,
  name: string,
  timeoutMs: number,
  secrets: Array<string | undefined>,
): FenceOutcome {
  const what = `'${name}' '${req.action}'`;
  const problem = processProblem(res, what, timeoutMs, secrets);
  if (problem) return { ok: false, ...problem };
  if (res.kind !== 'exited') return { ok: false, reason: 'agent-error', detail: `${what} did not finish` };
  const err = redact(tailOf(res.stderr), secrets);
  const out = redact(res.stdout, secrets);
  if (res.code === null) {
    return {
      ok: false,
      reason: 'agent-error',
      detail: `${what} was killed by ${res.signal ?? 'a signal'}${err ? `: ${err}` : ''}`,
    };
  }
  if (req.action === 'status') {
    const said = /Status:\s*(ON|OFF)/i.exec(out)?.[1]?.toLowerCase();
    if (res.code === 0 || res.code === 2) {
      const power = res.code === 0 ? 'on' : 'off';
      if (said !== undefined && said !== power) {
        return {
          ok: false,
          reason: 'agent-error',
          detail: `${what} exited ${res.code} (${power}) but printed 'Status: ${said.toUpperCase()}'`,
        };
      }
      return { ok: true, power };
    }
    return failure(what, res.code, err || tailOf(out));
  }
  if (res.code !== 0) return failure(what, res.code, err || tailOf(out));
  if (req.action === 'list') {
    const ports: Array<{ port: string; name?: string }> = [];
    const junk: string[] = [];
    for (const line of out.split(/\r?\n/)) {
      const l = line.trim();
      if (l === '') continue;
      const m = /^([^,\s]+),(.*)$/.exec(l);
      if (m?.[1] !== undefined) ports.push(m[2] ? { port: m[1], name: m[2] } : { port: m[1] });
      else junk.push(l);
    }
    if (junk.length > 0) {
      return {
        ok: false,
        reason: 'agent-error',
        detail: `${what} printed lines that are not 'plug,alias': ${tailOf(junk.join('\n'), 200)}`,
      };
    }
    return { ok: true, ports };
  }
  if (req.action === 'monitor') return { ok: true };
  return { ok: true, power: req.action === 'off' ? 'off' : 'on' };
}

function failure(what: string, code: number, text: string): FenceOutcome {
  const detail = `${what} failed (exit ${code})${text ? `: ${text}` : ''}`;
  if (/Unable to connect\/login|login denied|authentication fail|invalid user|password/i.test(text)) {
    return { ok: false, reason: 'refused', detail };
  }
  if (/timed out|timeout/i.test(text)) return { ok: false, reason: 'timeout', detail };
  if (/connection (lost|refused)|no route to host|unknown host|unreachable/i.test(text)) {
    return { ok: false, reason: 'unreachable', detail };
  }
  return { ok: false, reason: 'agent-error', detail };
}
