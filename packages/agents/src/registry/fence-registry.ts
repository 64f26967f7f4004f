/**
 * Configuration → fence agent: the mapping from a cluster document's `fencing.devices[]` entry
 * (`agent` kind + `params`) to a working {@link FenceAgent}. Hosts (the CLI, `examples/`) call it
 * instead of choosing factories themselves.
 */
import type { FenceAgent, FenceDeviceConfig, FenceOutcome } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { createExecFenceAgent } from '../exec/index.js';
import { createIpmiFenceAgent, type IpmiFenceAgentOptions } from '../ipmi/index.js';
import { createApcFenceAgent, createImsFenceAgent, type SnmpFenceOptions } from '../snmp/index.js';

/** A host-provided factory for a device kind the registry does not build itself (e.g. `sim`). */
export type FenceAgentFactory = (device: FenceDeviceConfig) => FenceAgent;

/** Options of {@link createFenceAgentForDevice}. */
export interface FenceRegistryOptions {
  /**
   * Factories by device kind (`agent` string); they take precedence over the built-in kinds, so a
   * host can replace `ipmi` in a test or provide `sim`.
   */
  factories?: Record<string, FenceAgentFactory>;
}

const SECRET_KEYS = new Set([
  'password',
  'passwd',
  'passwordEnv',
  'passwordFile',
  'password_env',
  'password_file',
  'privPassword',
  'privPasswordEnv',
  'privPasswordFile',
]);

function fail(device: FenceDeviceConfig, message: string): never {
  throw new ConfigError(`fence device '${device.name}' (${device.agent}): ${message}`, [
    { path: ['fencing', 'devices', device.name], message },
  ]);
}

function pick(params: Record<string, unknown>, keys: string[]): unknown {
  for (const k of keys) if (params[k] !== undefined) return params[k];
  return undefined;
}

/** Reads device params written with our names (camelCase) or fence-agents names. */
function reader(device: FenceDeviceConfig) {
  const p = device.params;
  return {
    str(...keys: string[]): string | undefined {
      const v = pick(p, keys);
      return v === undefined ? undefined : String(v);
    },
    num(...keys: string[]): number | undefined {
      const v = pick(p, keys);
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) fail(device, `parameter '${keys[0]}' must be a number`);
      return n;
    },
    bool(...keys: string[]): boolean | undefined {
      const v = pick(p, keys);
      if (v === undefined) return undefined;
      return v === true || v === 1 || v === '1' || v === 'true' || v === 'on' || v === 'yes';
    },
  };
}

function defined<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/**
 * A fence agent for devices fenced by a person (`agent: manual`): every power action fails with
 * `refused`, so core keeps the fence pending until an operator calls `confirmFenced`. `status`
 * and `monitor` succeed without a power state.
 */
export function createManualFenceAgent(deviceName: string): FenceAgent {
  return {
    async run(req): Promise<FenceOutcome> {
      if (req.action === 'monitor' || req.action === 'list') return { ok: true, detail: 'manual device' };
      if (req.action === 'status') return { ok: true, detail: 'manual device: power state unknown' };
      return {
        ok: false,
        reason: 'refused',
        detail: `device '${deviceName}' is manual: an operator must check '${req.target}' and confirm it is off`,
      };
    },
  };
}

/**
 * Builds the fence agent a configured device names. Kinds: `ipmi` (our RMCP+ client; params `ip`
 * or `ipaddr`, `ipport`/`port`, `username`/`login`, `lanplus`, `cipher`, `method`, `privilege`/`privlvl`,
 * `authType`/`auth`, `timeoutMs`,
 * `retries`, `powerTimeoutMs`, `pollIntervalMs`, `powerWaitMs`), `snmp-ims` / `snmp-apc` (SNMP
 * power devices), `exec:fence_xxx` (a fence-agents program, every non-secret param sent on its
 * stdin), `manual` ({@link createManualFenceAgent}); any kind in `opts.factories` first.
 *
 * Secrets: a password in the params themselves is refused; `passwordEnv` / `passwordFile` (and
 * `privPasswordEnv` / `privPasswordFile`) name where it is. Throws `ConfigError` (code
 * `config-invalid`) for an unknown kind (`watchdog` and `sim` included: core handles watchdog
 * devices without an agent, and `sim` needs a factory) or bad params; never logs secrets.
 */
