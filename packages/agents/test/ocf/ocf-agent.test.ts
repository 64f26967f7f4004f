/**
 * The OCF resource agent adapter against Debian's real agents: ocf:heartbeat:Dummy and
 * ocf:pacemaker:Dummy (fault injection: op_sleep, fail_start_on, OCF_CHECK_LEVEL=40 returns any
 * exit code written to its state file). State files live in a temp dir. Skips when absent.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceRequest } from '@quorate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOcfResourceAgent, parseOcfDuration } from '../../src/ocf/index.js';

const HB = '/usr/lib/ocf/resource.d/heartbeat/Dummy';
const PCMK = '/usr/lib/ocf/resource.d/pacemaker/Dummy';
const haveHb = existsSync(HB);
const havePcmk = existsSync(PCMK);
if (!haveHb || !havePcmk)
  console.warn(
    `skipping some OCF checks: ${HB} or ${PCMK} missing (resource-agents, pacemaker-resource-agents)`,
  );

const ctx = () => ({ signal: new AbortController().signal });
const req = (
  action: string,
  resource: string,
  params: Record<string, string> = {},
  meta?: Record<string, string>,
): ResourceRequest => ({ action, resource, params, ...(meta ? { meta } : {}) }) as ResourceRequest;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'quorate-ocf-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pids of live processes whose environment names this resource instance. */
function processesOf(instance: string): number[] {
  const found: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const env = readFileSync(`/proc/${p}/environ`, 'utf8');
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (env.split('\0').includes(`OCF_RESOURCE_INSTANCE=${instance}`) && !/^\d+ \(.*\) Z/.test(stat))
        found.push(Number(p));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe.skipIf(!haveHb)('ocf:heartbeat:Dummy', () => {
  it('starts, monitors, stops, and probes as Pacemaker would', async () => {
    const state = join(dir, 'hb1.state');
    const ra = createOcfResourceAgent({ provider: 'heartbeat', type: 'Dummy', params: { state } });
    expect(await ra.run(req('monitor', 'hb1'), ctx())).toEqual({ ok: true, running: false });
    expect(await ra.run(req('start', 'hb1'), ctx())).toEqual({ ok: true, running: true });
    expect(existsSync(state)).toBe(true);
    expect(await ra.run(req('start', 'hb1'), ctx())).toEqual({ ok: true, running: true });
    expect(await ra.run(req('monitor', 'hb1'), ctx())).toEqual({ ok: true, running: true });
    expect(await ra.run(req('stop', 'hb1'), ctx())).toEqual({ ok: true, running: false });
    expect(existsSync(state)).toBe(false);
    expect(await ra.run(req('stop', 'hb1'), ctx())).toEqual({ ok: true, running: false });
    // A recurring monitor (interval set) gets the agent's exit reason.
    expect(await ra.run(req('monitor', 'hb1', {}, { interval: '10000' }), ctx())).toEqual({
      ok: true,
      running: false,
      detail: 'No process state file found',
    });
    expect(await ra.run(req('validate-all', 'hb1'), ctx())).toMatchObject({ ok: true });
    expect(await ra.run(req('bogus', 'hb1'), ctx())).toMatchObject({
      ok: false,
      reason: 'unimplemented',
      exitCode: 3,
    });
  });

  it('parses meta-data: parameters and actions with timeouts in ms', async () => {
    const ra = createOcfResourceAgent({ provider: 'heartbeat', type: 'Dummy' });
    const md = await ra.metadata(ctx());
    expect(md.ok).toBe(true);
    if (!md.ok) return;
    expect(md.metadata.name).toBe('Dummy');
    expect(md.metadata.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['state', 'fake']));
    expect(md.metadata.actions.find((a) => a.name === 'start')).toEqual({ name: 'start', timeoutMs: 20_000 });
    expect(md.metadata.actions.find((a) => a.name === 'monitor')).toMatchObject({
      timeoutMs: 20_000,
      intervalMs: 10_000,
      depth: 0,
    });
  });
});

