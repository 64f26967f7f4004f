/**
 * Our IPMI fence agent, the ipmitool agent, real ipmitool and real fence_ipmilan against real
 * OpenIPMI ipmi_sim BMCs on 127.0.0.1. The power state asserted is the one the simulator's
 * chassis_control hook recorded. Skipped (with a message) when ipmi_sim or tini is missing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FenceAction, FenceAgent, FenceOutcome } from '@quorate/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIpmiFenceAgent,
  createIpmitoolFenceAgent,
  type IpmiFenceAgentOptions,
  type IpmitoolFenceAgentOptions,
} from '../../src/ipmi/index.js';
import { findIpmiTools, type IpmiSimBmc, ipmitool, startIpmiSim } from '../helpers/ipmi-sim.js';

const tools = findIpmiTools();
const haveSim = tools.ipmiSim !== undefined && tools.tini !== undefined;
const haveIpmitool = haveSim && tools.ipmitool !== undefined;
const haveFenceIpmilan = haveIpmitool && tools.fenceIpmilan !== undefined;
if (!haveSim) console.warn('SKIP ipmi_sim tests: ipmi_sim (Debian openipmi) or tini is not installed');
else if (!haveIpmitool) console.warn('SKIP ipmitool cross-checks: ipmitool is not installed');
else if (!haveFenceIpmilan) console.warn('SKIP fence_ipmilan cross-checks: fence_ipmilan is not installed');

const run = (agent: FenceAgent, action: FenceAction): Promise<FenceOutcome> =>
  agent.run({ action, target: 'node1' }, { signal: new AbortController().signal });

function fast(bmc: IpmiSimBmc): IpmiFenceAgentOptions & IpmitoolFenceAgentOptions {
  return {
    ip: '127.0.0.1',
    port: bmc.port,
    username: bmc.username,
    password: bmc.password,
    timeoutMs: 1000,
    retries: 2,
    pollIntervalMs: 50,
    powerTimeoutMs: 5000,
  };
}

/** Index of the last log line matching `re` at or after `from`, or -1. */
function logIndex(log: string[], re: RegExp, from = 0): number {
  for (let i = from; i < log.length; i++) if (re.test(log[i] ?? '')) return i;
  return -1;
}

