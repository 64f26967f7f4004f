/**
 * A second, independent SNMP peer: Debian's real `snmpd` (Net-SNMP), for plain v1/v2c reads by our
 * agents (monitor reads sysDescr; status reads a blade cell pinned with `override`). Skips when
 * snmpd is missing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImsFenceAgent } from '../../src/snmp/index.js';
import { freeUdpPort } from '../helpers/snmp-sim.js';

const SNMPD = '/usr/sbin/snmpd';
const have = existsSync(SNMPD);
if (!have) console.warn(`skipping snmpd peer checks: ${SNMPD} missing`);
const ctx = () => ({ signal: new AbortController().signal });

describe.skipIf(!have)('our agents against Debian snmpd', () => {
  let child: ChildProcess | undefined;
  let dir = '';
  let port = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'quorate-snmpd-'));
    port = await freeUdpPort();
    writeFileSync(
      join(dir, 'snmpd.conf'),
      [
        `agentAddress udp:127.0.0.1:${port}`,
        'rocommunity quoratero 127.0.0.1',
        'sysDescr quorate snmpd peer',
        'override .1.3.6.1.4.1.343.2.19.1.2.10.202.1.1.6.1 integer 2',
        'override .1.3.6.1.4.1.343.2.19.1.2.10.202.1.1.6.2 integer 0',
        '',
      ].join('\n'),
    );
    // -m '': load no MIBs (Debian ships none; without it snmpd spends ~25 s failing to load them).
    child = spawn(
      SNMPD,
      ['-f', '-Lo', '-C', '-m', '', '-c', join(dir, 'snmpd.conf'), `--persistentDir=${join(dir, 'persist')}`],
      {
        stdio: 'ignore',
        env: { PATH: '/usr/sbin:/usr/bin:/bin', MIBS: '' },
      },
    );
    // Ready when it answers (bounded).
    const probe = createImsFenceAgent({
      ip: '127.0.0.1',
      ipport: port,
      snmpVersion: '2c',
      community: 'quoratero',
      timeoutMs: 100,
      retries: 0,
    });
    for (let i = 0; i < 50; i++) {
      if ((await probe.run({ action: 'monitor', target: 'x' } as never, ctx())).ok) return;
    }
    throw new Error('snmpd did not answer within 5 s');
  });
  afterAll(async () => {
    // snmpd writes its persistent state while it exits: wait for the exit (bounded) before removing
    // its directory, or the removal races those writes.
    const c = child;
    if (c?.pid && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  });

  it.each([{ version: '1' as const }, { version: '2c' as const }])(
    'monitor reads sysDescr over v$version',
    async ({ version }) => {
      const agent = createImsFenceAgent({
        ip: '127.0.0.1',
        ipport: port,
        snmpVersion: version,
        community: 'quoratero',
      });
      expect(await agent.run({ action: 'monitor', target: 'x' } as never, ctx())).toEqual({
        ok: true,
        detail: 'device answers: quorate snmpd peer',
      });
    },
  );

  it('status reads the blade cells snmpd serves', async () => {
    const agent = createImsFenceAgent({
      ip: '127.0.0.1',
      ipport: port,
      snmpVersion: '2c',
      community: 'quoratero',
    });
    expect(await agent.run({ action: 'status', target: 'x', port: '1' } as never, ctx())).toEqual({
      ok: true,
      power: 'on',
    });
    expect(await agent.run({ action: 'status', target: 'x', port: '2' } as never, ctx())).toEqual({
      ok: true,
      power: 'off',
    });
  });

  it('a read-only community cannot switch a blade: the SET is refused', async () => {
    const agent = createImsFenceAgent({
      ip: '127.0.0.1',
      ipport: port,
      snmpVersion: '2c',
      community: 'quoratero',
      timeoutMs: 200,
      retries: 0,
      powerTimeoutMs: 200,
    });
    const out = await agent.run({ action: 'off', target: 'x', port: '1' } as never, ctx());
    expect(out).toMatchObject({ ok: false, reason: 'refused' });
    expect(!out.ok && out.detail).toMatch(/refused: NoAccess/);
  });
});
