/**
 * The fence flow (fence_ipmilan semantics) over a scripted power control, and the ipmitool
 * agent's command line and failure classification (with a stand-in ipmitool script that records
 * its argv and environment, so we can prove the password is never on the command line).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FenceAction, FenceOutcome } from '@quorate/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ChassisOp,
  type FenceFlowOptions,
  type PowerControl,
  runFenceFlow,
} from '../../src/ipmi/fence-flow.js';
import { classifyIpmitoolFailure, createIpmitoolFenceAgent } from '../../src/ipmi/ipmitool-fence-agent.js';
import type { IpmiResult } from '../../src/ipmi/udp-channel.js';

/** A chassis whose behaviour is scripted: `sticky` ignores commands, `failOn` fails one command. */
function fakeChassis(
  initial: 'on' | 'off',
  opts: { sticky?: boolean; failOn?: ChassisOp; statusFails?: boolean } = {},
) {
  let power = initial;
  const calls: string[] = [];
  const ctrl: PowerControl = {
    async status(): Promise<IpmiResult<'on' | 'off'>> {
      calls.push('status');
      if (opts.statusFails) return { ok: false, reason: 'timeout', detail: 'no answer' };
      return { ok: true, value: power };
    },
    async control(op): Promise<IpmiResult<true>> {
      calls.push(op);
      if (opts.failOn === op)
        return { ok: false, reason: 'agent-error', detail: `Chassis Control ${op} failed` };
      if (!opts.sticky)
        power = op === 'off' || op === 'soft' ? 'off' : op === 'on' || op === 'cycle' ? 'on' : power;
      return { ok: true, value: true };
    },
  };
  return { ctrl, calls, power: () => power };
}

const flow: FenceFlowOptions = {
  method: 'onoff',
  powerWaitMs: 0,
  powerTimeoutMs: 50,
  pollIntervalMs: 10,
  plug: 'bmc1',
};
const go = (
  action: FenceAction,
  ctrl: PowerControl,
  o: Partial<FenceFlowOptions> = {},
  signal = new AbortController().signal,
) => runFenceFlow({ action, target: 'node1' }, ctrl, { ...flow, ...o }, signal);

describe('fence flow', () => {
  const table: Array<{
    name: string;
    action: FenceAction;
    initial: 'on' | 'off';
    chassis?: Parameters<typeof fakeChassis>[1];
    o?: Partial<FenceFlowOptions>;
    expected: Partial<FenceOutcome>;
    calls: string[];
  }> = [
    {
      name: 'status reads on',
      action: 'status',
      initial: 'on',
      expected: { ok: true, power: 'on' },
      calls: ['status'],
    },
    {
      name: 'monitor has no power',
      action: 'monitor',
      initial: 'off',
      expected: { ok: true },
      calls: ['status'],
    },
    {
      name: 'off powers off and confirms',
      action: 'off',
      initial: 'on',
      expected: { ok: true, power: 'off' },
      calls: ['status', 'off', 'status'],
    },
    {
      name: 'off on an off target sends nothing',
      action: 'off',
      initial: 'off',
      expected: { ok: true, power: 'off' },
      calls: ['status'],
    },
    {
      name: 'on powers on and confirms',
      action: 'on',
      initial: 'off',
      expected: { ok: true, power: 'on' },
      calls: ['status', 'on', 'status'],
    },
    {
      name: 'reboot onoff: off, confirm, on, confirm',
      action: 'reboot',
      initial: 'on',
      expected: { ok: true, power: 'on' },
      calls: ['status', 'off', 'status', 'status', 'on', 'status'],
    },
    {
      name: 'reboot of an off target just powers on',
      action: 'reboot',
      initial: 'off',
      expected: { ok: true, power: 'on' },
      calls: ['status', 'status', 'on', 'status'],
    },
    {
      name: 'reboot whose power-on fails still fenced (off confirmed)',
      action: 'reboot',
      initial: 'on',
      chassis: { failOn: 'on' },
      expected: { ok: true, power: 'off' },
      calls: ['status', 'off', 'status', 'status', 'on'],
    },
    {
      name: 'reboot whose power-off fails is a failure',
      action: 'reboot',
      initial: 'on',
      chassis: { failOn: 'off' },
      expected: { ok: false, reason: 'agent-error' },
      calls: ['status', 'off'],
    },
    {
      name: 'a chassis that never turns off times out after powerTimeoutMs of polling',
      action: 'off',
      initial: 'on',
      chassis: { sticky: true },
      expected: { ok: false, reason: 'timeout' },
      calls: ['status', 'off', 'status', 'status', 'status', 'status', 'status'],
    },
    {
      name: 'reboot cycle sends one cycle',
      action: 'reboot',
      initial: 'on',
      o: { method: 'cycle' },
      expected: { ok: true, power: 'on' },
      calls: ['status', 'cycle', 'status'],
    },
    {
      name: 'reboot cycle of an off target powers on',
      action: 'reboot',
      initial: 'off',
      o: { method: 'cycle' },
      expected: { ok: true, power: 'on' },
      calls: ['status', 'on', 'status'],
    },
    {
      name: 'status failure passes its reason through',
      action: 'status',
      initial: 'on',
      chassis: { statusFails: true },
      expected: { ok: false, reason: 'timeout' },
      calls: ['status'],
    },
    {
      name: 'list reports the plug without I/O',
      action: 'list',
      initial: 'on',
      expected: { ok: true, ports: [{ port: 'bmc1' }] },
      calls: [],
    },
  ];

  it.each(table)('$name', async ({ action, initial, chassis, o, expected, calls }) => {
    const c = fakeChassis(initial, chassis);
    expect(await go(action, c.ctrl, o)).toMatchObject(expected);
    expect(c.calls).toEqual(calls);
  });

  it('abort during polling gives aborted', async () => {
    const c = fakeChassis('on', { sticky: true });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    expect(await go('off', c.ctrl, { powerTimeoutMs: 10_000 }, ac.signal)).toMatchObject({
      ok: false,
      reason: 'aborted',
    });
  });
});