describe.skipIf(!haveSim)('IPMI fence agent against real ipmi_sim', () => {
  let bmc: IpmiSimBmc;
  beforeAll(async () => {
    bmc = await startIpmiSim();
  });
  afterAll(async () => {
    await bmc?.stop();
  });
  beforeEach(() => bmc.setPower('on'));

  const modes: Array<{ name: string; opts: Partial<IpmiFenceAgentOptions> }> = [
    { name: 'lanplus cipher suite 0', opts: { cipher: 0 } },
    { name: 'lanplus cipher suite 1', opts: { cipher: 1 } },
    { name: 'lanplus cipher suite 2', opts: { cipher: 2 } },
    { name: 'lanplus cipher suite 3', opts: { cipher: 3 } },
    { name: 'lanplus cipher suite 6 (HMAC-MD5 RAKP)', opts: { cipher: 6 } },
    { name: 'IPMI 1.5 lan, MD5', opts: { lanplus: false, authType: 'md5' } },
    { name: 'IPMI 1.5 lan, straight password', opts: { lanplus: false, authType: 'password' } },
    { name: 'IPMI 1.5 lan, auth none', opts: { lanplus: false, authType: 'none' } },
  ];

  describe.each(modes)('$name', ({ opts }) => {
    it('reads status, powers off and on, and reboots off-then-on as the simulator records', async () => {
      const agent = createIpmiFenceAgent({ ...fast(bmc), ...opts });
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });

      const off = await run(agent, 'off');
      expect(off).toMatchObject({ ok: true, power: 'off' });
      expect(bmc.power()).toBe('off');
      expect(bmc.controlLog()).toContain('set power 0');
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'off' });

      expect(await run(agent, 'on')).toMatchObject({ ok: true, power: 'on' });
      expect(bmc.power()).toBe('on');

      const before = bmc.controlLog().length;
      expect(await run(agent, 'reboot')).toMatchObject({ ok: true, power: 'on' });
      const log = bmc.controlLog();
      const offAt = logIndex(log, /^set power 0/, before);
      expect(offAt).toBeGreaterThanOrEqual(0);
      expect(logIndex(log, /^set power 1/, offAt)).toBeGreaterThan(offAt);
      expect(bmc.power()).toBe('on');
    });
  });

  it('off on an off target succeeds without a Chassis Control (idempotent)', async () => {
    bmc.setPower('off');
    const before = bmc.controlLog().length;
    const agent = createIpmiFenceAgent(fast(bmc));
    expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
    expect(
      bmc
        .controlLog()
        .slice(before)
        .filter((l) => l.startsWith('set ')),
    ).toEqual([]);
  });

  it('monitor opens a session and reads status; list reports the single plug', async () => {
    const agent = createIpmiFenceAgent({ ...fast(bmc), plug: 'node1-bmc' });
    expect(await run(agent, 'monitor')).toEqual({ ok: true });
    expect(await run(agent, 'list')).toEqual({ ok: true, ports: [{ port: 'node1-bmc' }] });
  });

  it('reboot with method cycle sends one power cycle and waits until the simulator powers on again', async () => {
    const agent = createIpmiFenceAgent({ ...fast(bmc), method: 'cycle' });
    const before = bmc.controlLog().length;
    expect(await run(agent, 'reboot')).toMatchObject({ ok: true, power: 'on' });
    const sets = bmc
      .controlLog()
      .slice(before)
      .filter((l) => l.startsWith('set '));
    expect(sets).toEqual(['set power 0', 'set power 1']);
  });

  it('a wrong password is refused (RAKP 2 HMAC check) and the password never shows', async () => {
    const secret = 'Wr0ngPassw0rd!';
    for (const opts of [{ lanplus: true }, { lanplus: false }] as const) {
      const agent = createIpmiFenceAgent({
        ...fast(bmc),
        ...opts,
        password: secret,
        timeoutMs: 200,
        retries: 0,
      });
      const out = await run(agent, 'off');
      expect(out).toMatchObject({ ok: false, reason: 'refused' });
      expect(JSON.stringify(out)).not.toContain(secret);
    }
    expect(bmc.power()).toBe('on');
  });

  it('an unknown user name is refused', async () => {
    const agent = createIpmiFenceAgent({ ...fast(bmc), username: 'nobody' });
    const out = await run(agent, 'status');
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    if (!out.ok) expect(out.detail).toMatch(/unauthorized name/);
  });

  it('a user-level account may read status but Chassis Control is refused', async () => {
    const agent = createIpmiFenceAgent({
      ...fast(bmc),
      username: 'viewer',
      password: 'viewpw',
      privilege: 'user',
    });
    expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
    expect(await run(agent, 'off')).toMatchObject({ ok: false, reason: 'refused' });
    expect(bmc.power()).toBe('on');
  });

  it('reads the password from passwordFile and passwordEnv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-ipmi-pw-'));
    try {
      writeFileSync(join(dir, 'pw'), `${bmc.password}\n`);
      const { password: _, ...rest } = fast(bmc);
      expect(await run(createIpmiFenceAgent({ ...rest, passwordFile: join(dir, 'pw') }), 'status')).toEqual({
        ok: true,
        power: 'on',
      });
      process.env.QUORATE_TEST_IPMI_PW = bmc.password;
      expect(
        await run(createIpmiFenceAgent({ ...rest, passwordEnv: 'QUORATE_TEST_IPMI_PW' }), 'status'),
      ).toEqual({
        ok: true,
        power: 'on',
      });
    } finally {
      delete process.env.QUORATE_TEST_IPMI_PW;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!haveIpmitool)(
    'real ipmitool sees what our client did, and our client sees what ipmitool did',
    async () => {
      const agent = createIpmiFenceAgent(fast(bmc));
      expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
      expect(ipmitool(bmc.port, bmc.password, ['chassis', 'power', 'status'])).toMatch(
        /Chassis Power is off/,
      );
      ipmitool(bmc.port, bmc.password, ['chassis', 'power', 'on']);
      expect(bmc.power()).toBe('on');
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
    },
  );

  it.skipIf(!haveFenceIpmilan)('real fence_ipmilan agrees with our client on the same BMC', async () => {
    const fence = (action: string) =>
      spawnSync(tools.fenceIpmilan as string, [], {
        input: `ip=127.0.0.1\nipport=${bmc.port}\nusername=${bmc.username}\npassword=${bmc.password}\nlanplus=1\ncipher=3\naction=${action}\n`,
        encoding: 'utf8',
        timeout: 20_000,
      });
    const agent = createIpmiFenceAgent(fast(bmc));
    expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
    const st = fence('status');
    expect(st.stdout).toMatch(/Status: OFF/);
    expect(st.status).toBe(2);
    const on = fence('on');
    expect(on.status).toBe(0);
    expect(bmc.power()).toBe('on');
    expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
  });

  describe.skipIf(!haveIpmitool)('ipmitool-backed agent', () => {
    it.each([
      { name: 'lanplus cipher 3', opts: { cipher: 3 } },
      { name: 'lan MD5', opts: { lanplus: false, authType: 'md5' } },
    ] as const)('status, off, on and reboot through real ipmitool ($name)', async ({ opts }) => {
      const agent = createIpmitoolFenceAgent({ ...fast(bmc), ...opts });
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
      expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
      expect(bmc.power()).toBe('off');
      expect(await run(agent, 'on')).toMatchObject({ ok: true, power: 'on' });
      const before = bmc.controlLog().length;
      expect(await run(agent, 'reboot')).toMatchObject({ ok: true, power: 'on' });
      const sets = bmc
        .controlLog()
        .slice(before)
        .filter((l) => l.startsWith('set '));
      expect(sets).toEqual(['set power 0', 'set power 1']);
    });

    it('a wrong password is refused and does not show in the outcome', async () => {
      const secret = 'N0tTheP4ss';
      const out = await run(
        createIpmitoolFenceAgent({ ...fast(bmc), password: secret, timeoutMs: 1000, retries: 1 }),
        'status',
      );
      expect(out).toMatchObject({ ok: false, reason: 'refused' });
      expect(JSON.stringify(out)).not.toContain(secret);
    });

    it('reads the password from a file with -f', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'quorate-ipmi-pw-'));
      try {
        writeFileSync(join(dir, 'pw'), `${bmc.password}\n`);
        const { password: _, ...rest } = fast(bmc);
        expect(
          await run(createIpmitoolFenceAgent({ ...rest, passwordFile: join(dir, 'pw') }), 'status'),
        ).toEqual({
          ok: true,
          power: 'on',
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe.skipIf(!haveSim)('kept session against real ipmi_sim', () => {
  it('reuses one session across runs and reopens it after the BMC restarted', async () => {
    let bmc = await startIpmiSim();
    const port = bmc.port;
    const agent = createIpmiFenceAgent({ ...fast(bmc), session: 'keep', timeoutMs: 150, retries: 1 });
    try {
      expect(await run(agent, 'status')).toEqual({ ok: true, power: 'on' });
      expect(await run(agent, 'off')).toMatchObject({ ok: true, power: 'off' });
      expect(bmc.power()).toBe('off');
      await bmc.stop();
      bmc = await startIpmiSim({ port, power: 'off' });
      // The old session is unknown to the new BMC: the agent notices and opens a new one.
      expect(await run(agent, 'on')).toMatchObject({ ok: true, power: 'on' });
      expect(bmc.power()).toBe('on');
    } finally {
      await agent.close();
      await bmc.stop();
    }
  });
});

describe.skipIf(!haveSim)('ipmi_sim harness', () => {
  it('stops the simulator by pid', async () => {
    const bmc = await startIpmiSim();
    await bmc.stop();
    const ps = spawnSync('ps', ['-o', 'pid=', '-p', String(bmc.pid)], { encoding: 'utf8' });
    expect(ps.stdout.trim()).toBe('');
  });
});