describe.skipIf(!havePcmk)('ocf:pacemaker:Dummy fault injection', () => {
  // OCF_CHECK_LEVEL=40: monitor returns the number written in the state file.
  const CODES: Array<{ rc: number; outcome: Record<string, unknown> }> = [
    { rc: 1, outcome: { ok: false, reason: 'failed', exitCode: 1 } },
    { rc: 2, outcome: { ok: false, reason: 'args', exitCode: 2 } },
    { rc: 3, outcome: { ok: false, reason: 'unimplemented', exitCode: 3 } },
    { rc: 4, outcome: { ok: false, reason: 'perm', exitCode: 4 } },
    { rc: 5, outcome: { ok: false, reason: 'not-installed', exitCode: 5 } },
    { rc: 6, outcome: { ok: false, reason: 'not-configured', exitCode: 6 } },
    { rc: 7, outcome: { ok: true, running: false } },
    { rc: 8, outcome: { ok: true, running: true, detail: 'running promoted' } },
    { rc: 9, outcome: { ok: false, reason: 'failed', exitCode: 9 } },
    { rc: 42, outcome: { ok: false, reason: 'agent-error', exitCode: 42 } },
  ];
  it.concurrent.each(CODES)('monitor exit code $rc maps to its outcome', async ({ rc, outcome }) => {
    const state = join(dir, `rc${rc}.state`);
    writeFileSync(state, `${rc}\n`);
    const ra = createOcfResourceAgent({ provider: 'pacemaker', type: 'Dummy', params: { state } });
    const out = await ra.run(req('monitor', `rc${rc}`, {}, { depth: '40', interval: '10000' }), ctx());
    expect(out).toMatchObject(outcome);
    if (!out.ok) expect(out.detail).toMatch(new RegExp(`returned ${rc} .*CPU ejected`));
  });

  it('kills the whole process group at the time limit (op_sleep)', async () => {
    const state = join(dir, 'slow.state');
    const ra = createOcfResourceAgent({
      provider: 'pacemaker',
      type: 'Dummy',
      params: { state, op_sleep: '10' },
      timeouts: { start: 400 },
    });
    const out = await ra.run(req('start', 'slow-unique-1'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    expect(!out.ok && out.detail).toMatch(/did not finish within 400ms; its process group was killed/);
    // The `sleep 10` inside the agent died with the group.
    for (let i = 0; i < 50 && processesOf('slow-unique-1').length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(processesOf('slow-unique-1')).toEqual([]);
  });

  it('takes the time limit from meta.timeout and passes it as OCF_RESKEY_CRM_meta_timeout', async () => {
    const state = join(dir, 'env.state');
    const envfile = join(dir, 'env.txt');
    const ra = createOcfResourceAgent({ provider: 'pacemaker', type: 'Dummy', params: { state, envfile } });
    expect(await ra.run(req('start', 'envcheck', { fake: 'x1' }, { timeout: '15000' }), ctx())).toEqual({
      ok: true,
      running: true,
    });
    const env = readFileSync(envfile, 'utf8');
    for (const line of [
      'OCF_RESKEY_CRM_meta_timeout=15000',
      'OCF_RESOURCE_INSTANCE=envcheck',
      'OCF_RESKEY_fake=x1',
      `OCF_RESKEY_state=${state}`,
      'OCF_ROOT=/usr/lib/ocf',
      'OCF_RESOURCE_PROVIDER=pacemaker',
    ]) {
      expect(env).toContain(line);
    }
  });

  it('aborting kills the agent and reports aborted', async () => {
    const ra = createOcfResourceAgent({
      provider: 'pacemaker',
      type: 'Dummy',
      params: { state: join(dir, 'ab.state'), op_sleep: '10' },
    });
    const ac = new AbortController();
    const pending = ra.run(req('start', 'abort-unique-1'), { signal: ac.signal });
    setTimeout(() => ac.abort(), 150);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('fail_start_on this host makes start fail with OCF_ERR_GENERIC', async () => {
    const ra = createOcfResourceAgent({
      provider: 'pacemaker',
      type: 'Dummy',
      params: { state: join(dir, 'fs.state'), fail_start_on: hostname() },
    });
    expect(await ra.run(req('start', 'failstart'), ctx())).toMatchObject({
      ok: false,
      reason: 'failed',
      exitCode: 1,
    });
  });
});

describe('scripts that are missing or not executable', () => {
  it('a missing agent is not-installed, without running anything', async () => {
    const ra = createOcfResourceAgent({ provider: 'heartbeat', type: 'NoSuchAgent' });
    expect(await ra.run(req('start', 'x'), ctx())).toMatchObject({
      ok: false,
      reason: 'not-installed',
      exitCode: 5,
    });
  });

  it('a non-executable agent is perm', async () => {
    const root = join(dir, 'root');
    mkdirSync(join(root, 'resource.d', 'acme'), { recursive: true });
    writeFileSync(join(root, 'resource.d', 'acme', 'Thing'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(root, 'resource.d', 'acme', 'Thing'), 0o644);
    const ra = createOcfResourceAgent({ provider: 'acme', type: 'Thing', root });
    expect(await ra.run(req('start', 'x'), ctx())).toMatchObject({ ok: false, reason: 'perm', exitCode: 4 });
  });

  it('rejects provider or type names that would leave resource.d', () => {
    expect(() => createOcfResourceAgent({ provider: '..', type: 'Dummy' })).toThrow();
    expect(() => createOcfResourceAgent({ provider: 'heartbeat', type: '../../x' })).toThrow();
  });
});

describe('OCF durations', () => {
  it.each([
    ['20s', 20_000],
    ['5min', 300_000],
    ['100ms', 100],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['soon', undefined],
  ])('%s is %s ms', (text, ms) => {
    expect(parseOcfDuration(text)).toBe(ms);
  });
});