describe('ipmitool failure classification', () => {
  it.each([
    ['> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session', 'refused'],
    [
      'RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session',
      'refused',
    ],
    ['Activate Session command failed\nError: Unable to establish LAN session', 'refused'],
    ['Error in open session response message : invalid authentication algorithm', 'refused'],
    ['Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request', 'timeout'],
    ['Error: Unable to establish IPMI v2 / RMCP+ session', 'timeout'],
    ['Address lookup for nosuchhost failed', 'unreachable'],
    ['Segmentation fault', 'agent-error'],
  ] as const)('%s → %s', (stderr, reason) => {
    expect(classifyIpmitoolFailure(stderr)).toBe(reason);
  });
});

describe('ipmitool agent command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-fake-ipmitool-'));
  const record = join(dir, 'calls.txt');
  const fake = join(dir, 'ipmitool');
  writeFileSync(
    fake,
    `#!/bin/sh\nprintf 'ARGV %s\\n' "$*" >> '${record}'\nprintf 'ENV %s\\n' "\${IPMI_PASSWORD:-<unset>}" >> '${record}'\necho 'Chassis Power is on'\n`,
  );
  chmodSync(fake, 0o755);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the password through IPMI_PASSWORD with -E, never in argv', async () => {
    const agent = createIpmitoolFenceAgent({
      ip: '10.1.2.3',
      username: 'admin',
      password: 'S3cretPw',
      ipmitoolPath: fake,
      cipher: 17,
    });
    expect(
      await agent.run({ action: 'status', target: 'n1' }, { signal: new AbortController().signal }),
    ).toEqual({ ok: true, power: 'on' });
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    const argv = lines.find((l) => l.startsWith('ARGV')) ?? '';
    expect(argv).not.toContain('S3cretPw');
    expect(argv).toMatch(
      /-I lanplus -C 17 -H 10\.1\.2\.3 -p 623 -U admin -L ADMINISTRATOR .*-E chassis power status/,
    );
    expect(lines).toContain('ENV S3cretPw');
  });

  it('passes a password file with -f and sets no IPMI_PASSWORD', async () => {
    writeFileSync(record, '');
    const pw = join(dir, 'pw');
    writeFileSync(pw, 'FilePw\n');
    const agent = createIpmitoolFenceAgent({
      ip: '10.1.2.3',
      username: 'admin',
      passwordFile: pw,
      ipmitoolPath: fake,
      lanplus: false,
    });
    await agent.run({ action: 'status', target: 'n1' }, { signal: new AbortController().signal });
    const lines = readFileSync(record, 'utf8').trim().split('\n');
    expect(lines[0]).toContain(`-I lan -A MD5`);
    expect(lines[0]).toContain(`-f ${pw}`);
    expect(lines[1]).toBe('ENV <unset>');
  });

  it('a missing ipmitool binary is agent-error', async () => {
    const agent = createIpmitoolFenceAgent({
      ip: '10.1.2.3',
      password: 'x',
      ipmitoolPath: join(dir, 'nope'),
    });
    expect(
      await agent.run({ action: 'status', target: 'n1' }, { signal: new AbortController().signal }),
    ).toMatchObject({
      ok: false,
      reason: 'agent-error',
    });
  });
});
