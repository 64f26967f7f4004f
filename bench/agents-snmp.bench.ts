/**
 * SNMP fencing speed: median time of `status` and `reboot` (off, confirm off, on) on one blade of
 * the simulated Intel Modular Server chassis (net-snmp Agent, in this process), through our IMS
 * agent (npm net-snmp client, SNMPv3 authNoPriv/SHA; also v2c) and through the real
 * fence_intelmodular (Python + one snmpget/snmpset process per SNMP request, same v3 user, stdin
 * protocol), in one run. Prints a table with the ratio real / ours.
 *
 * Run: node --conditions=@quorate/source --import tsx bench/agents-snmp.bench.ts
 * Env: QUORATE_BENCH_QUICK=1 for fewer iterations.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { FenceAction, FenceAgent } from '@quorate/core';
import { createImsFenceAgent } from '../packages/agents/src/snmp/index.js';
import { startSnmpSim } from '../packages/agents/test/helpers/snmp-sim.js';

const quick = process.env.QUORATE_BENCH_QUICK === '1';
const N_STATUS = quick ? 5 : 30;
const N_REBOOT = quick ? 3 : 15;
const IMS = '/usr/sbin/fence_intelmodular';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

async function time(n: number, fn: () => Promise<void>): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function ours(agent: FenceAgent, action: FenceAction, plug: string): Promise<void> {
  const r = await agent.run({ action, target: 'blade', port: plug } as never, {
    signal: new AbortController().signal,
  });
  if (!r.ok || (action === 'reboot' && r.power !== 'on'))
    throw new Error(`ours ${action}: ${JSON.stringify(r)}`);
}

function real(port: number, action: string, plug: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(IMS, [], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ok = action === 'status' ? code === 0 : code === 0 && /Success/.test(out);
      if (ok) resolve();
      else reject(new Error(`fence_intelmodular ${action} exited ${code}: ${out}`));
    });
    child.stdin.end(
      [
        'ip=127.0.0.1',
        `ipport=${port}`,
        'login=benchuser',
        'passwd=bench-pass-1',
        'snmp_auth_prot=SHA',
        'snmp_sec_level=authNoPriv',
        'snmp_version=3',
        `port=${plug}`,
        `action=${action}`,
        '',
      ].join('\n'),
    );
  });
}

const sim = await startSnmpSim({
  plugs: 4,
  users: [{ name: 'benchuser', authProtocol: 'sha', authKey: 'bench-pass-1' }],
});
try {
  const v3 = createImsFenceAgent({
    ip: '127.0.0.1',
    ipport: sim.port,
    username: 'benchuser',
    password: 'bench-pass-1',
    authProtocol: 'SHA',
    powerPollMs: 50,
  });
  const v2c = createImsFenceAgent({
    ip: '127.0.0.1',
    ipport: sim.port,
    snmpVersion: '2c',
    community: 'private',
    powerPollMs: 50,
  });
  const rows: Array<{ what: string; action: string; ms: number; n: number }> = [];
  for (const [action, n] of [
    ['status', N_STATUS],
    ['reboot', N_REBOOT],
  ] as const) {
    rows.push({
      what: 'ours v3 SHA (net-snmp)',
      action,
      n,
      ms: median(await time(n, () => ours(v3, action, '1'))),
    });
    rows.push({
      what: 'ours v2c (net-snmp)',
      action,
      n,
      ms: median(await time(n, () => ours(v2c, action, '2'))),
    });
    if (existsSync(IMS)) {
      rows.push({
        what: 'fence_intelmodular v3 SHA',
        action,
        n,
        ms: median(await time(n, () => real(sim.port, action, '3'))),
      });
    }
  }
  const reboots = sim.events.filter((e) => e.plug === 1).length;
  console.log(
    `SNMP fencing bench: Intel Modular Server simulator on 127.0.0.1:${sim.port}, Node ${process.version}${quick ? ' (quick)' : ''}`,
  );
  console.log('agent                        action   n   median ms   fence_intelmodular / this');
  for (const r of rows) {
    const realRow = rows.find((x) => x.action === r.action && x.what.startsWith('fence_intelmodular'));
    const ratio = realRow ? `${(realRow.ms / r.ms).toFixed(1)}` : '-';
    console.log(
      `${r.what.padEnd(28)} ${r.action.padEnd(7)} ${String(r.n).padStart(3)} ${r.ms.toFixed(1).padStart(10)}   ${ratio}`,
    );
  }
  if (!existsSync(IMS)) console.log(`(${IMS} not installed: no comparison)`);
  console.log(`check: blade 1 saw ${reboots} power changes (expected ${2 * (N_REBOOT + 1)})`);
} finally {
  await sim.close();
}
