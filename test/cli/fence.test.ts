/**
 * `quorate fence` end to end (in process) against the SNMP chassis/PDU simulator, a BMC simulator
 * (ipmi_sim, when installed) and a fake exec fence agent. Exit codes as fence agents.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAgents, writeFakeAgents } from '../../packages/agents/test/helpers/exec-fake-agents.js';
import {
  type ExecIpmiSim,
  haveIpmiTools,
  startExecIpmiSim,
} from '../../packages/agents/test/helpers/exec-ipmi-sim.js';
import { type SnmpSim, startSnmpSim } from '../../packages/agents/test/helpers/snmp-sim.js';
import { fence } from '../../packages/cli/src/commands/fence.js';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await fence(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
  });
  return { code, out, err };
}

let sim: SnmpSim;
let dir: string;
let fake: FakeAgents;
beforeAll(async () => {
  sim = await startSnmpSim({
    plugs: 6,
    users: [
      { name: 'fenceuser', authProtocol: 'sha', authKey: 'chassis-pass-1' },
      {
        name: 'privuser',
        authProtocol: 'sha',
        authKey: 'priv-auth-pass1',
        privProtocol: 'aes',
        privKey: 'priv-priv-pass1',
      },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'quorate-cli-fence-'));
  fake = writeFakeAgents();
  process.env.QUORATE_TEST_SNMP_PASS = 'chassis-pass-1';
  process.env.QUORATE_TEST_WRONG_PASS = 'wrong-pass-99';
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
  fake?.close();
});

const ims = () => [
  '--agent',
  'snmp-ims',
  '--ip',
  '127.0.0.1',
  '--ipport',
  String(sim.port),
  '--snmp-version',
  '3',
  '--username',
  'fenceuser',
  '--password-env',
  'QUORATE_TEST_SNMP_PASS',
  '--sec-level',
  'authNoPriv',
  '--auth-protocol',
  'SHA',
];

describe('quorate fence --agent', () => {
  it('status, off, status, on on an Intel Modular blade over SNMPv3, with fence agent exit codes', async () => {
    const s1 = await cli(...ims(), '--plug', '1', '--action', 'status');
    expect(s1.code).toBe(0);
    expect(s1.out).toMatch(/^Status: ON\nsnmp-ims 127\.0\.0\.1: status took \d+\.\d{3}s\n$/);
    const off = await cli(...ims(), '--plug', '1', '--action', 'off');
    expect(off).toMatchObject({ code: 0 });
    expect(off.out).toMatch(/^Success: off, power off\n/);
    expect(sim.power.get(1)).toBe(false);
    const s2 = await cli(...ims(), '-n', '1', '-o', 'status');
    expect(s2.code).toBe(2);
    expect(s2.out).toMatch(/^Status: OFF\n/);
    expect((await cli(...ims(), '--plug', '1', '--action', 'on')).code).toBe(0);
    expect(sim.power.get(1)).toBe(true);
  });

  it('takes the auth key from --password-file and the privacy key from --priv-password-env (authPriv SHA/AES)', async () => {
    const keyFile = join(dir, 'auth.key');
    writeFileSync(keyFile, 'priv-auth-pass1\n');
    process.env.QUORATE_TEST_PRIV_PASS = 'priv-priv-pass1';
    const r = await cli(
      '--agent',
      'snmp-ims',
      '--ip',
      '127.0.0.1',
      '--ipport',
      String(sim.port),
      '--snmp-version',
      '3',
      '--username',
      'privuser',
      '--password-file',
      keyFile,
      '--sec-level',
      'authPriv',
      '--auth-protocol',
      'SHA',
      '--priv-protocol',
      'AES',
      '--priv-password-env',
      'QUORATE_TEST_PRIV_PASS',
      '--plug',
      '3',
      '--action',
      'off',
    );
    expect(r.code).toBe(0);
    expect(sim.power.get(3)).toBe(false);
    expect(r.out + r.err).not.toContain('priv-');
  });

  it('lists APC outlets over v1 with the default community', async () => {
    const r = await cli(
      '--agent',
      'snmp-apc',
      '--ip',
      '127.0.0.1',
      '--ipport',
      String(sim.port),
      '--action',
      'list',
    );
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 6)).toEqual([
      '1,node1',
      '2,node2',
      '3,node3',
      '4,node4',
      '5,node5',
      '6,node6',
    ]);
  });

  it('prints JSON with --json', async () => {
    const r = await cli(...ims(), '--plug', '2', '--action', 'reboot', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ action: 'reboot', outcome: { ok: true, power: 'on' } });
    expect(typeof j.ms).toBe('number');
    expect(sim.events.filter((e) => e.plug === 2).map((e) => e.to)).toEqual([false, true]);
  });

  it('a wrong password fails with exit 1 within the limit and never prints the password', async () => {
    const args = ims().map((a) => (a === 'QUORATE_TEST_SNMP_PASS' ? 'QUORATE_TEST_WRONG_PASS' : a));
    const r = await cli(...args, '--plug', '1', '--action', 'off', '--timeout', '700ms');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Failed: timeout: /);
    expect(r.out + r.err).not.toContain('wrong-pass-99');
    expect(sim.power.get(1)).toBe(true);
  });

  it('runs an exec fence agent with --param on its stdin', async () => {
    process.env.QUORATE_TEST_FAKE_PASS = 'right-pass';
    const base = [
      '--agent',
      `exec:${fake.path('fence_fake')}`,
      '--password-env',
      'QUORATE_TEST_FAKE_PASS',
      '--param',
      `statefile=${fake.dir}/cli`,
    ];
    expect((await cli(...base, '--plug', '3', '--action', 'off')).code).toBe(0);
    const r = await cli(...base, '--plug', '3', '--action', 'status');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^Status: OFF/);
  });
});

describe('the quorate binary', () => {
  it('exits 2 for status of a powered-off blade, as fence agents do', async () => {
    sim.power.set(6, false);
    const args = [
      '--conditions=@quorate/source',
      '--import',
      'tsx',
      'packages/cli/src/bin.ts',
      'fence',
      ...ims(),
      '--plug',
      '6',
      '--action',
      'status',
    ];
    const res = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
      execFile(
        process.execPath,
        args,
        { cwd: join(import.meta.dirname, '..', '..'), timeout: 20_000 },
        (err, stdout) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout }),
      ),
    );
    expect(res.code).toBe(2);
    expect(res.stdout).toMatch(/^Status: OFF\n/);
    sim.power.set(6, true);
  });
});

describe('quorate fence --device --config', () => {
  const writeConfig = (file: string, wrapInScenario: boolean): string => {
    const cluster = `
name: lab
configVersion: 1
nodes:
  - { name: blade1, id: 1 }
  - { name: blade2, id: 2 }
fencing:
  devices:
    - name: chassis
      agent: snmp-ims
      hosts: [blade1, blade2]
      port: { blade1: "4", blade2: "5" }
      params: { ip: 127.0.0.1, ipport: ${sim.port}, username: fenceuser, passwordEnv: QUORATE_TEST_SNMP_PASS, snmpVersion: 3, securityLevel: authNoPriv, authProtocol: SHA }
    - name: pdu
      agent: snmp-apc
      hosts: [blade1]
      port: { blade1: node6 }
      params: { ip: 127.0.0.1, ipport: ${sim.port}, community: private }
  topology:
    blade1: [[chassis], [pdu]]
    blade2: [[chassis]]
`;
    const text = wrapInScenario
      ? `name: s\ncluster:\n${cluster
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n')}\n`
      : cluster;
    const path = join(dir, file);
    writeFileSync(path, text);
    return path;
  };

  it('fences a node through the device named in a cluster document, using its port map', async () => {
    const cfg = writeConfig('cluster.yaml', false);
    const r = await cli('--device', 'chassis', '--config', cfg, '--target', 'blade2', '--action', 'off');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/device 'chassis' \(snmp-ims\): off took/);
    expect(sim.power.get(5)).toBe(false);
    expect(sim.power.get(4)).toBe(true);
  });

  it("accepts a scenario file's cluster section and an APC outlet named in the port map", async () => {
    const cfg = writeConfig('scenario.yaml', true);
    const r = await cli('--device', 'pdu', '--config', cfg, '--target', 'blade1', '--action', 'off');
    expect(r.code).toBe(0);
    expect(sim.power.get(6)).toBe(false);
  });

  it.each([
    {
      name: 'no action',
      args: (c: string) => ['--device', 'chassis', '--config', c],
      err: /--action is required/,
    },
    {
      name: 'an unknown action',
      args: (c: string) => ['--device', 'chassis', '--config', c, '--action', 'explode'],
      err: /unknown action 'explode'/,
    },
    {
      name: 'an unknown device',
      args: (c: string) => ['--device', 'nope', '--config', c, '--action', 'status'],
      err: /no fence device 'nope' .*devices: 'chassis', 'pdu'/,
    },
    {
      name: 'a node the device does not fence',
      args: (c: string) => ['--device', 'pdu', '--config', c, '--target', 'blade2', '--action', 'off'],
      err: /does not fence 'blade2'/,
    },
    {
      name: 'a missing file',
      args: () => ['--device', 'x', '--config', '/nonexistent/q.yaml', '--action', 'status'],
      err: /cannot read config file/,
    },
    {
      name: 'an unknown agent kind',
      args: () => ['--agent', 'telnet', '--ip', 'h', '--action', 'status'],
      err: /unknown agent 'telnet'/,
    },
    {
      name: 'an unknown flag',
      args: () => ['--agent', 'snmp-ims', '--password', 'x', '--action', 'status'],
      err: /Unknown option '--password'/,
    },
    {
      name: 'a bad timeout',
      args: () => ['--agent', 'snmp-ims', '--ip', 'h', '--action', 'status', '--timeout', 'soon'],
      err: /--timeout 'soon'/,
    },
    {
      name: 'a missing password variable',
      args: () => [
        '--agent',
        'snmp-ims',
        '--ip',
        'h',
        '--username',
        'u',
        '--password-env',
        'QUORATE_NOT_SET_X',
        '--action',
        'status',
      ],
      err: /QUORATE_NOT_SET_X/,
    },
  ])('exits 2 on $name', async ({ args, err }) => {
    const cfg = writeConfig('usage.yaml', false);
    const r = await cli(...args(cfg));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(err);
  });

  it('rejects an invalid cluster document with exit 2 and the path of the bad field', async () => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      'name: lab\nconfigVersion: 1\nnodes: [{ name: n1, id: 1 }]\nfencing:\n  devices:\n    - { name: d, agent: telnet }\n',
    );
    const r = await cli('--device', 'd', '--config', path, '--action', 'status');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/fencing\.devices\[0\]\.agent/);
  });
});

describe.skipIf(!haveIpmiTools)('quorate fence --agent ipmi / exec:fence_ipmilan against ipmi_sim', () => {
  let bmc: ExecIpmiSim;
  beforeAll(async () => {
    bmc = await startExecIpmiSim();
    process.env.QUORATE_TEST_IPMI_PASS = bmc.password;
  });
  afterAll(async () => {
    await bmc?.close();
  });
  const conn = () => [
    '--ip',
    '127.0.0.1',
    '--ipport',
    String(bmc.port),
    '--username',
    bmc.user,
    '--password-env',
    'QUORATE_TEST_IPMI_PASS',
    '--lanplus',
    '--cipher',
    '3',
  ];

  it('reads status with our IPMI client and switches off', async () => {
    const s = await cli('--agent', 'ipmi', ...conn(), '--action', 'status');
    expect(s.code).toBe(0);
    expect(s.out).toMatch(/^Status: ON/);
    expect((await cli('--agent', 'ipmi', ...conn(), '--action', 'off')).code).toBe(0);
    expect(bmc.power()).toBe('off');
  });

  it('reads status through the real fence_ipmilan', async () => {
    bmc.setPower('off');
    const s = await cli('--agent', 'exec:fence_ipmilan', ...conn(), '--action', 'status');
    expect(s.code).toBe(2);
    expect(s.out).toMatch(/^Status: OFF/);
  });
});
