/**
 * IPMI fencing speed: median time of `status` and `reboot` against one real ipmi_sim BMC, through
 * our RMCP+ client (one session per operation, and a kept session), through the ipmitool-backed
 * agent (one ipmitool process per IPMI command), and through real fence_ipmilan (stdin protocol),
 * all with cipher suite 3, in one run. Prints a table with ratios to our client.
 *
 * Run: npm run bench:agents   (or node --conditions=@quorate/source --import tsx bench/agents-ipmi.bench.ts)
 * Env: QUORATE_BENCH_QUICK=1 for fewer iterations.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { FenceAction, FenceAgent } from '@quorate/core';
import { createIpmiFenceAgent, createIpmitoolFenceAgent } from '../packages/agents/src/ipmi/index.js';
import { findIpmiTools, startIpmiSim } from '../packages/agents/test/helpers/ipmi-sim.js';

const quick = process.env.QUORATE_BENCH_QUICK === '1';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

function p90(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] ?? 0;
}

async function time(n: number, warmup: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function agentCall(agent: FenceAgent, action: FenceAction): Promise<void> {
  const r = await agent.run({ action, target: 'node1' }, { signal: new AbortController().signal });
  if (!r.ok) throw new Error(`${action} failed: ${r.reason} ${r.detail}`);
}

function fenceIpmilan(path: string, port: number, action: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => {
      // status exits 0 (on) or 2 (off)
      if (code === 0 || (action === 'status' && code === 2)) resolve();
      else reject(new Error(`fence_ipmilan ${action} exited ${code}: ${out}`));
    });
    child.stdin.end(
      `ip=127.0.0.1\nipport=${port}\nusername=admin\npassword=secret\nlanplus=1\ncipher=3\naction=${action}\n`,
    );
  });
}

async function main(): Promise<void> {
  const tools = findIpmiTools();
  if (!tools.ipmiSim || !tools.tini) {
    console.log('agents-ipmi bench: SKIPPED (ipmi_sim or tini not installed)');
    return;
  }
  const bmc = await startIpmiSim();
  const base = { ip: '127.0.0.1', port: bmc.port, username: 'admin', password: 'secret', cipher: 3 as const };
  const rows: Array<{ name: string; action: string; samples: number[] }> = [];
  try {
    const ours = createIpmiFenceAgent(base);
    const kept = createIpmiFenceAgent({ ...base, session: 'keep' });
    const n = quick ? 30 : 200;
    const nr = quick ? 10 : 50;
    rows.push({
      name: 'ours (session per op)',
      action: 'status',
      samples: await time(n, 10, () => agentCall(ours, 'status')),
    });
    rows.push({
      name: 'ours (session per op)',
      action: 'reboot',
      samples: await time(nr, 3, () => agentCall(ours, 'reboot')),
    });
    rows.push({
      name: 'ours (kept session)',
      action: 'status',
      samples: await time(n, 10, () => agentCall(kept, 'status')),
    });
    rows.push({
      name: 'ours (kept session)',
      action: 'reboot',
      samples: await time(nr, 3, () => agentCall(kept, 'reboot')),
    });
    await kept.close();
    if (tools.ipmitool) {
      const tool = createIpmitoolFenceAgent(base);
      rows.push({
        name: 'ipmitool agent',
        action: 'status',
        samples: await time(quick ? 10 : 40, 2, () => agentCall(tool, 'status')),
      });
      rows.push({
        name: 'ipmitool agent',
        action: 'reboot',
        samples: await time(quick ? 5 : 15, 1, () => agentCall(tool, 'reboot')),
      });
    }
    if (tools.fenceIpmilan && tools.ipmitool) {
      const fp = tools.fenceIpmilan;
      rows.push({
        name: 'fence_ipmilan',
        action: 'status',
        samples: await time(quick ? 5 : 15, 1, () => fenceIpmilan(fp, bmc.port, 'status')),
      });
      rows.push({
        name: 'fence_ipmilan',
        action: 'reboot',
        samples: await time(quick ? 3 : 5, 0, () => fenceIpmilan(fp, bmc.port, 'reboot')),
      });
    }
  } finally {
    await bmc.stop();
  }
  const ref: Record<string, number> = {};
  for (const r of rows) if (r.name === 'ours (session per op)') ref[r.action] = median(r.samples);
  console.log('IPMI fence agents against one ipmi_sim (lanplus, cipher suite 3), times in ms');
  console.log(
    `${'backend'.padEnd(24)}${'action'.padEnd(8)}${'n'.padStart(5)}${'median'.padStart(10)}${'p90'.padStart(10)}${'× ours'.padStart(10)}`,
  );
  for (const r of rows) {
    const med = median(r.samples);
    const ratio = med / (ref[r.action] ?? med);
    console.log(
      `${r.name.padEnd(24)}${r.action.padEnd(8)}${String(r.samples.length).padStart(5)}${med.toFixed(2).padStart(10)}${p90(r.samples).toFixed(2).padStart(10)}${ratio.toFixed(1).padStart(10)}`,
    );
  }
  const statusOurs = ref.status ?? Number.NaN;
  const fenceStatus = rows.find((r) => r.name === 'fence_ipmilan' && r.action === 'status');
  console.log(
    `target: ours status median < 20 ms: ${statusOurs < 20 ? 'MET' : 'MISSED'} (${statusOurs.toFixed(2)} ms)`,
  );
  if (fenceStatus) {
    const x = median(fenceStatus.samples) / statusOurs;
    console.log(
      `target: ours ≥ 5× faster than fence_ipmilan (status): ${x >= 5 ? 'MET' : 'MISSED'} (${x.toFixed(1)}×)`,
    );
  }
}

await main();
