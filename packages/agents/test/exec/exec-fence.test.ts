/**
 * The exec fence agent against small fake fence agents (sh scripts in a temp dir) that hang, print
 * garbage, contradict themselves, lack metadata, or are missing/not executable.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FenceRequest } from '@quorate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecFenceAgent, parseFenceAgentMetadata } from '../../src/exec/index.js';
import { type FakeAgents, writeFakeAgents } from '../helpers/exec-fake-agents.js';

const ctx = () => ({ signal: new AbortController().signal });
const req = (action: FenceRequest['action'], port?: string): FenceRequest =>
  (port === undefined ? { action, target: 'node1' } : { action, target: 'node1', port }) as FenceRequest;

let fake: FakeAgents;
beforeAll(() => {
  fake = writeFakeAgents();
});
afterAll(() => fake?.close());

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('a well-behaved fence agent over the stdin protocol', () => {
  it('reads status, switches off and on, lists, monitors; the password travels on stdin only', async () => {
    const agent = createExecFenceAgent({
      command: fake.path('fence_fake'),
      params: { statefile: `${fake.dir}/power`, verbose: false },
      password: 'right-pass',
    });
    expect(await agent.run(req('status', '2'), ctx())).toEqual({ ok: true, power: 'on' });
    expect(await agent.run(req('off', '2'), ctx())).toEqual({ ok: true, power: 'off' });
    expect(readFileSync(`${fake.dir}/power.2`, 'utf8').trim()).toBe('off');
    expect(await agent.run(req('status', '2'), ctx())).toEqual({ ok: true, power: 'off' });
    expect(await agent.run(req('on', '2'), ctx())).toEqual({ ok: true, power: 'on' });
    expect(await agent.run(req('list'), ctx())).toEqual({
      ok: true,
      ports: [{ port: '1', name: 'node1' }, { port: '2', name: 'node2' }, { port: '3' }],
    });
    expect(await agent.run(req('monitor'), ctx())).toEqual({ ok: true });
    expect(readFileSync(`${fake.dir}/fence_fake.argv`, 'utf8').trim()).toBe('argv:');
    const stdin = readFileSync(`${fake.dir}/fence_fake.stdin`, 'utf8');
    expect(stdin).toContain('password=right-pass');
    expect(stdin).toContain('verbose=0');
    expect(stdin).toContain('action=monitor');
  });

  it('uses the target as plug when the agent requires a plug and none is given', async () => {
    const agent = createExecFenceAgent({
      command: fake.path('fence_fake'),
      params: { statefile: `${fake.dir}/power` },
      password: 'right-pass',
    });
    expect(await agent.run(req('off'), ctx())).toEqual({ ok: true, power: 'off' });
    expect(readFileSync(`${fake.dir}/power.node1`, 'utf8').trim()).toBe('off');
  });

  it('reports a login failure as refused', async () => {
    const agent = createExecFenceAgent({
      command: fake.path('fence_fake'),
      params: { statefile: `${fake.dir}/power` },
      password: 'wrong-pass',
    });
    const out = await agent.run(req('status', '1'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    expect(!out.ok && out.detail).toMatch(/Unable to connect\/login/);
  });

  it('exposes the parsed metadata', async () => {
    const agent = createExecFenceAgent({ command: fake.path('fence_fake') });
    const md = await agent.metadata(ctx());
    expect(md.ok && md.metadata.actions).toEqual([
      'on',
      'off',
      'reboot',
      'status',
      'list',
      'monitor',
      'metadata',
    ]);
    expect(md.ok && md.metadata.parameters.find((p) => p.name === 'plug')).toMatchObject({
      required: true,
      obsoletes: 'port',
    });
  });
});

describe('misbehaving programs give clear failures', () => {
  const CASES: Array<{
    name: string;
    agent: string;
    action: FenceRequest['action'];
    reason: string;
    detail: RegExp;
  }> = [
    {
      name: 'garbage and an unknown exit code on status',
      agent: 'fence_garbage',
      action: 'status',
      reason: 'agent-error',
      detail: /'fence_garbage' 'status' failed \(exit 7\): ¿¿ garbage/,
    },
    {
      name: 'garbage lines from list',
      agent: 'fence_garbage',
      action: 'list',
      reason: 'agent-error',
      detail: /printed lines that are not 'plug,alias': lorem ipsum/,
    },
    {
      name: 'exit 0 while printing Status: OFF',
      agent: 'fence_liar',
      action: 'status',
      reason: 'agent-error',
      detail: /exited 0 \(on\) but printed 'Status: OFF'/,
    },
    {
      name: 'metadata that is not XML',
      agent: 'fence_badmeta',
      action: 'status',
      reason: 'agent-error',
      detail: /-o metadata' gave unusable output/,
    },
    {
      name: 'an action the metadata does not list',
      agent: 'fence_nolist',
      action: 'list',
      reason: 'agent-error',
      detail: /does not support 'list' \(its metadata lists on, off, status, metadata\)/,
    },
    {
      name: 'a missing program',
      agent: 'fence_does_not_exist',
      action: 'status',
      reason: 'agent-error',
      detail: /program not found/,
    },
    {
      name: 'a program that is not executable',
      agent: 'fence_noexec',
      action: 'status',
      reason: 'agent-error',
      detail: /program not executable/,
    },
  ];
  it.concurrent.each(CASES)('$name', async ({ agent, action, reason, detail }) => {
    const a = createExecFenceAgent({ command: fake.path(agent), password: 'pw-secret-1' });
    const out = await a.run(req(action, '1'), ctx());
    expect(out).toMatchObject({ ok: false, reason });
    expect(!out.ok && out.detail).toMatch(detail);
  });

  it('redacts the password from what the program printed', async () => {
    const a = createExecFenceAgent({ command: fake.path('fence_leaky'), password: 'pw-secret-1' });
    const out = await a.run(req('off', '1'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    expect(JSON.stringify(out)).not.toContain('pw-secret-1');
    expect(!out.ok && out.detail).toContain('password ***');
  });

  it('kills the whole process group of a hanging agent at the time limit', async () => {
    const a = createExecFenceAgent({ command: fake.path('fence_hang'), timeoutMs: 300 });
    const out = await a.run(req('off', '1'), ctx());
    expect(out).toMatchObject({ ok: false, reason: 'timeout' });
    expect(!out.ok && out.detail).toMatch(/did not finish within 300ms and was killed/);
    const child = Number(readFileSync(`${fake.dir}/fence_hang.child`, 'utf8'));
    // The grandchild `sleep 30` died with the group (allow the kernel a moment to reap).
    for (let i = 0; i < 50 && isAlive(child); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isAlive(child)).toBe(false);
  });

  it('aborting kills the hanging agent and reports aborted', async () => {
    const a = createExecFenceAgent({ command: fake.path('fence_hang'), timeoutMs: 30_000 });
    await a.metadata(ctx());
    const ac = new AbortController();
    const pending = a.run(req('off', '1'), { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });

  it('refuses parameters with line breaks (no stdin injection) at creation', () => {
    expect(() => createExecFenceAgent({ command: 'fence_x', params: { ip: 'a\naction=off' } })).toThrow(
      /line break/,
    );
    expect(() => createExecFenceAgent({ command: 'fence_x', password: 'a\nb' })).toThrow(/line break/);
  });
});

describe('metadata of the installed fence agents', () => {
  it.skipIf(!existsSync('/usr/sbin/fence_ipmilan'))('parses fence_ipmilan -o metadata', async () => {
    const md = await createExecFenceAgent({ command: 'fence_ipmilan' }).metadata(ctx());
    expect(md.ok).toBe(true);
    if (!md.ok) return;
    expect(md.metadata.name).toBe('fence_ipmilan');
    expect(md.metadata.actions).toEqual(expect.arrayContaining(['on', 'off', 'reboot', 'status', 'monitor']));
    expect(md.metadata.actions).not.toContain('list');
    expect(md.metadata.parameters.find((p) => p.name === 'lanplus')).toMatchObject({
      type: 'boolean',
      default: '0',
    });
    expect(md.metadata.parameters.find((p) => p.name === 'auth')?.options).toEqual([
      'md5',
      'password',
      'none',
    ]);
  });

  it('rejects a document without actions', () => {
    expect(() => parseFenceAgentMetadata('<resource-agent name="x"><parameters/></resource-agent>')).toThrow(
      /no <actions>/,
    );
    expect(() => parseFenceAgentMetadata('hello')).toThrow(/resource-agent/);
  });
});
