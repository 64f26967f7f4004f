/**
 * Cipher suites ipmi_sim lacks (15, 16, 17 = RAKP-HMAC-SHA256; 7, 8 = HMAC-MD5-128 integrity)
 * against our TypeScript test BMC. The test BMC itself is first proven with real
 * `ipmitool -I lanplus -C <suite>`; then our client runs against it. Also the failure outcomes:
 * silent BMC (timeout), closed port (unreachable), abort, garbage answers, wrong password/Kg,
 * refused cipher suite, bad options.
 */
import { execFile, spawnSync } from 'node:child_process';
import type { FenceAction, FenceAgent, FenceOutcome } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIpmiFenceAgent,
  createIpmitoolFenceAgent,
  type IpmiCipherSuite,
  type IpmiFenceAgentOptions,
} from '../../src/ipmi/index.js';
import { findIpmiTools, freeUdpPort } from '../helpers/ipmi-sim.js';
import { startTestBmc, type TestBmc } from '../helpers/ipmi-test-bmc.js';

const haveIpmitool = findIpmiTools().ipmitool !== undefined;
if (!haveIpmitool) console.warn('SKIP real-ipmitool checks of the test BMC: ipmitool is not installed');

const run = (
  agent: FenceAgent,
  action: FenceAction,
  signal = new AbortController().signal,
): Promise<FenceOutcome> => agent.run({ action, target: 'node1' }, { signal });

