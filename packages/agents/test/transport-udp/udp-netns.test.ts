import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RingStatus } from '@quorate/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetnsPair, type NetnsPair, netnsUnavailableReason } from '../helpers/netns-pair.js';
import { freeUdpPorts, KEY, waitFor } from './udp-test-kit.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '../../../..');
const skipReason = netnsUnavailableReason();
if (skipReason) console.log(`[udp-netns] SKIPPED cable-pull test: ${skipReason}`);

interface Watched {
  proc: ChildProcess;
  members: string[][];
  rings: RingStatus[][];
}

function watch(proc: ChildProcess): Watched {
  const w: Watched = { proc, members: [], rings: [] };
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const ev = JSON.parse(line) as { event: string; members?: string[]; rings?: RingStatus[] };
      if (ev.event === 'members') w.members.push(ev.members!);
      if (ev.event === 'rings') w.rings.push(ev.rings!);
    }
  });
  return w;
}

const last = <T>(xs: T[]): T | undefined => xs[xs.length - 1];
const ringStatus = (w: Watched, ring: number): string => last(w.rings)?.[ring]?.status ?? 'ok';

describe.skipIf(skipReason !== undefined)('udp transport across network namespaces (real cable pull)', () => {
  let pair: NetnsPair | undefined;
  const procs: ChildProcess[] = [];
  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(
      procs.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)),
    );
    pair?.destroy();
  });

  it('marks a pulled ring faulty without a membership change, recovers, and loses the peer when all rings go', async () => {
    pair = createNetnsPair(2);
    const [p0, p1] = await freeUdpPorts('127.0.0.1', 2);
    const nodes = {
      a: { rings: pair.links.map((l, i) => ({ address: l.addrA, port: i === 0 ? p0! : p1! })) },
      b: { rings: pair.links.map((l, i) => ({ address: l.addrB, port: i === 0 ? p0! : p1! })) },
    };
    const base = { nodes, key: KEY, heartbeatIntervalMs: 50, tokenTimeoutMs: 1000, ringTimeoutMs: 300 };
    const start = (self: string, ns: string): Watched => {
      const proc = pair!.spawnIn(
        ns,
        process.execPath,
        [
          '--conditions=@quorate/source',
          '--import',
          'tsx',
          join(here, 'udp-node.child.ts'),
          JSON.stringify({ ...base, self }),
        ],
        repoRoot,
      );
      procs.push(proc);
      return watch(proc);
    };
    const a = start('a', pair.nsA);
    const b = start('b', pair.nsB);
    await waitFor(
      'both see both',
      () => last(a.members)?.length === 2 && last(b.members)?.length === 2,
      20_000,
    );
    const seen = { a: a.members.length, b: b.members.length };

    pair.linkDown(1);
    await waitFor(
      'ring 1 faulty on both',
      () => ringStatus(a, 1) === 'faulty' && ringStatus(b, 1) === 'faulty',
    );
    expect(ringStatus(a, 0)).toBe('ok');
    await new Promise((r) => setTimeout(r, 1200)); // longer than the token timeout
    expect(a.members.length).toBe(seen.a);
    expect(b.members.length).toBe(seen.b);

    pair.linkUp(1);
    await waitFor('ring 1 recovered', () => ringStatus(a, 1) === 'ok' && ringStatus(b, 1) === 'ok');
    expect(a.members.length).toBe(seen.a);

    const t0 = performance.now();
    pair.linkDown(0);
    pair.linkDown(1);
    await waitFor('each alone', () => last(a.members)?.join() === 'a' && last(b.members)?.join() === 'b');
    const detect = performance.now() - t0;
    // Not long before the token timeout (the last packet may predate t0 by a heartbeat or a late timer).
    expect(detect).toBeGreaterThan(1000 - 300);
    console.log(
      `[udp-netns] both cables pulled -> membership change: ${detect.toFixed(0)} ms (token 1000 ms)`,
    );

    pair.linkUp(0);
    await waitFor(
      'rejoined over ring 0',
      () => last(a.members)?.length === 2 && last(b.members)?.length === 2,
    );
  }, 45_000);
});
