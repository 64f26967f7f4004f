/** The in-process function resource agent. */

import type { ResourceRequest } from '@quorate/core';
import { describe, expect, it } from 'vitest';
import { createFunctionResourceAgent } from '../../src/function/index.js';

const ctx = () => ({ signal: new AbortController().signal });
const req = (action: string, params: Record<string, string> = {}): ResourceRequest =>
  ({ action, resource: 'svc1', params }) as ResourceRequest;

describe('createFunctionResourceAgent', () => {
  it('runs start, monitor and stop against host state', async () => {
    const running = new Set<string>();
    const seen: string[] = [];
    const agent = createFunctionResourceAgent({
      start: ({ resource, params }) => {
        seen.push(`start ${params.port}`);
        running.add(resource);
      },
      stop: async ({ resource }) => {
        running.delete(resource);
      },
      monitor: ({ resource }) => running.has(resource),
    });
    expect(await agent.run(req('monitor'), ctx())).toEqual({ ok: true, running: false });
    expect(await agent.run(req('start', { port: '8080' }), ctx())).toEqual({ ok: true, running: true });
    expect(await agent.run(req('monitor'), ctx())).toEqual({ ok: true, running: true });
    expect(await agent.run(req('stop'), ctx())).toEqual({ ok: true, running: false });
    expect(await agent.run(req('monitor'), ctx())).toEqual({ ok: true, running: false });
    expect(seen).toEqual(['start 8080']);
  });

  it('turns a thrown error into a failed outcome, keeping an OCF reason it carries', async () => {
    const agent = createFunctionResourceAgent({
      start: () => {
        throw new Error('port 8080 in use');
      },
      stop: () => {
        throw Object.assign(new Error('no config file'), { reason: 'not-configured' });
      },
      monitor: () => Promise.reject(new Error('probe crashed')),
    });
    expect(await agent.run(req('start'), ctx())).toEqual({
      ok: false,
      reason: 'failed',
      detail: "'start' of 'svc1' failed: port 8080 in use",
    });
    expect(await agent.run(req('stop'), ctx())).toMatchObject({ ok: false, reason: 'not-configured' });
    expect(await agent.run(req('monitor'), ctx())).toMatchObject({ ok: false, reason: 'failed' });
    expect(await agent.run(req('meta-data'), ctx())).toMatchObject({ ok: false, reason: 'unimplemented' });
    expect(await agent.run(req('validate-all'), ctx())).toEqual({ ok: true, running: false });
  });

  it('returns aborted at once even when the function ignores its signal', async () => {
    const agent = createFunctionResourceAgent({
      start: () => new Promise<void>(() => {}),
      stop: () => {},
      monitor: () => true,
    });
    const ac = new AbortController();
    const pending = agent.run(req('start'), { signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });
});
