/**
 * Proves the SNMP simulator faithful: the REAL fence_intelmodular and fence_apc_snmp (Debian
 * fence-agents, which shell out to Net-SNMP's snmpget/snmpset/snmpwalk) switch its plugs, and the
 * simulated power map changes as they say. Skips when the binaries are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SnmpSim, startSnmpSim } from '../helpers/snmp-sim.js';

const IMS = '/usr/sbin/fence_intelmodular';
const APC = '/usr/sbin/fence_apc_snmp';
const haveTools = existsSync(IMS) && existsSync(APC) && existsSync('/usr/bin/snmpget');
if (!haveTools) console.warn(`skipping real fence agent checks: ${IMS}, ${APC} or /usr/bin/snmpget missing`);

interface Run {
  code: number;
  stdout: string;
}
function runAgent(bin: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 20_000 }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout });
    });
  });
}

// Net-SNMP refuses passphrases under 8 characters, so every key here is at least 8 long.
const SECURITY: Array<{ name: string; args: string[] }> = [
  { name: 'v1 community', args: ['--snmp-version=1', '--community=private'] },
  { name: 'v2c community', args: ['--snmp-version=2c', '--community=private'] },
  {
    name: 'v3 authNoPriv SHA',
    args: [
      '--snmp-version=3',
      '--username=shauser',
      '--password=shapass1',
      '--snmp-auth-prot=SHA',
      '--snmp-sec-level=authNoPriv',
    ],
  },
  {
    name: 'v3 authPriv SHA/AES',
    args: [
      '--snmp-version=3',
      '--username=privuser',
      '--password=authpass1',
      '--snmp-auth-prot=SHA',
      '--snmp-sec-level=authPriv',
      '--snmp-priv-prot=AES',
      '--snmp-priv-passwd=privpass1',
    ],
  },
];

describe.skipIf(!haveTools)('the SNMP simulator against the real fence agents', () => {
  let sim: SnmpSim;
  beforeAll(async () => {
    sim = await startSnmpSim({
      plugs: 9,
      users: [
        { name: 'shauser', authProtocol: 'sha', authKey: 'shapass1' },
        {
          name: 'privuser',
          authProtocol: 'sha',
          authKey: 'authpass1',
          privProtocol: 'aes',
          privKey: 'privpass1',
        },
      ],
    });
  });
  afterAll(async () => {
    await sim?.close();
  });

  for (const [i, { name, args }] of SECURITY.entries()) {
    const imsPlug = i + 1;
    const apcPlug = i + 5;
    const base = (): string[] => ['--ip=127.0.0.1', `--ipport=${sim.port}`, ...args];

    it.concurrent(`${name}: fence_intelmodular reads, switches off and on, and lists a blade`, async () => {
      const plug = [`--plug=${imsPlug}`];
      expect(await runAgent(IMS, [...base(), ...plug, '-o', 'status'])).toMatchObject({
        code: 0,
        stdout: 'Status: ON\n',
      });
      expect(await runAgent(IMS, [...base(), ...plug, '-o', 'off'])).toMatchObject({
        code: 0,
        stdout: 'Success: Powered OFF\n',
      });
      expect(sim.power.get(imsPlug)).toBe(false);
      expect(await runAgent(IMS, [...base(), ...plug, '-o', 'status'])).toMatchObject({
        code: 2,
        stdout: 'Status: OFF\n',
      });
      expect(await runAgent(IMS, [...base(), ...plug, '-o', 'on'])).toMatchObject({
        code: 0,
        stdout: 'Success: Powered ON\n',
      });
      expect(sim.power.get(imsPlug)).toBe(true);
      const list = await runAgent(IMS, [...base(), '-o', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout.trim().split('\n')).toEqual(['1,', '2,', '3,', '4,', '5,', '6,', '7,', '8,', '9,']);
      // The simulator saw exactly one off and one on for this blade, through the Intel view.
      expect(sim.events.filter((e) => e.plug === imsPlug)).toEqual([
        { plug: imsPlug, from: true, to: false, via: 'ims' },
        { plug: imsPlug, from: false, to: true, via: 'ims' },
      ]);
    });

    it.concurrent(`${name}: fence_apc_snmp reads, switches off and on, and lists outlets by name`, async () => {
      const plug = [`--plug=${apcPlug}`];
      expect(await runAgent(APC, [...base(), ...plug, '-o', 'status'])).toMatchObject({
        code: 0,
        stdout: 'Status: ON\n',
      });
      expect(await runAgent(APC, [...base(), ...plug, '-o', 'off'])).toMatchObject({
        code: 0,
        stdout: 'Success: Powered OFF\n',
      });
      expect(sim.power.get(apcPlug)).toBe(false);
      expect(await runAgent(APC, [...base(), ...plug, '-o', 'status'])).toMatchObject({
        code: 2,
        stdout: 'Status: OFF\n',
      });
      expect(await runAgent(APC, [...base(), ...plug, '-o', 'on'])).toMatchObject({
        code: 0,
        stdout: 'Success: Powered ON\n',
      });
      expect(sim.power.get(apcPlug)).toBe(true);
      const list = await runAgent(APC, [...base(), '-o', 'list']);
      expect(list.code).toBe(0);
      expect(list.stdout.trim().split('\n')).toContain(`${apcPlug},node${apcPlug}`);
      expect(sim.events.filter((e) => e.plug === apcPlug)).toEqual([
        { plug: apcPlug, from: true, to: false, via: 'apc' },
        { plug: apcPlug, from: false, to: true, via: 'apc' },
      ]);
    });
  }

  it('fence_intelmodular over the stdin protocol turns a blade off', async () => {
    sim.power.set(9, true);
    const stdin = [
      'ip=127.0.0.1',
      `ipport=${sim.port}`,
      'login=shauser',
      'passwd=shapass1',
      'snmp_auth_prot=SHA',
      'snmp_sec_level=authNoPriv',
      'snmp_version=3',
      'port=9',
      'action=off',
      '',
    ].join('\n');
    const res = await new Promise<Run>((resolve) => {
      const child = execFile(IMS, [], { timeout: 20_000 }, (err, stdout) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout }),
      );
      child.stdin?.end(stdin);
    });
    expect(res).toMatchObject({ code: 0, stdout: 'Success: Powered OFF\n' });
    expect(sim.power.get(9)).toBe(false);
  });
});
