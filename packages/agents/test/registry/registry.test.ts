import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FenceDeviceConfig, ResourceConfig } from '@quorate/core';
import { ConfigError, parseClusterConfig } from '@quorate/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createFenceAgentForDevice,
  createFenceAgentsForConfig,
  createResourceAgentForResource,
  createResourceAgentsForConfig,
} from '../../src/registry/index.js';
import { findIpmiTools, startIpmiSim } from '../helpers/ipmi-sim.js';

const PWFILE = join(mkdtempSync(join(tmpdir(), 'quorate-registry-pw-')), 'pw');
writeFileSync(PWFILE, 'secret');
afterAll(() => rmSync(join(PWFILE, '..'), { recursive: true, force: true }));
const ctx = () => ({ signal: new AbortController().signal });

function device(agent: string, params: Record<string, unknown>, name = 'dev1'): FenceDeviceConfig {
  return { name, agent, hosts: ['node1'], port: {}, delayMs: 0, params };
}
function resource(agent: string, params: Record<string, string> = {}, id = 'r1'): ResourceConfig {
  return {
    id,
    agent,
    priority: 0,
    targetRole: 'started',
    migrationThreshold: 1_000_000,
    failureTimeoutMs: 0,
    monitorIntervalMs: 10_000,
    params,
  };
}

