/**
 * Our SNMP fence agents (createImsFenceAgent, createApcFenceAgent) against the simulator that the
 * real fence agents accept (see snmp-sim-real-agents.test.ts), over every SNMP security setup
 * the simulator and this Node.js can run. Assertions are on the simulated power map and events.
 */
import { createCipheriv } from 'node:crypto';
import type { FenceAgent, FenceOutcome, FenceRequest } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApcFenceAgent, createImsFenceAgent, type SnmpFenceOptions } from '../../src/snmp/index.js';
import { type SnmpSim, startSnmpSim } from '../helpers/snmp-sim.js';

const desWorks = (() => {
  try {
    createCipheriv('des-cbc', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
})();
if (!desWorks)
  console.warn(
    'skipping SNMPv3 DES cases: this Node.js/OpenSSL has no DES (needs --openssl-legacy-provider)',
  );

const ctx = () => ({ signal: new AbortController().signal });
const req = (action: FenceRequest['action'], port?: string): FenceRequest =>
  port === undefined
    ? ({ action, target: 'nodeX' } as FenceRequest)
    : ({ action, target: 'nodeX', port } as FenceRequest);

let sim: SnmpSim;
beforeAll(async () => {
  sim = await startSnmpSim({
    plugs: 24,
    users: [
      { name: 'plainuser' },
      { name: 'md5user', authProtocol: 'md5', authKey: 'md5pass12' },
      { name: 'shauser', authProtocol: 'sha', authKey: 'shapass12' },
      {
        name: 'shaaes',
        authProtocol: 'sha',
        authKey: 'authpass1',
        privProtocol: 'aes',
        privKey: 'privpass1',
      },
      {
        name: 'md5aes',
        authProtocol: 'md5',
        authKey: 'authpass2',
        privProtocol: 'aes',
        privKey: 'privpass2',
      },
      ...(desWorks
        ? [
            {
              name: 'shades',
              authProtocol: 'sha' as const,
              authKey: 'authpass3',
              privProtocol: 'des' as const,
              privKey: 'privpass3',
            },
          ]
        : []),
    ],
  });
});
afterAll(async () => {
  await sim?.close();
});

type Sec = Omit<SnmpFenceOptions, 'ip' | 'ipport'>;
const SECURITY: Array<{ name: string; sec: Sec; skip?: boolean }> = [
  { name: 'v1 community', sec: { snmpVersion: '1', community: 'private' } },
  { name: 'v2c community', sec: { snmpVersion: '2c', community: 'public' } },
  { name: 'v3 noAuthNoPriv', sec: { snmpVersion: '3', username: 'plainuser', secLevel: 'noAuthNoPriv' } },
  {
    name: 'v3 authNoPriv MD5',
    sec: { snmpVersion: '3', username: 'md5user', password: 'md5pass12', authProtocol: 'MD5' },
  },
  {
    name: 'v3 authNoPriv SHA',
    sec: { snmpVersion: '3', username: 'shauser', password: 'shapass12', authProtocol: 'sha' },
  },
  {
    name: 'v3 authPriv SHA/AES',
    sec: {
      snmpVersion: '3',
      username: 'shaaes',
      password: 'authpass1',
      authProtocol: 'SHA',
      privProtocol: 'AES',
      privPassword: 'privpass1',
    },
  },
  {
    name: 'v3 authPriv MD5/AES',
    sec: {
      snmpVersion: '3',
      username: 'md5aes',
      password: 'authpass2',
      authProtocol: 'MD5',
      secLevel: 'authPriv',
      privPassword: 'privpass2',
    },
  },
  {
    name: 'v3 authPriv SHA/DES',
    sec: {
      snmpVersion: '3',
      username: 'shades',
      password: 'authpass3',
      authProtocol: 'SHA',
      privProtocol: 'DES',
      privPassword: 'privpass3',
    },
    skip: !desWorks,
  },
];

describe.each(SECURITY.map((s, i) => ({ ...s, i })))('$name', ({ sec, i, skip }) => {
  const imsPlug = String(i + 1);
  const apcPlug = i + 9;
  const opts = (): SnmpFenceOptions => ({
    ip: '127.0.0.1',
    ipport: sim.port,
    timeoutMs: 500,
    retries: 1,
    powerPollMs: 20,
    ...sec,
  });

  it.skipIf(skip)('the Intel Modular agent reads, switches off, on and reboots a blade', async () => {
    const ims = createImsFenceAgent(opts());
    expect(await ims.run(req('status', imsPlug), ctx())).toEqual({ ok: true, power: 'on' });
    expect(await ims.run(req('off', imsPlug), ctx())).toEqual({ ok: true, power: 'off' });
    expect(sim.power.get(Number(imsPlug))).toBe(false);
    expect(await ims.run(req('status', imsPlug), ctx())).toEqual({ ok: true, power: 'off' });
    // off again is idempotent: no second SET reaches the chassis
    expect(await ims.run(req('off', imsPlug), ctx())).toEqual({ ok: true, power: 'off' });
    expect(await ims.run(req('on', imsPlug), ctx())).toEqual({ ok: true, power: 'on' });
    expect(await ims.run(req('reboot', imsPlug), ctx())).toEqual({ ok: true, power: 'on' });
    expect(
      sim.events.filter((e) => e.plug === Number(imsPlug)).map((e) => `${e.via}:${e.to ? 'on' : 'off'}`),
    ).toEqual(['ims:off', 'ims:on', 'ims:off', 'ims:on']);
    const list = await ims.run(req('list'), ctx());
    expect(list.ok && list.ports?.length).toBe(24);
    const mon = await ims.run(req('monitor'), ctx());
    expect(mon).toMatchObject({ ok: true });
  });

  it.skipIf(skip)('the APC agent switches an outlet by number and by name, and lists names', async () => {
    const apc = createApcFenceAgent(opts());
    expect(await apc.run(req('off', String(apcPlug)), ctx())).toEqual({ ok: true, power: 'off' });
    expect(sim.power.get(apcPlug)).toBe(false);
    expect(await apc.run(req('status', `node${apcPlug}`), ctx())).toEqual({ ok: true, power: 'off' });
    expect(await apc.run(req('reboot', `node${apcPlug}`), ctx())).toEqual({ ok: true, power: 'on' });
    expect(sim.power.get(apcPlug)).toBe(true);
    expect(
      sim.events.filter((e) => e.plug === apcPlug).map((e) => `${e.via}:${e.to ? 'on' : 'off'}`),
    ).toEqual(['apc:off', 'apc:on']);
    const list = await apc.run(req('list'), ctx());
    expect(list.ok && list.ports?.find((p) => p.port === String(apcPlug))).toEqual({
      port: String(apcPlug),
      name: `node${apcPlug}`,
    });
  });
});

describe('failures come back as values', () => {
  const base = (): SnmpFenceOptions => ({ ip: '127.0.0.1', ipport: sim.port, timeoutMs: 150, retries: 1 });

  const CASES: Array<{
    name: string;
    opts: () => SnmpFenceOptions;
    reason: FenceOutcome extends infer O ? (O extends { ok: false; reason: infer R } ? R : never) : never;
    detail: RegExp;
  }> = [
    {
      name: 'a wrong v3 password',
      opts: () => ({ ...base(), username: 'shauser', password: 'wrongpass9', authProtocol: 'SHA' }),
      reason: 'timeout',
      detail: /no answer from 127\.0\.0\.1:\d+ \(v3 user 'shauser' authNoPriv\) after 2 tries of 150ms/,
    },
    {
      name: 'the wrong auth protocol',
      opts: () => ({ ...base(), username: 'shauser', password: 'shapass12', authProtocol: 'MD5' }),
      reason: 'timeout',
      detail: /drop requests with a wrong community, user or key/,
    },
    {
      name: 'an unknown community',
      opts: () => ({ ...base(), snmpVersion: '2c', community: 'secretcommunity' }),
      reason: 'timeout',
      detail: /no answer from .* \(v2c\)/,
    },
    {
      name: 'an unknown v3 user',
      opts: () => ({ ...base(), username: 'nobody', password: 'whatever1' }),
      reason: 'refused',
      detail: /Unknown User Name/,
    },
    {
      name: 'noAuthNoPriv for an auth user',
      opts: () => ({ ...base(), username: 'shauser', secLevel: 'noAuthNoPriv' }),
      reason: 'refused',
      detail: /refused the credentials/,
    },
    {
      name: 'an unknown host',
      opts: () => ({ ...base(), ip: 'chassis.invalid', community: 'private', snmpVersion: '2c' }),
      reason: 'unreachable',
      detail: /cannot reach chassis\.invalid/,
    },
  ];

  it.concurrent.each(CASES)('$name gives $reason', async ({ opts, reason, detail }) => {
    const o = opts();
    const out = await createImsFenceAgent(o).run(req('status', '1'), ctx());
    expect(out).toMatchObject({ ok: false, reason });
    expect(!out.ok && out.detail).toMatch(detail);
    for (const secret of [o.password, o.community].filter(Boolean)) {
      expect(JSON.stringify(out)).not.toContain(secret);
    }
  });

  it('a stuck relay gives timeout with a clear detail, and reboot does not claim success', async () => {
    sim.stuck.add(20);
    const ims = createImsFenceAgent({ ...base(), snmpVersion: '2c', powerTimeoutMs: 200, powerPollMs: 20 });
    const off = await ims.run(req('off', '20'), ctx());
    expect(off).toMatchObject({ ok: false, reason: 'timeout' });
    expect(!off.ok && off.detail).toMatch(
      /accepted 'off' for plug 20 but its status did not read 'off' within 200ms/,
    );
    expect((await ims.run(req('reboot', '20'), ctx())).ok).toBe(false);
    expect(sim.power.get(20)).toBe(true);
    sim.stuck.delete(20);
  });

  it('a plug the chassis does not have is an agent error', async () => {
    const out = await createImsFenceAgent({ ...base(), snmpVersion: '2c' }).run(req('status', '99'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'agent-error' });
    expect(!out.ok && out.detail).toMatch(/NoSuchInstance/);
  });

  it('an outlet name the PDU does not have is an agent error', async () => {
    const out = await createApcFenceAgent({ ...base() }).run(req('off', 'node77'), ctx());
    expect(out).toEqual({
      ok: false,
      reason: 'agent-error',
      detail: "APC rPDU has no outlet named 'node77'",
    });
  });

  it('aborting the signal stops a hanging request promptly with aborted', async () => {
    const ac = new AbortController();
    const agent = createImsFenceAgent({
      ...base(),
      username: 'shauser',
      password: 'wrongpass9',
      timeoutMs: 5_000,
      retries: 3,
    });
    const pending = agent.run(req('off', '1'), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('an already aborted signal never touches the device', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = sim.sets.length;
    const out = await createImsFenceAgent({ ...base(), snmpVersion: '2c' }).run(req('off', '2'), {
      signal: ac.signal,
    });
    expect(out).toMatchObject({ ok: false, reason: 'aborted' });
    expect(sim.sets.length).toBe(before);
  });

  it('bad options are rejected at creation, naming the field', () => {
    expect(() => createImsFenceAgent({ ip: '' })).toThrow(ConfigError);
    expect(() => createImsFenceAgent({ ip: '' })).toThrow(/→ at ip/);
    expect(() => createImsFenceAgent({ ip: 'h', authProtocol: 'SHA512' })).toThrow(/authProtocol/);
    expect(() => createImsFenceAgent({ ip: 'h', snmpVersion: '3' })).toThrow(/needs a username/);
    expect(() =>
      createImsFenceAgent({ ip: 'h', username: 'u', passwordEnv: 'QUORATE_NO_SUCH_VAR_X' }),
    ).toThrow(/QUORATE_NO_SUCH_VAR_X/);
  });
});

describe('agents are plain objects behind the FenceAgent port', () => {
  it('satisfies FenceAgent and closes', async () => {
    const agents: FenceAgent[] = [
      createImsFenceAgent({ ip: '127.0.0.1', snmpVersion: '2c' }),
      createApcFenceAgent({ ip: '127.0.0.1' }),
    ];
    for (const a of agents) await a.close?.();
    expect(agents).toHaveLength(2);
  });
});