function ipmitool(
  port: number,
  cipher: number,
  args: string[],
  password = 'secret',
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(
      'ipmitool',
      [
        '-I',
        'lanplus',
        '-C',
        String(cipher),
        '-H',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        'admin',
        '-E',
        '-N',
        '1',
        '-R',
        '1',
        ...args,
      ],
      { env: { ...process.env, IPMI_PASSWORD: password }, timeout: 15_000 },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` }),
    ),
  );
}

const opts = (port: number, extra: Partial<IpmiFenceAgentOptions> = {}): IpmiFenceAgentOptions => ({
  ip: '127.0.0.1',
  port,
  username: 'admin',
  password: 'secret',
  timeoutMs: 500,
  retries: 1,
  pollIntervalMs: 20,
  powerTimeoutMs: 2000,
  ...extra,
});

describe('test BMC (RMCP+ server side) against real ipmitool', () => {
  let bmc: TestBmc;
  beforeAll(async () => {
    bmc = await startTestBmc();
  });
  afterAll(() => bmc.stop());
  beforeEach(() => {
    bmc.power = 'on';
  });

  it.skipIf(!haveIpmitool).each([17, 16, 15, 8, 7, 3])(
    'real ipmitool -C %i reads chassis status and powers off through it',
    async (cipher) => {
      expect((await ipmitool(bmc.port, cipher, ['chassis', 'power', 'status'])).out).toMatch(
        /Chassis Power is on/,
      );
      const off = await ipmitool(bmc.port, cipher, ['chassis', 'power', 'off']);
      expect(off.out).toMatch(/Chassis Power Control: Down\/Off/);
      expect(bmc.power).toBe('off');
      expect((await ipmitool(bmc.port, cipher, ['chassis', 'power', 'status'])).out).toMatch(
        /Chassis Power is off/,
      );
      expect(bmc.activeSessions()).toBe(0);
    },
  );

  it.skipIf(!haveIpmitool)('real ipmitool -C 17 with a wrong password fails', async () => {
    const r = await ipmitool(bmc.port, 17, ['chassis', 'power', 'off'], 'nope');
    expect(r.code).not.toBe(0);
    expect(bmc.power).toBe('on');
  });
});

describe('our client against the test BMC', () => {
  let bmc: TestBmc;
  beforeAll(async () => {
    bmc = await startTestBmc({
      users: [
        { name: 'admin', password: 'secret', privilege: 4 },
        { name: 'op', password: 'oppw', privilege: 3 },
      ],
    });
  });
  afterAll(() => bmc.stop());
  beforeEach(() => {
    bmc.power = 'on';
  });

  it.each([17, 16, 15, 8, 7] as IpmiCipherSuite[])(
    'cipher suite %i: status, off, on, reboot; sessions closed',
    async (cipher) => {
      const agent = createIpmiFenceAgent(opts(bmc.port, { cipher }));
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
      const before = bmc.log.length;
      expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
      expect(bmc.power).toBe('off');
      expect(await run(agent, 'on')).toMatchObject({ ok: true, power: 'on' });
      expect(await run(agent, 'reboot')).toMatchObject({ ok: true, power: 'on' });
      expect(bmc.log.slice(before).filter((l) => l.startsWith('control'))).toEqual([
        'control off',
        'control on',
        'control off',
        'control on',
      ]);
      expect(bmc.activeSessions()).toBe(0);
    },
  );

  it('an operator account can fence', async () => {
    const agent = createIpmiFenceAgent(
      opts(bmc.port, { cipher: 17, username: 'op', password: 'oppw', privilege: 'operator' }),
    );
    expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
  });

  it('a wrong password is refused before RAKP 3 is sent (our RAKP 2 check)', async () => {
    const agent = createIpmiFenceAgent(opts(bmc.port, { cipher: 17, password: 'wrong' }));
    const before = bmc.log.length;
    expect(await run(agent, 'off')).toMatchObject({ ok: false, reason: 'refused' });
    // The BMC never saw a RAKP 3 (it logs rejected ones): we stopped at RAKP 2.
    expect(bmc.log.slice(before)).toEqual([]);
    expect(bmc.power).toBe('on');
  });

  it('a wrong BMC key (Kg) is refused at RAKP 4', async () => {
    const agent = createIpmiFenceAgent(opts(bmc.port, { cipher: 17, kgHex: '00112233' }));
    const out = await run(agent, 'status');
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    if (!out.ok) expect(out.detail).toMatch(/RAKP 4/);
  });

  it('keeps one session with session: keep and closes it on close()', async () => {
    const agent = createIpmiFenceAgent(opts(bmc.port, { cipher: 17, session: 'keep' }));
    const before = bmc.activeSessions();
    expect(await run(agent, 'status')).toMatchObject({ ok: true });
    expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
    expect(bmc.activeSessions()).toBe(before + 1);
    await agent.close();
    expect(bmc.activeSessions()).toBe(before);
  });

  it('a cipher suite the BMC does not accept is refused', async () => {
    const only17 = await startTestBmc({
      accept: (a) => a.auth === 3 && a.integrity === 4 && a.confidentiality === 1,
    });
    try {
      const out = await run(createIpmiFenceAgent(opts(only17.port, { cipher: 3 })), 'status');
      expect(out).toMatchObject({ ok: false, reason: 'refused' });
      if (!out.ok) expect(out.detail).toMatch(/no cipher suite match/);
      expect(await run(createIpmiFenceAgent(opts(only17.port, { cipher: 17 })), 'status')).toEqual({
        ok: true,
        power: 'on',
      });
    } finally {
      await only17.stop();
    }
  });
});

describe('failure outcomes', () => {
  it('a silent BMC gives timeout after the configured tries', async () => {
    const silent = await startTestBmc({ mode: 'silent' });
    try {
      const out = await run(createIpmiFenceAgent(opts(silent.port, { timeoutMs: 100, retries: 2 })), 'off');
      expect(out).toMatchObject({ ok: false, reason: 'timeout' });
      if (!out.ok) expect(out.detail).toMatch(/after 3 tries of 100ms/);
    } finally {
      await silent.stop();
    }
  });

  it('a closed port gives unreachable (ICMP port unreachable) or timeout', async () => {
    const port = await freeUdpPort();
    const out = await run(createIpmiFenceAgent(opts(port, { timeoutMs: 100, retries: 1 })), 'status');
    expect(out.ok).toBe(false);
    if (!out.ok) expect(['unreachable', 'timeout']).toContain(out.reason);
  });

  it('garbage answers give agent-error', async () => {
    const junk = await startTestBmc({ mode: 'garbage' });
    try {
      const out = await run(createIpmiFenceAgent(opts(junk.port, { timeoutMs: 100, retries: 1 })), 'status');
      expect(out).toMatchObject({ ok: false, reason: 'agent-error' });
    } finally {
      await junk.stop();
    }
  });

  it('abort stops a waiting call with aborted', async () => {
    const silent = await startTestBmc({ mode: 'silent' });
    try {
      const ac = new AbortController();
      const pending = run(
        createIpmiFenceAgent(opts(silent.port, { timeoutMs: 10_000, retries: 5 })),
        'off',
        ac.signal,
      );
      setTimeout(() => ac.abort(), 50);
      expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
      const pre = new AbortController();
      pre.abort();
      expect(await run(createIpmiFenceAgent(opts(silent.port)), 'status', pre.signal)).toMatchObject({
        reason: 'aborted',
      });
    } finally {
      await silent.stop();
    }
  });

  it('abort while polling for the power state gives aborted', async () => {
    // A BMC that takes the command but never reports the new state.
    const stuck = await startTestBmc({ ignoreControl: true });
    try {
      const ac = new AbortController();
      const agent = createIpmiFenceAgent(
        opts(stuck.port, { cipher: 17, powerTimeoutMs: 60_000, pollIntervalMs: 20 }),
      );
      setTimeout(() => ac.abort(), 150);
      const out = await run(agent, 'off', ac.signal);
      expect(out).toMatchObject({ ok: false, reason: 'aborted' });
      expect(stuck.log).toContain('control off');
      // The aborted run still sent Close Session (without waiting for its answer).
      await new Promise((r) => setTimeout(r, 50));
      expect(stuck.activeSessions()).toBe(0);
      // Without abort, the poll gives up after powerTimeoutMs with timeout.
      const quick = createIpmiFenceAgent(
        opts(stuck.port, { cipher: 17, powerTimeoutMs: 100, pollIntervalMs: 20 }),
      );
      const timedOut = await run(quick, 'off');
      expect(timedOut).toMatchObject({ ok: false, reason: 'timeout' });
    } finally {
      await stuck.stop();
    }
  });

  it.skipIf(!haveIpmitool)('abort kills the ipmitool process group', async () => {
    const silent = await startTestBmc({ mode: 'silent' });
    try {
      const ac = new AbortController();
      const agent = createIpmitoolFenceAgent({ ...opts(silent.port), timeoutMs: 5000, retries: 3 });
      const pending = run(agent, 'status', ac.signal);
      const running = () =>
        spawnSync('pgrep', ['-f', `ipmitool.*-p ${silent.port} `], { encoding: 'utf8' }).stdout.trim();
      for (let i = 0; i < 100 && running() === ''; i++) await new Promise((r) => setTimeout(r, 20));
      expect(running()).not.toBe('');
      ac.abort();
      expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
      for (let i = 0; i < 100 && running() !== ''; i++) await new Promise((r) => setTimeout(r, 20));
      expect(running()).toBe('');
    } finally {
      await silent.stop();
    }
  });

  it.skipIf(!haveIpmitool)('the ipmitool agent also works with cipher suite 17 (test BMC)', async () => {
    const bmc = await startTestBmc();
    try {
      const agent = createIpmitoolFenceAgent({ ...opts(bmc.port), cipher: 17 });
      expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
      expect(bmc.power).toBe('off');
    } finally {
      await bmc.stop();
    }
  });

  it('bad options throw ConfigError without echoing the password', () => {
    expect(() => createIpmiFenceAgent({ ...opts(623), cipher: 5 as IpmiCipherSuite })).toThrow(ConfigError);
    expect(() => createIpmiFenceAgent({ ...opts(623), port: 0 })).toThrow(/port/);
    expect(() => createIpmiFenceAgent({ ...opts(623), bogus: 1 } as IpmiFenceAgentOptions)).toThrow(
      ConfigError,
    );
    expect(() => createIpmiFenceAgent({ ...opts(623), password: 'x'.repeat(17), lanplus: false })).toThrow(
      /longer than 16/,
    );
    try {
      createIpmiFenceAgent({ ...opts(623), password: 'TopSecret1', passwordEnv: 'X', timeoutMs: -1 });
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('TopSecret1');
    }
    const { password: _, ...rest } = opts(623);
    expect(() => createIpmiFenceAgent({ ...rest, passwordEnv: 'QUORATE_SURELY_UNSET_VARIABLE' })).toThrow(
      ConfigError,
    );
  });
});