describe('createFenceAgentForDevice: refusals', () => {
  const cases: Array<[string, FenceDeviceConfig, RegExp]> = [
    ['unknown kind', device('telnet', { ip: '127.0.0.1' }), /unknown agent kind/],
    ['sim needs a factory', device('sim', {}), /unknown agent kind/],
    ['watchdog has no agent', device('watchdog', {}), /watchdog devices need no agent/],
    ['ipmi without ip', device('ipmi', { username: 'admin' }), /needs 'ip'/],
    ['password in params', device('ipmi', { ip: '127.0.0.1', password: 'x' }), /password in the params/],
    ['passwd in params', device('exec:fence_ipmilan', { passwd: 'x' }), /password in the params/],
    ['exec with a path trick', device('exec:fence;rm', {}), /not a program name/],
    ['bad number', device('ipmi', { ip: '127.0.0.1', ipport: 'abc' }), /'ipport' must be a number/],
    ['ipmi bad cipher', device('ipmi', { ip: '127.0.0.1', cipher: 5 }), /cipher/],
    [
      'ipmi bad privilege (privlvl is read)',
      device('ipmi', { ip: '127.0.0.1', privlvl: 'root' }),
      /privilege/,
    ],
    ['ipmi bad auth type', device('ipmi', { ip: '127.0.0.1', authType: 'sha' }), /authType/],
    ['snmp without ip', device('snmp-apc', {}), /needs 'ip'/],
    [
      'exec with an object param',
      device('exec:fence_x', { a: { b: 1 } }),
      /must be a string, number or boolean/,
    ],
  ];
  it.each(cases)('%s', (_label, dev, re) => {
    let caught: unknown;
    try {
      createFenceAgentForDevice(dev);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('CONFIG_INVALID');
    expect((caught as Error).message).toMatch(re);
    expect((caught as Error).message).toContain("'dev1'");
    expect((caught as Error).message).not.toContain("'x'");
  });
});

describe('createFenceAgentForDevice: kinds', () => {
  it('builds the known kinds without touching the network', async () => {
    for (const dev of [
      device('ipmi', { ip: '127.0.0.1', ipport: 9623, username: 'admin', passwordFile: PWFILE, cipher: 3 }),
      device('snmp-ims', { ip: '127.0.0.1', snmpVersion: '3', username: 'u', passwordFile: PWFILE }),
      device('snmp-apc', { ip: '127.0.0.1', community: 'private' }),
      device('exec:fence_ipmilan', { ip: '127.0.0.1', lanplus: true, password_file: PWFILE }),
    ]) {
      const a = createFenceAgentForDevice(dev);
      expect(typeof a.run).toBe('function');
      await a.close?.();
    }
  });

  it('an exec: device sends its params on stdin, the password from its file, and never the secret names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorate-registry-exec-'));
    try {
      const dump = join(dir, 'stdin.txt');
      const script = join(dir, 'fence_dump');
      writeFileSync(
        script,
        [
          '#!/bin/sh',
          'if [ "$2" = metadata ]; then',
          '  echo \'<?xml version="1.0" ?><resource-agent name="fence_dump" shortdesc="test">\'',
          '  echo \'<parameters><parameter name="ip"><content type="string"/></parameter><parameter name="password"><content type="string"/></parameter></parameters>\'',
          '  echo \'<actions><action name="status"/><action name="off"/><action name="on"/><action name="metadata"/></actions></resource-agent>\'',
          '  exit 0',
          'fi',
          `cat > ${dump}`,
          'exit 0',
          '',
        ].join('\n'),
      );
      chmodSync(script, 0o755);
      const a = createFenceAgentForDevice(
        device(`exec:${script}`, {
          ip: '192.0.2.1',
          lanplus: true,
          cipher: 3,
          password_file: PWFILE,
          timeoutMs: 5000,
        }),
      );
      const out = await a.run({ action: 'status', target: 'node1', port: '7' }, ctx());
      expect(out, JSON.stringify(out)).toMatchObject({ ok: true, power: 'on' });
      const lines = readFileSync(dump, 'utf8').split('\n');
      expect(lines).toContain('ip=192.0.2.1');
      expect(lines).toContain('action=status');
      expect(lines).toContain('password=secret');
      expect(lines.some((l) => l.startsWith('password_file=') || l.startsWith('timeoutMs='))).toBe(false);
      expect(JSON.stringify(out)).not.toContain('secret');
      await a.close?.();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('manual devices refuse power actions so a confirmation is needed', async () => {
    const a = createFenceAgentForDevice(device('manual', {}));
    const off = await a.run({ action: 'off', target: 'node1' }, ctx());
    expect(off).toMatchObject({ ok: false, reason: 'refused' });
    expect(await a.run({ action: 'monitor', target: 'node1' }, ctx())).toMatchObject({ ok: true });
  });

  it('host factories take precedence over built-in kinds', async () => {
    const a = createFenceAgentForDevice(device('ipmi', { ip: 'x' }), {
      factories: { ipmi: (d) => ({ run: async () => ({ ok: true, power: 'off', detail: d.name }) }) },
    });
    expect(await a.run({ action: 'off', target: 'node1' }, ctx())).toEqual({
      ok: true,
      power: 'off',
      detail: 'dev1',
    });
  });

  const tools = findIpmiTools();
  const reason = !tools.ipmiSim || !tools.tini ? 'ipmi_sim or tini not installed' : undefined;
  it.skipIf(reason !== undefined)(
    `an ipmi device from the config fences a real ipmi_sim${reason ? ` (skipped: ${reason})` : ''}`,
    async () => {
      const bmc = await startIpmiSim();
      process.env.QUORATE_REGISTRY_TEST_PW = bmc.password;
      try {
        const a = createFenceAgentForDevice(
          device('ipmi', {
            ip: '127.0.0.1',
            ipport: bmc.port,
            username: 'admin',
            passwordEnv: 'QUORATE_REGISTRY_TEST_PW',
          }),
        );
        expect(await a.run({ action: 'status', target: 'node1' }, ctx())).toMatchObject({
          ok: true,
          power: 'on',
        });
        expect(await a.run({ action: 'off', target: 'node1' }, ctx())).toMatchObject({
          ok: true,
          power: 'off',
        });
        expect(bmc.power()).toBe('off');
        expect(bmc.controlLog()).toContain('set power 0');
        await a.close?.();
      } finally {
        delete process.env.QUORATE_REGISTRY_TEST_PW;
        await bmc.stop();
      }
    },
  );
});

describe('createResourceAgentForResource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quorate-registry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const refusals: Array<[string, ResourceConfig, RegExp]> = [
    ['sim without a function', resource('sim'), /no such agent/],
    ['lsb', resource('lsb:apache'), /no such agent/],
    ['ocf with two parts', resource('ocf:Dummy'), /ocf:<provider>:<type>/],
    ['ocf bad param name', resource('ocf:heartbeat:Dummy', { 'bad-name': 'x' }), /.+/],
  ];
  it.each(refusals)('refuses %s', (_l, r, re) => {
    expect(() => createResourceAgentForResource(r)).toThrow(ConfigError);
    expect(() => createResourceAgentForResource(r)).toThrow(re);
  });

  it.skipIf(!require_ocf())('ocf:heartbeat:Dummy runs the real script with per-node params', async () => {
    const state = join(dir, 'r1.state');
    const a = createResourceAgentForResource(resource('ocf:heartbeat:Dummy'), {
      ocfParams: { r1: { state } },
    });
    const req = { resource: 'r1', params: {} };
    expect(await a.run({ ...req, action: 'monitor' }, ctx())).toMatchObject({ ok: true, running: false });
    expect(await a.run({ ...req, action: 'start' }, ctx())).toMatchObject({ ok: true, running: true });
    expect(await a.run({ ...req, action: 'monitor' }, ctx())).toMatchObject({ ok: true, running: true });
    expect(await a.run({ ...req, action: 'stop' }, ctx())).toMatchObject({ ok: true, running: false });
    await a.close?.();
  });

  it('a name maps to a host function; the id is the fallback', async () => {
    const running = new Set<string>();
    const handlers = {
      start: ({ resource: r }: { resource: string }) => void running.add(r),
      stop: ({ resource: r }: { resource: string }) => void running.delete(r),
      monitor: ({ resource: r }: { resource: string }) => running.has(r),
    };
    const byName = createResourceAgentForResource(resource('myapp'), { functions: { myapp: handlers } });
    expect(await byName.run({ action: 'start', resource: 'r1', params: {} }, ctx())).toEqual({
      ok: true,
      running: true,
    });
    expect(running.has('r1')).toBe(true);
    const byId = createResourceAgentForResource(resource('sim', {}, 'vm7'), { functions: { vm7: handlers } });
    expect(await byId.run({ action: 'monitor', resource: 'vm7', params: {} }, ctx())).toEqual({
      ok: true,
      running: false,
    });
  });

  it('builds every agent of a parsed configuration', () => {
    const cfg = parseClusterConfig({
      name: 'c',
      configVersion: 1,
      nodes: [
        { name: 'node1', id: 1 },
        { name: 'node2', id: 2 },
      ],
      fencing: {
        devices: [
          {
            name: 'ipmi1',
            agent: 'ipmi',
            hosts: ['node1'],
            params: { ip: '127.0.0.1', passwordFile: PWFILE },
          },
          { name: 'man', agent: 'manual', hosts: ['node2'] },
          { name: 'wd', agent: 'watchdog', params: { timeout: '5s' } },
        ],
      },
      resources: [
        { id: 'd1', agent: 'ocf:heartbeat:Dummy' },
        { id: 'f1', agent: 'app' },
      ],
    });
    const fence = createFenceAgentsForConfig(cfg);
    expect(Object.keys(fence).sort()).toEqual(['ipmi1', 'man']);
    const res = createResourceAgentsForConfig(cfg, {
      functions: { app: { start() {}, stop() {}, monitor: () => false } },
    });
    expect(Object.keys(res).sort()).toEqual(['d1', 'f1']);
  });
});

function require_ocf(): boolean {
  try {
    return existsSync('/usr/lib/ocf/resource.d/heartbeat/Dummy');
  } catch {
    return false;
  }
}
