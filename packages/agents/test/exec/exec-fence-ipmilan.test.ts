/**
 * The exec fence agent running the REAL fence_ipmilan (which runs ipmitool) against a real BMC
 * simulator (OpenIPMI ipmi_sim) on loopback. Assertions read the simulated chassis power file.
 * Skips when ipmi_sim, ipmitool or fence_ipmilan is missing.
 */

import type { FenceRequest } from '@quorate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecFenceAgent } from '../../src/exec/index.js';
import { type ExecIpmiSim, haveIpmiTools, startExecIpmiSim } from '../helpers/exec-ipmi-sim.js';

if (!haveIpmiTools)
  console.warn('skipping fence_ipmilan exec checks: ipmi_sim, ipmitool or fence_ipmilan missing');
const ctx = () => ({ signal: new AbortController().signal });
const req = (action: FenceRequest['action']): FenceRequest => ({ action, target: 'node1' }) as FenceRequest;

describe.skipIf(!haveIpmiTools)('fence_ipmilan through the exec agent', () => {
  let bmc: ExecIpmiSim;
  beforeAll(async () => {
    bmc = await startExecIpmiSim();
  });
  afterAll(async () => {
    await bmc?.close();
  });
  // power_wait=0: fence_ipmilan otherwise sleeps 2 s after each on/off before it checks.
  const params = () => ({
    ip: '127.0.0.1',
    ipport: bmc.port,
    username: bmc.user,
    lanplus: true,
    cipher: 3,
    power_wait: 0,
  });

  it('reads status, powers off and on, confirmed by the simulated chassis', async () => {
    process.env.QUORATE_TEST_IPMI_PASS = bmc.password;
    const agent = createExecFenceAgent({
      command: 'fence_ipmilan',
      params: params(),
      passwordEnv: 'QUORATE_TEST_IPMI_PASS',
      timeoutMs: 20_000,
    });
    expect(await agent.run(req('status'), ctx())).toEqual({ ok: true, power: 'on' });
    expect(await agent.run(req('off'), ctx())).toEqual({ ok: true, power: 'off' });
    expect(bmc.power()).toBe('off');
    expect(await agent.run(req('status'), ctx())).toEqual({ ok: true, power: 'off' });
    expect(await agent.run(req('on'), ctx())).toEqual({ ok: true, power: 'on' });
    expect(bmc.power()).toBe('on');
    expect(await agent.run(req('monitor'), ctx())).toEqual({ ok: true });
    expect(bmc.log()).toEqual(expect.arrayContaining(['set power 0', 'set power 1']));
  });

  it('a wrong password fails without leaking it, and list is refused from metadata', async () => {
    const agent = createExecFenceAgent({
      command: 'fence_ipmilan',
      params: params(),
      password: 'not-the-password',
      timeoutMs: 20_000,
    });
    const out = await agent.run(req('status'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'agent-error' });
    expect(!out.ok && out.detail).toMatch(/Unable to obtain correct plug status/);
    expect(JSON.stringify(out)).not.toContain('not-the-password');
    expect(await agent.run(req('list'), ctx())).toMatchObject({
      ok: false,
      reason: 'agent-error',
      detail: expect.stringMatching(/does not support 'list'/),
    });
    expect(bmc.power()).toBe('on');
  });
});
