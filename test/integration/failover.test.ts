/**
 * End-to-end failover with real processes: one `examples/loopback-cluster/node.ts` process per
 * node, each in its own network namespace (veth links to a switch namespace; a cable pull is the
 * link going down), one real `ipmi_sim` per node whose chassis hook kills and restarts the node
 * process, a file quorum disk, OCF Dummy resources. Without namespaces the cluster falls back to
 * 127.0.0.1 and the UDP transport's ring switch (`suspendRing`); the 3/2 split then skips.
 *
 * Safety invariants checked in every case: never two active copies (sampled every 5 ms from the
 * Dummy state files), and never a start on the survivor before the fence succeeded (or an
 * operator confirmed it).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Cluster,
  type ClusterOptions,
  clusterUnavailableReason,
  type NodeEvent,
  netnsUnavailableReason,
  startCluster,
} from '../../examples/loopback-cluster/cluster.js';

const missing = clusterUnavailableReason();
// QUORATE_LB_NETWORK=loopback runs the fallback (127.0.0.1 and the transport's ring switch) on purpose.
const forced = process.env.QUORATE_LB_NETWORK === 'loopback' ? 'loopback' : undefined;
const noNetns = forced ? 'QUORATE_LB_NETWORK=loopback' : netnsUnavailableReason();
const noEtcd = ['/usr/bin/etcd', '/usr/bin/etcdctl'].find((p) => !existsSync(p));
if (!missing && noEtcd) console.warn(`[integration] etcd case skipped: ${noEtcd} is not installed`);
const networkChoice: Pick<ClusterOptions, 'network'> = noNetns
  ? { network: 'loopback' }
  : { network: 'netns' };
if (missing) console.warn(`[integration] skipped: ${missing}`);
if (!missing && noNetns)
  console.warn(
    `[integration] no network namespaces (${noNetns}): loopback fallback with the transport's ring switch`,
  );

let current: Cluster | undefined;
let sampler: ReturnType<typeof setInterval> | undefined;
let doubleActive: Array<{ t: number; nodes: string[] }> = [];

afterEach(async () => {
  if (sampler) clearInterval(sampler);
  sampler = undefined;
  await current?.stop();
  current = undefined;
});

async function boot(opts: ClusterOptions, resourceOn: string): Promise<Cluster> {
  const c = await startCluster({ ...opts, ...networkChoice, keep: process.env.QUORATE_KEEP === '1' });
  current = c;
  await activeOnly(c, resourceOn, 20_000);
  // Every node sees every other member.
  await c.waitFor(
    'full membership everywhere',
    () => c.nodes.every((n) => last(c.events(n), 'membership')?.members?.length === c.nodes.length),
    10_000,
  );
  doubleActive = [];
  sampler = setInterval(() => {
    const on = c.activeOn('vm100');
    if (on.length > 1) doubleActive.push({ t: Date.now(), nodes: on });
  }, 5);
  return c;
}

/** Waits until vm100's state file is on `node` only and `node` logged the successful start. */
async function activeOnly(c: Cluster, node: string, timeoutMs: number): Promise<void> {
  await c.waitFor(
    `vm100 active on ${node} only`,
    () => same(c.activeOn('vm100'), [node]) && last(c.events(node), 'resource', started),
    timeoutMs,
  );
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
// biome-ignore lint/suspicious/noExplicitAny: event fields are free-form JSON
function last(list: NodeEvent[], event: string, pred: (e: any) => boolean = () => true): any {
  for (let i = list.length - 1; i >= 0; i--) {
    const e = list[i];
    if (e && e.event === event && pred(e)) return e;
  }
  return undefined;
}
// biome-ignore lint/suspicious/noExplicitAny: event fields are free-form JSON
function all(list: NodeEvent[], event: string, pred: (e: any) => boolean = () => true): any[] {
  return list.filter((e) => e.event === event && pred(e));
}
const started = (e: { action?: string; ok?: boolean; resource?: string }) =>
  e.resource === 'vm100' && e.action === 'start' && e.ok === true;

describe.skipIf(missing !== undefined)('loopback cluster: end-to-end failover', () => {
  it('(a) seed 001 cable pull with the quorum disk: the survivor fences over IPMI, then starts the resource', async () => {
    const c = await boot({ nodes: 2 }, 'node1');
    const bootsBefore = all(c.events('node1'), 'boot').length;
    c.cutQdisk('node1'); // the iSCSI path goes with the cable in seed 001
    const tPull = c.pullCable('node1');

    await activeOnly(c, 'node2', 20_000);
    const ev2 = c.events('node2');
    const lost = last(ev2, 'membership', (e) => e.lost.includes('node1'));
    const fenced = last(ev2, 'fence', (e) => e.kind === 'succeeded' && e.target === 'node1');
    const start = last(ev2, 'resource', started);
    expect(lost, 'node2 saw node1 leave').toBeDefined();
    expect(fenced, 'node2 fenced node1').toMatchObject({ device: 'ipmi-node1' });
    expect(start.t).toBeGreaterThanOrEqual(fenced.t);
    // The BMC really switched node1 off (its process was killed) before node2 started vm100.
    const off = c.bmcLog('node1').find((l) => l.t >= tPull && l.line === 'set power 0');
    expect(off, 'ipmi_sim recorded the power off').toBeDefined();
    expect(start.t).toBeGreaterThanOrEqual(off?.t ?? Number.POSITIVE_INFINITY);
    // Reboot: powered on again, node1's process restarted, it stays out (cable still pulled).
    await c.waitFor(
      'node1 booted again',
      () => all(c.events('node1'), 'boot').length > bootsBefore && c.pidOf('node1'),
      15_000,
    );
    expect(c.bmcLog('node1').some((l) => l.t >= (off?.t ?? 0) && l.line === 'set power 1')).toBe(true);
    expect(c.power('node1')).toBe('on');
    // Rebooted with the cable still out: it stays alone and inquorate, the survivor keeps vm100.
    const reboot = await c.waitFor(
      'node1 started again',
      () => last(c.events('node1'), 'started', (e) => e.t > (off?.t ?? 0)),
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(last(c.events('node1'), 'quorum', (e) => e.t >= reboot.t)?.quorate ?? false).toBe(false);
    expect(last(c.events('node2'), 'membership')?.members).toEqual(['node2']);
    // node1 had stopped its copy on losing quorum; it never got it back.
    const ev1 = c.events('node1');
    const stop1 = last(ev1, 'resource', (e) => e.resource === 'vm100' && e.action === 'stop' && e.ok);
    if (stop1) expect(stop1.t).toBeLessThanOrEqual(start.t);
    expect(c.activeOn('vm100')).toEqual(['node2']);
    expect(all(ev2, 'fence', (e) => e.kind === 'succeeded' && e.target === 'node2')).toEqual([]);
    expect(doubleActive).toEqual([]);
  }, 90_000);

  it('(b) power loss including the BMC: nothing restarts until an operator confirms', async () => {
    const c = await boot({ nodes: 2 }, 'node1');
    c.powerLoss('node1');
    // The fence of node1 fails on its dark BMC: it stays pending, vm100 stays stopped.
    const tLoss = Date.now();
    await c.waitFor(
      'fence of node1 failed every attempt (maxAttempts 2)',
      () =>
        all(c.events('node2'), 'fence', (e) => e.kind === 'attemptFailed' && e.target === 'node1').length >=
        2,
      20_000,
    );
    // A while later: still nothing started anywhere, the fence still pending.
    await new Promise((r) => setTimeout(r, 1000));
    const statusFrom = Date.now();
    c.control('node2', { cmd: 'status' });
    const status = await c.waitFor(
      'status of node2',
      () => last(c.events('node2'), 'status', (e) => e.t >= statusFrom),
      5_000,
    );
    const failures = all(c.events('node2'), 'fence.call', (e) => e.target === 'node1' && e.t >= tLoss);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const f of failures) expect(f).toMatchObject({ ok: false });
    expect(status.fencePending).toContain('node1');
    expect(status.quorate).toBe(true);
    expect(c.activeOn('vm100')).toEqual([]);
    expect(all(c.events('node2'), 'resource', started)).toEqual([]);

    const tConfirm = Date.now();
    c.control('node2', { cmd: 'confirmFenced', node: 'node1' });
    await activeOnly(c, 'node2', 15_000);
    const ev2 = c.events('node2');
    const confirmed = last(ev2, 'fence', (e) => e.kind === 'confirmed' && e.target === 'node1');
    const start = last(ev2, 'resource', started);
    expect(confirmed).toBeDefined();
    expect(start.t).toBeGreaterThanOrEqual(confirmed.t);
    expect(confirmed.t).toBeGreaterThanOrEqual(tConfirm);
    expect(all(ev2, 'fence', (e) => e.kind === 'succeeded' && e.target === 'node1')).toEqual([]);
    expect(c.pidOf('node1')).toBeUndefined();
    expect(doubleActive).toEqual([]);
  }, 90_000);

  it('(c) a ring failure marks the ring faulty and changes no membership', async () => {
    const c = await boot({ nodes: 2 }, 'node1');
    const from = Date.now();
    c.ringDown('node2', 1);
    const faulty = await c.waitFor(
      'node1 marks ring 1 to node2 faulty',
      () =>
        last(
          c.events('node1'),
          'ring',
          (e) => e.t >= from && e.peer === 'node2' && e.ring === 1 && e.status === 'faulty',
        ),
      10_000,
    );
    expect(faulty).toBeDefined();
    // Well past the token timeout (1 s): still one membership, nobody fenced, vm100 where it was.
    await new Promise((r) => setTimeout(r, 2500));
    for (const n of c.nodes) {
      expect(all(c.events(n), 'membership', (e) => e.t >= from && e.lost.length > 0)).toEqual([]);
      expect(all(c.events(n), 'fence', (e) => e.t >= from)).toEqual([]);
    }
    expect(c.activeOn('vm100')).toEqual(['node1']);
    c.ringUp('node2', 1);
    await c.waitFor(
      'ring 1 recovers',
      () =>
        last(
          c.events('node1'),
          'ring',
          (e) => e.t > faulty.t && e.peer === 'node2' && e.ring === 1 && e.status === 'ok',
        ),
      10_000,
    );
    expect(c.bmcLog('node1').filter((l) => l.line.startsWith('set'))).toEqual([]);
    expect(c.bmcLog('node2').filter((l) => l.line.startsWith('set'))).toEqual([]);
    expect(doubleActive).toEqual([]);
  }, 90_000);

  it.skipIf(noNetns !== undefined)(
    '(d) a 3/2 split of five nodes: the majority fences the minority and takes the resource',
    async () => {
      const c = await boot({ nodes: 5, preferred: 'node4' }, 'node4');
      const tSplit = c.partition([
        ['node1', 'node2', 'node3'],
        ['node4', 'node5'],
      ]);
      await c.waitFor(
        'vm100 active in the majority',
        () => {
          const on = c.activeOn('vm100');
          return on.length === 1 && ['node1', 'node2', 'node3'].includes(on[0] ?? '');
        },
        30_000,
      );
      const winner = c.activeOn('vm100')[0] as string;
      await activeOnly(c, winner, 10_000);
      const start = last(c.events(winner), 'resource', started);
      // vm100's recovery waits only for node4's fence; node5's runs concurrently and may end later.
      const succeeded = () => c.allEvents().filter((e) => e.event === 'fence' && e.kind === 'succeeded');
      await c.waitFor(
        'node4 and node5 fenced',
        () => ['node4', 'node5'].every((loser) => succeeded().some((e) => e.target === loser)),
        15_000,
      );
      const fenceEvents = succeeded();
      for (const loser of ['node4', 'node5']) {
        const f = fenceEvents.find((e) => e.target === loser);
        expect(f, `${loser} fenced`).toBeDefined();
        expect(c.bmcLog(loser).some((l) => l.t >= tSplit && l.line === 'set power 0')).toBe(true);
      }
      const node4Fenced = fenceEvents.find((e) => e.target === 'node4') as NodeEvent;
      expect(start.t).toBeGreaterThanOrEqual(node4Fenced.t);
      for (const n of ['node1', 'node2', 'node3']) {
        expect(fenceEvents.filter((e) => e.target === n)).toEqual([]);
        expect(c.bmcLog(n).filter((l) => l.line.startsWith('set'))).toEqual([]);
      }
      expect(doubleActive).toEqual([]);
    },
    90_000,
  );

  // Without namespaces a cable pull only closes the UDP sockets; the etcd path needs a real link.
  it.skipIf(noNetns !== undefined || noEtcd !== undefined)(
    '(e) the same cable-pull failover through the etcd transport',
    async () => {
      const c = await boot({ nodes: 2, transport: 'etcd' }, 'node1');
      c.cutQdisk('node1');
      const tPull = c.pullCable('node1');
      await activeOnly(c, 'node2', 30_000);
      const ev2 = c.events('node2');
      const fenced = last(ev2, 'fence', (e) => e.kind === 'succeeded' && e.target === 'node1');
      const start = last(ev2, 'resource', started);
      expect(fenced).toMatchObject({ device: 'ipmi-node1' });
      expect(start.t).toBeGreaterThanOrEqual(fenced.t);
      expect(c.bmcLog('node1').some((l) => l.t >= tPull && l.line === 'set power 0')).toBe(true);
      expect(doubleActive).toEqual([]);
    },
    90_000,
  );
});