export function createFenceAgentForDevice(
  device: FenceDeviceConfig,
  opts: FenceRegistryOptions = {},
): FenceAgent {
  const custom = opts.factories?.[device.agent];
  if (custom) return custom(device);
  const params = device.params;
  if (params.password !== undefined || params.passwd !== undefined || params.privPassword !== undefined) {
    fail(device, "a password in the params is refused: use 'passwordEnv' or 'passwordFile'");
  }
  const r = reader(device);
  const secrets = defined({
    passwordEnv: r.str('passwordEnv', 'password_env'),
    passwordFile: r.str('passwordFile', 'password_file', 'password_script'),
  });
  const timeoutMs = r.num('timeoutMs');
  const kind = device.agent;
  try {
    if (kind === 'ipmi') {
      const ip = r.str('ip', 'ipaddr');
      if (ip === undefined) fail(device, "needs 'ip'");
      return createIpmiFenceAgent(
        defined({
          ip,
          port: r.num('ipport', 'port'),
          username: r.str('username', 'login'),
          lanplus: r.bool('lanplus'),
          cipher: r.num('cipher'),
          method: r.str('method') as IpmiFenceAgentOptions['method'],
          privilege: r.str('privilege', 'privlvl') as IpmiFenceAgentOptions['privilege'],
          authType: r.str('authType', 'auth') as IpmiFenceAgentOptions['authType'],
          retries: r.num('retries'),
          powerTimeoutMs: r.num('powerTimeoutMs'),
          pollIntervalMs: r.num('pollIntervalMs'),
          powerWaitMs: r.num('powerWaitMs'),
          timeoutMs,
          ...secrets,
        }) as IpmiFenceAgentOptions,
      );
    }
    if (kind === 'snmp-ims' || kind === 'snmp-apc') {
      const ip = r.str('ip', 'ipaddr');
      if (ip === undefined) fail(device, "needs 'ip'");
      const o = defined({
        ip,
        ipport: r.num('ipport'),
        snmpVersion: r.str('snmpVersion', 'snmp_version') as SnmpFenceOptions['snmpVersion'],
        community: r.str('community'),
        username: r.str('username', 'login'),
        secLevel: r.str('secLevel', 'securityLevel', 'snmp_sec_level'),
        authProtocol: r.str('authProtocol', 'snmp_auth_prot'),
        privProtocol: r.str('privProtocol', 'snmp_priv_prot'),
        privPasswordEnv: r.str('privPasswordEnv'),
        privPasswordFile: r.str('privPasswordFile'),
        timeoutMs,
        retries: r.num('retries'),
        powerTimeoutMs: r.num('powerTimeoutMs'),
        ...secrets,
      }) as SnmpFenceOptions;
      return kind === 'snmp-ims' ? createImsFenceAgent(o) : createApcFenceAgent(o);
    }
    if (kind.startsWith('exec:')) {
      const command = kind.slice('exec:'.length);
      if (!/^[A-Za-z0-9_./-]+$/.test(command)) fail(device, `'${command}' is not a program name`);
      const stdin: Record<string, string | number | boolean> = {};
      for (const [k, v] of Object.entries(params)) {
        if (SECRET_KEYS.has(k) || k === 'password_script' || k === 'timeoutMs') continue;
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') stdin[k] = v;
        else fail(device, `parameter '${k}' must be a string, number or boolean`);
      }
      return createExecFenceAgent(defined({ command, params: stdin, timeoutMs, ...secrets }));
    }
  } catch (err) {
    if (err instanceof ConfigError && err.message.startsWith(`fence device '${device.name}'`)) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    fail(device, msg);
  }
  if (kind === 'manual') return createManualFenceAgent(device.name);
  if (kind === 'watchdog') fail(device, 'watchdog devices need no agent (core counts them by time)');
  return fail(
    device,
    `unknown agent kind (expected ipmi, snmp-ims, snmp-apc, exec:fence_xxx or manual${
      opts.factories ? `, ${Object.keys(opts.factories).join(', ')}` : ''
    })`,
  );
}
