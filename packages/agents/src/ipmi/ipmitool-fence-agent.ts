import { spawn } from 'node:child_process';
import type { FenceAgent, FenceOutcome } from '@quorate/core';
import { redact, resolveSecret } from '../secrets/index.js';
import { type ChassisOp, type PowerControl, runFenceFlow } from './fence-flow.js';
import { optionsError } from './ipmi-fence-agent.js';
import { type IpmitoolFenceAgentOptions, ipmitoolFenceAgentOptionsSchema } from './ipmi-options.js';
import type { IpmiFailureReason, IpmiResult } from './udp-channel.js';

const PRIVILEGE_ARG = {
  callback: 'CALLBACK',
  user: 'USER',
  operator: 'OPERATOR',
  administrator: 'ADMINISTRATOR',
} as const;
const AUTH_ARG = { none: 'NONE', md5: 'MD5', password: 'PASSWORD' } as const;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Classifies a failed ipmitool run from its (verbose) stderr. ipmitool prints the same final line
 * for a wrong password and a silent BMC; `-v` adds the line that tells them apart.
 */
export function classifyIpmitoolFailure(stderr: string): IpmiFailureReason {
  if (
    /RAKP \d HMAC is invalid|RAKP \d message indicates an error|Activate Session command failed|Activate Session error|error in open session response|Insufficient privilege|compcode = d4|Invalid user name|Null user name/i.test(
      stderr,
    )
  ) {
    return 'refused';
  }
  if (
    /Connection refused|Network is unreachable|No route to host|Address lookup|unknown host|Name or service not known/i.test(
      stderr,
    )
  ) {
    return 'unreachable';
  }
  if (/Get Auth Capabilities error|No response|no response|Unable to establish|timeout/i.test(stderr))
    return 'timeout';
  return 'agent-error';
}

/**
 * Creates a fence agent that runs the real `ipmitool` binary for each IPMI command
 * (`-I lanplus -C <cipher>` or `-I lan -A <auth>`), with the same actions and outcomes as
 * {@link createIpmiFenceAgent}.
 *
 * The password never goes on the command line: `passwordFile` is passed as `-f <file>`, any
 * other source through the `IPMI_PASSWORD` environment variable with `-E`. Each ipmitool runs in
 * its own process group, which is killed (SIGKILL) when `ctx.signal` aborts or the run exceeds
 * `timeoutMs × (retries + 1) × 4 + 2 s`. Throws `ConfigError` on bad options; `run` never rejects.
 */
export function createIpmitoolFenceAgent(options: IpmitoolFenceAgentOptions): FenceAgent {
  const parsed = ipmitoolFenceAgentOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('ipmitool fence agent', parsed.error);
  const cfg = parsed.data;
  const password = cfg.passwordFile === undefined ? (resolveSecret(cfg, 'ipmi password') ?? '') : undefined;
  const secrets = [password];
  const base = [
    '-v',
    ...(cfg.lanplus
      ? ['-I', 'lanplus', '-C', String(cfg.cipher)]
      : ['-I', 'lan', '-A', AUTH_ARG[cfg.authType]]),
    '-H',
    cfg.ip,
    '-p',
    String(cfg.port),
    '-U',
    cfg.username,
    '-L',
    PRIVILEGE_ARG[cfg.privilege],
    '-N',
    String(Math.max(1, Math.round(cfg.timeoutMs / 1000))),
    '-R',
    String(Math.max(1, cfg.retries)),
    ...(cfg.passwordFile !== undefined ? ['-f', cfg.passwordFile] : ['-E']),
  ];
  const limitMs = cfg.timeoutMs * (cfg.retries + 1) * 4 + 2000;
  const flow = {
    method: cfg.method,
    powerWaitMs: cfg.powerWaitMs,
    powerTimeoutMs: cfg.powerTimeoutMs,
    pollIntervalMs: cfg.pollIntervalMs,
    plug: cfg.plug ?? cfg.ip,
  };

  function exec(args: string[], signal: AbortSignal): Promise<IpmiResult<RunResult>> {
    return new Promise((resolve) => {
      if (signal.aborted)
        return resolve({ ok: false, reason: 'aborted', detail: 'the fence action was aborted' });
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.IPMI_PASSWORD;
      if (password !== undefined) env.IPMI_PASSWORD = password;
      const child = spawn(cfg.ipmitoolPath, [...base, ...args], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env,
      });
      let stdout = '';
      let stderr = '';
      let settled = false;
      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // group already gone
        }
      };
      const finish = (r: IpmiResult<RunResult>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = () => {
        killGroup();
        finish({ ok: false, reason: 'aborted', detail: 'the fence action was aborted; ipmitool killed' });
      };
      const timer = setTimeout(() => {
        killGroup();
        finish({
          ok: false,
          reason: 'timeout',
          detail: `ipmitool ${args.join(' ')} did not finish within ${limitMs}ms; killed`,
        });
      }, limitMs);
      signal.addEventListener('abort', onAbort, { once: true });
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', (err: NodeJS.ErrnoException) =>
        finish({
          ok: false,
          reason: 'agent-error',
          detail: `cannot run '${cfg.ipmitoolPath}': ${err.code ?? err.message}`,
        }),
      );
      child.on('close', (code) => finish({ ok: true, value: { code, stdout, stderr } }));
    });
  }

  function failed(args: string[], r: RunResult): { ok: false; reason: IpmiFailureReason; detail: string } {
    const lines = `${r.stderr}\n${r.stdout}`
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !/^Loading IANA PEN Registry/.test(l));
    return {
      ok: false,
      reason: classifyIpmitoolFailure(r.stderr),
      detail: redact(`ipmitool ${args.join(' ')} exited ${r.code}: ${lines.slice(-3).join(' / ')}`, secrets),
    };
  }

  const ctrl: PowerControl = {
    async status(signal) {
      const args = ['chassis', 'power', 'status'];
      const r = await exec(args, signal);
      if (!r.ok) return r;
      const m = /Chassis Power is (on|off)/i.exec(r.value.stdout);
      if (r.value.code !== 0 || !m) return failed(args, r.value);
      return { ok: true, value: (m[1] ?? '').toLowerCase() === 'on' ? 'on' : 'off' };
    },
    async control(op: ChassisOp, signal) {
      const args = ['chassis', 'power', op];
      const r = await exec(args, signal);
      if (!r.ok) return r;
      if (r.value.code !== 0 || !/Chassis Power Control:/i.test(r.value.stdout)) return failed(args, r.value);
      return { ok: true, value: true };
    },
  };

  return {
    async run(req, ctx): Promise<FenceOutcome> {
      try {
        const out = await runFenceFlow(req, ctrl, flow, ctx.signal);
        return out.ok ? out : { ...out, detail: redact(out.detail, secrets) };
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        return { ok: false, reason: 'agent-error', detail: redact(`ipmitool agent bug: ${msg}`, secrets) };
      }
    },
  } satisfies FenceAgent;
}
