import type { FenceAgent, FenceOutcome, FenceRequest } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { z } from 'zod';
import { redact, resolveSecret } from '../secrets/index.js';
import { CHASSIS_CONTROL_BYTE, type ChassisOp, type PowerControl, runFenceFlow } from './fence-flow.js';
import { type IpmiFenceAgentOptions, ipmiFenceAgentOptionsSchema } from './ipmi-options.js';
import { type IpmiSession, type IpmiSessionOptions, openIpmiSession } from './ipmi-session.js';
import { hex } from './rmcp-codec.js';
import type { IpmiResult } from './udp-channel.js';

const PRIVILEGE_LEVEL = { callback: 1, user: 2, operator: 3, administrator: 4 } as const;
const AUTH15 = { none: 0, md5: 2, password: 4 } as const;

/** Turns zod issues into a `ConfigError` (values are never echoed, so no secret leaks). */
export function optionsError(what: string, error: z.ZodError): ConfigError {
  return new ConfigError(
    `${what}: invalid options\n${z.prettifyError(error)}`,
    error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      message: i.message,
    })),
  );
}

function completionFailure(
  what: string,
  cc: number,
): { ok: false; reason: 'refused' | 'agent-error'; detail: string } {
  if (cc === 0xd4)
    return { ok: false, reason: 'refused', detail: `${what}: insufficient privilege (completion code 0xd4)` };
  return { ok: false, reason: 'agent-error', detail: `${what} failed: completion code 0x${hex(cc)}` };
}

/** Power control through one open session (Get Chassis Status, Chassis Control). */
function sessionPowerControl(session: IpmiSession): PowerControl {
  return {
    async status(signal) {
      const r = await session.request(0x00, 0x01, [], signal);
      if (!r.ok) return r;
      if (r.value.cc !== 0) return completionFailure('Get Chassis Status', r.value.cc);
      if (r.value.data.length < 1)
        return { ok: false, reason: 'agent-error', detail: 'Get Chassis Status returned no data' };
      return { ok: true, value: ((r.value.data[0] ?? 0) & 0x01) === 1 ? 'on' : 'off' };
    },
    async control(op: ChassisOp, signal): Promise<IpmiResult<true>> {
      const r = await session.request(0x00, 0x02, [CHASSIS_CONTROL_BYTE[op]], signal);
      if (!r.ok) return r;
      if (r.value.cc !== 0) return completionFailure(`Chassis Control ${op}`, r.value.cc);
      return { ok: true, value: true };
    },
  };
}

/**
 * Creates a fence agent that talks IPMI to one BMC with our own client (no external program):
 * RMCP+ (`lanplus: true`, default, cipher suite `cipher`, default 3) or IPMI v1.5.
 *
 * Options are validated with {@link ipmiFenceAgentOptionsSchema}; the password is resolved here,
 * once (`password`, `passwordEnv` or `passwordFile`). Throws `ConfigError` on bad options or a
 * missing secret; after that `run` never rejects and never returns or logs the password.
 *
 * Outcomes: `refused` for a wrong user/password (detected by our RAKP 2 HMAC check, so quickly),
 * a refused cipher suite or privilege; `timeout` when the BMC stays silent through all retries or
 * the power state does not change within `powerTimeoutMs`; `unreachable` for ICMP/DNS errors;
 * `aborted` when `ctx.signal` aborts (the socket is closed at once); `agent-error` for garbage.
 * With `session: 'keep'` one session is reused (and reopened once if it went stale) until
 * `close()`; by default every `run` opens and closes its own session.
 */
export function createIpmiFenceAgent(
  options: IpmiFenceAgentOptions,
): FenceAgent & { close(): Promise<void> } {
  const parsed = ipmiFenceAgentOptionsSchema.safeParse(options);
  if (!parsed.success) throw optionsError('ipmi fence agent', parsed.error);
  const cfg = parsed.data;
  const password = resolveSecret(cfg, 'ipmi password') ?? '';
  if (Buffer.byteLength(password, 'latin1') > (cfg.lanplus ? 20 : 16)) {
    throw new ConfigError(`ipmi fence agent: the password is longer than ${cfg.lanplus ? 20 : 16} bytes`, [
      { path: ['password'], message: 'too long' },
    ]);
  }
  const sessionOptions: IpmiSessionOptions = {
    host: cfg.ip,
    port: cfg.port,
    username: cfg.username,
    password: Buffer.from(password, 'latin1'),
    kg: cfg.kgHex ? Buffer.from(cfg.kgHex, 'hex') : undefined,
    lanplus: cfg.lanplus,
    cipher: cfg.cipher,
    privilege: PRIVILEGE_LEVEL[cfg.privilege],
    authType15: AUTH15[cfg.authType],
    timeoutMs: cfg.timeoutMs,
    retries: cfg.retries,
  };
  const flow = {
    method: cfg.method,
    powerWaitMs: cfg.powerWaitMs,
    powerTimeoutMs: cfg.powerTimeoutMs,
    pollIntervalMs: cfg.pollIntervalMs,
    plug: cfg.plug ?? cfg.ip,
  };
  const secrets = [password, cfg.kgHex];
  let kept: IpmiSession | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function runPerOperation(req: FenceRequest, signal: AbortSignal): Promise<FenceOutcome> {
    const s = await openIpmiSession(sessionOptions, signal);
    if (!s.ok) return { ok: false, reason: s.reason, detail: s.detail };
    try {
      return await runFenceFlow(req, sessionPowerControl(s.value), flow, signal);
    } finally {
      await s.value.close({ wait: !signal.aborted });
    }
  }

  async function runKept(req: FenceRequest, signal: AbortSignal): Promise<FenceOutcome> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const reused = kept?.usable === true;
      if (!reused) {
        await kept?.close();
        kept = undefined;
        const s = await openIpmiSession(sessionOptions, signal);
        if (!s.ok) return { ok: false, reason: s.reason, detail: s.detail };
        kept = s.value;
      }
      const session = kept as IpmiSession;
      const out = await runFenceFlow(req, sessionPowerControl(session), flow, signal);
      // A kept session may have expired on the BMC: reopen once and run again (actions are idempotent).
      if (!out.ok && reused && !session.usable && (out.reason === 'timeout' || out.reason === 'agent-error'))
        continue;
      return out;
    }
    return { ok: false, reason: 'agent-error', detail: 'unreachable' };
  }

  async function runSafely(req: FenceRequest, signal: AbortSignal): Promise<FenceOutcome> {
    try {
      if (req.action === 'list') return await runFenceFlow(req, sessionPowerControlUnused, flow, signal);
      const out = cfg.session === 'keep' ? await runKept(req, signal) : await runPerOperation(req, signal);
      return out.ok ? out : { ...out, detail: redact(out.detail, secrets) };
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      return { ok: false, reason: 'agent-error', detail: redact(`ipmi agent bug: ${msg}`, secrets) };
    }
  }

  return {
    run(req, ctx) {
      if (cfg.session !== 'keep') return runSafely(req, ctx.signal);
      const next = queue.then(() => runSafely(req, ctx.signal));
      queue = next.catch(() => undefined);
      return next;
    },
    async close() {
      await queue;
      await kept?.close();
      kept = undefined;
    },
  } satisfies FenceAgent;
}

const sessionPowerControlUnused: PowerControl = {
  status: async () => ({ ok: false, reason: 'agent-error', detail: 'no session for list' }),
  control: async () => ({ ok: false, reason: 'agent-error', detail: 'no session for list' }),
};
