/**
 * `quorate fence`: try one fence device by hand, as an administrator runs a fence agent.
 *
 *   quorate fence --device NAME --config FILE --action status|on|off|reboot|list|monitor [--target NODE]
 *   quorate fence --agent ipmi|snmp-ims|snmp-apc|exec:fence_xxx --ip ADDR [options] --action ACTION
 *
 * Exit codes as fence agents: `status` 0 = on, 2 = off; other actions 0 = done; 1 = failure;
 * 2 = usage or configuration error. Passwords come only from `--password-env VAR` or
 * `--password-file F` (never argv), and are never printed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createFenceAgentForDevice } from '@quorate/agents';
import type { FenceAction, FenceAgent, FenceDeviceConfig, FenceOutcome, FenceRequest } from '@quorate/core';
import { parseClusterConfig } from '@quorate/core';
import { parse as parseYaml } from 'yaml';
import type { Io } from '../io.js';

const HELP = `usage: quorate fence --device NAME --config FILE --action ACTION [--target NODE] [--timeout 60s] [--json]
       quorate fence --agent KIND --ip ADDR [options] --action ACTION [--plug N]

ACTION: status | on | off | reboot | list | monitor
KIND:   ipmi | snmp-ims | snmp-apc | exec:fence_xxx

connection (named as fence agents name them):
  --ip ADDR --ipport PORT --username NAME (-l)
  --password-env VAR | --password-file FILE     (never on the command line)
  --plug N (-n)                                  plug / outlet / blade slot
IPMI:   --lanplus  --cipher N  (fence_ipmilan's -C)
SNMP:   --snmp-version 1|2c|3  --community C  --sec-level noAuthNoPriv|authNoPriv|authPriv
        --auth-protocol MD5|SHA  --priv-protocol DES|AES
        --priv-password-env VAR | --priv-password-file FILE
exec:   --param key=value (repeatable; sent on the agent's stdin)
  --timeout DURATION   limit for the whole action (default 60s; 500ms, 5s, 2m or seconds)

exit: status 0 = on, 2 = off; otherwise 0 = done, 1 = failed, 2 = usage error
`;

const ACTIONS: readonly FenceAction[] = ['status', 'on', 'off', 'reboot', 'list', 'monitor'];

class UsageProblem extends Error {}

/** Runs `quorate fence`; returns the exit code. */
export async function fence(argv: string[], io: Io): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        json: { type: 'boolean' },
        device: { type: 'string' },
        config: { type: 'string' },
        target: { type: 'string' },
        agent: { type: 'string' },
        action: { type: 'string', short: 'o' },
        ip: { type: 'string', short: 'a' },
        ipport: { type: 'string', short: 'u' },
        username: { type: 'string', short: 'l' },
        'password-env': { type: 'string' },
        'password-file': { type: 'string' },
        plug: { type: 'string', short: 'n' },
        lanplus: { type: 'boolean', short: 'P' },
        cipher: { type: 'string', short: 'C' },
        'snmp-version': { type: 'string', short: 'd' },
        community: { type: 'string', short: 'c' },
        'sec-level': { type: 'string' },
        'snmp-sec-level': { type: 'string' },
        'auth-protocol': { type: 'string' },
        'snmp-auth-prot': { type: 'string' },
        'priv-protocol': { type: 'string' },
        'snmp-priv-prot': { type: 'string' },
        'priv-password-env': { type: 'string' },
        'priv-password-file': { type: 'string' },
        param: { type: 'string', multiple: true },
        timeout: { type: 'string' },
      },
    }));
  } catch (err) {
    io.stderr(`quorate fence: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }

  let agent: FenceAgent;
  let request: FenceRequest;
  let label: string;
  let timeoutMs: number;
  try {
    const action = str(values.action);
    if (action === undefined) throw new UsageProblem('--action is required');
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageProblem(`unknown action '${action}' (expected ${ACTIONS.join(', ')})`);
    }
    timeoutMs = values.timeout === undefined ? 60_000 : parseTimeout(str(values.timeout) ?? '');
    if (values.device !== undefined || values.config !== undefined) {
      if (values.agent !== undefined)
        throw new UsageProblem('give either --device/--config or --agent, not both');
      const name = str(values.device);
      const file = str(values.config);
      if (name === undefined || file === undefined)
        throw new UsageProblem('--device and --config go together');
      const device = loadDevice(file, name);
      const target =
        str(values.target) ?? (action === 'list' || action === 'monitor' ? undefined : device.hosts[0]);
      if (target === undefined && action !== 'list' && action !== 'monitor') {
        throw new UsageProblem(`device '${name}' fences no host; give --target NODE`);
      }
      if (
        target !== undefined &&
        !device.hosts.includes(target as never) &&
        action !== 'list' &&
        action !== 'monitor'
      ) {
        throw new UsageProblem(
          `device '${name}' does not fence '${target}' (it fences ${device.hosts.join(', ') || 'nobody'})`,
        );
      }
      const port = str(values.plug) ?? (target !== undefined ? device.port[target as never] : undefined);
      agent = agentForDevice(device.agent, device.params, name);
      request = makeRequest(action as FenceAction, target ?? name, port);
      label = `device '${name}' (${device.agent})`;
    } else {
      const kind = str(values.agent);
      if (kind === undefined) throw new UsageProblem('give --device NAME --config FILE, or --agent KIND');
      agent = agentForDevice(kind, paramsFromFlags(kind, values));
      const plug = str(values.plug);
      request = makeRequest(
        action as FenceAction,
        str(values.target) ?? plug ?? str(values.ip) ?? 'target',
        plug,
      );
      label = `${kind} ${str(values.ip) ?? ''}`.trim();
    }
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    io.stderr(`quorate fence: ${msg}\n`);
    if (err instanceof UsageProblem) io.stderr(`\n${HELP}`);
    return 2;
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  let outcome: FenceOutcome;
  try {
    outcome = await agent.run(request, { signal: controller.signal });
  } catch (err) {
    // A rejection is an agent bug; report it as core would.
    outcome = { ok: false, reason: 'agent-error', detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    await agent.close?.();
  }
  const ms = Math.round(performance.now() - started);
  if (!outcome.ok && outcome.reason === 'aborted' && controller.signal.aborted) {
    outcome = { ok: false, reason: 'timeout', detail: `no result within ${timeoutMs}ms (${outcome.detail})` };
  }
  const took = `${(ms / 1000).toFixed(3)}s`;

  if (values.json) {
    io.stdout(`${JSON.stringify({ device: label, action: request.action, outcome, ms })}\n`);
  } else if (outcome.ok) {
    if (request.action === 'status') io.stdout(`Status: ${outcome.power === 'off' ? 'OFF' : 'ON'}\n`);
    else if (request.action === 'list') {
      for (const p of outcome.ports ?? []) io.stdout(`${p.port},${p.name ?? ''}\n`);
    } else if (request.action === 'monitor')
      io.stdout(`Success: monitor${outcome.detail ? ` (${outcome.detail})` : ''}\n`);
    else {
      io.stdout(
        `Success: ${request.action}, power ${outcome.power ?? 'unknown'}${outcome.detail ? ` (${outcome.detail})` : ''}\n`,
      );
    }
    io.stdout(`${label}: ${request.action} took ${took}\n`);
  } else {
    io.stderr(`Failed: ${outcome.reason}: ${outcome.detail}\n${label}: ${request.action} took ${took}\n`);
  }
  if (!outcome.ok) return 1;
  if (request.action === 'status') return outcome.power === 'off' ? 2 : 0;
  return 0;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function makeRequest(action: FenceAction, target: string, port: string | undefined): FenceRequest {
  const req = { action, target } as FenceRequest;
  if (port !== undefined) req.port = port;
  return req;
}

/** `500ms`, `5s`, `2m`, or a plain number of seconds (as fence agents' timeouts). */
function parseTimeout(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m?.[1]) throw new UsageProblem(`--timeout '${text}' is not a duration (500ms, 5s, 2m or seconds)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0) throw new UsageProblem('--timeout must be positive');
  return Math.round(ms);
}

/** Reads a cluster document (YAML or JSON; a scenario file's `cluster:` is accepted too). */
function loadDevice(file: string, name: string): FenceDeviceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read config file '${file}'`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`config file '${file}' is not YAML or JSON: ${(err as Error).message}`);
  }
  const cluster =
    doc && typeof doc === 'object' && 'cluster' in doc && !('nodes' in doc)
      ? (doc as { cluster: unknown }).cluster
      : doc;
  const config = parseClusterConfig(cluster);
  const device = config.fencing.devices.find((d) => d.name === name);
  if (!device) {
    const known = config.fencing.devices.map((d) => `'${d.name}'`).join(', ') || 'none';
    throw new Error(`no fence device '${name}' in '${file}' (devices: ${known})`);
  }
  return device;
}

/**
 * A device kind and its params → a fence agent, through the same registry hosts use
 * (`createFenceAgentForDevice`), so the CLI tries a device exactly as the cluster would run it.
 */
function agentForDevice(kind: string, params: Record<string, unknown>, name = kind): FenceAgent {
  if (
    !(
      kind === 'ipmi' ||
      kind === 'snmp-ims' ||
      kind === 'snmp-apc' ||
      kind === 'manual' ||
      kind.startsWith('exec:')
    )
  ) {
    throw new UsageProblem(`unknown agent '${kind}' (expected ipmi, snmp-ims, snmp-apc or exec:fence_xxx)`);
  }
  const device: FenceDeviceConfig = { name, agent: kind, hosts: [], port: {}, delayMs: 0, params };
  return createFenceAgentForDevice(device);
}

/** Command-line flags → device params, in the names `agentForDevice` reads. */
function paramsFromFlags(kind: string, v: Record<string, unknown>): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  const set = (k: string, x: unknown): void => {
    if (x !== undefined) p[k] = x;
  };
  set('ip', str(v.ip));
  if (v.ipport !== undefined) {
    const n = Number(v.ipport);
    if (!Number.isInteger(n) || n < 1 || n > 65535)
      throw new UsageProblem(`--ipport '${String(v.ipport)}' is not a port`);
    set('ipport', n);
  }
  set('username', str(v.username));
  set('passwordEnv', str(v['password-env']));
  set('passwordFile', str(v['password-file']));
  if (kind === 'ipmi') {
    if (v.lanplus) set('lanplus', true);
    else set('lanplus', false);
    if (v.cipher !== undefined) set('cipher', Number(v.cipher));
  } else if (kind.startsWith('snmp-')) {
    set('snmpVersion', str(v['snmp-version']));
    set('community', str(v.community));
    set('secLevel', str(v['sec-level']) ?? str(v['snmp-sec-level']));
    set('authProtocol', str(v['auth-protocol']) ?? str(v['snmp-auth-prot']));
    set('privProtocol', str(v['priv-protocol']) ?? str(v['snmp-priv-prot']));
    set('privPasswordEnv', str(v['priv-password-env']));
    set('privPasswordFile', str(v['priv-password-file']));
  } else if (kind.startsWith('exec:')) {
    // fence agents' own names on stdin
    if (p.ip !== undefined) p.ip = String(p.ip);
    if (v.lanplus) p.lanplus = true;
    if (v.cipher !== undefined) p.cipher = String(v.cipher);
    if (v['snmp-version'] !== undefined) p.snmp_version = str(v['snmp-version']);
    if (v.community !== undefined) p.community = str(v.community);
    for (const kv of (v.param as string[] | undefined) ?? []) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new UsageProblem(`--param '${kv}' is not key=value`);
      p[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  if (kind === 'ipmi' && p.ip === undefined) throw new UsageProblem('--ip is required');
  if (kind.startsWith('snmp-') && p.ip === undefined) throw new UsageProblem('--ip is required');
  return p;
}
