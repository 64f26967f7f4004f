/**
 * `npm run bench:failover`: end-to-end failover time on the loopback cluster
 * (`examples/loopback-cluster`): two node processes, two UDP rings, a file quorum disk, one real
 * `ipmi_sim` per node, OCF Dummy; `tokenTimeout: 1s`. Each run starts a fresh cluster, waits for
 * vm100 on node1, then pulls node1's cable (and its quorum-disk path, as in seed 001) and times
 * until node2 logged the successful start. Median of 10 runs (`--runs N` to change).
 *
 * Breakdown (node2's own event times):
 * - detection: cable pull → node2's membership without node1 (ring silence + token timeout)
 * - fencing:   → fence succeeded (the IPMI reboot through ipmi_sim, confirmed off, then on)
 * - start:     → vm100 start succeeded (the Dummy start)
 * - library:   total − tokenTimeout − the fence call − the start call (everything the library
 *              and the transport add: ring-silence detection, scheduling, messages)
 *
 * Transport timing: heartbeat 10 ms, ring timeout 30 ms (env `HB` / `RT` override them).
 *
 * Network: network namespaces when available (a cable pull is the switch ports going down), else
 * 127.0.0.1 with the UDP transport's ring switch (`--loopback` forces that). The last line is
 * exactly `failover median <ms> ms: detection <ms>, fencing <ms>, start <ms>, library <ms>`.
 */
import {
  type Cluster,
  clusterUnavailableReason,
  type NodeEvent,
  netnsUnavailableReason,
  startCluster,
} from '../examples/loopback-cluster/cluster.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] ?? 10) || 10;
const network: 'netns' | 'loopback' =
  args.includes('--loopback') || netnsUnavailableReason() !== undefined ? 'loopback' : 'netns';
const TOKEN_MS = 1000;
const HEARTBEAT_MS = Number(process.env.HB ?? 10);
const RING_TIMEOUT_MS = Number(process.env.RT ?? 30);

const missing = clusterUnavailableReason();
if (missing) {
  console.log(`failover bench skipped: ${missing}`);
  process.exit(0);
}

// biome-ignore lint/suspicious/noExplicitAny: event fields are free-form JSON
type Ev = NodeEvent & Record<string, any>;
const find = (list: NodeEvent[], pred: (e: Ev) => boolean): Ev | undefined =>
  list.find((e) => pred(e as Ev)) as Ev | undefined;

interface Sample {
  total: number;
  detection: number;
  fencing: number;
  start: number;
  library: number;
  fenceCall: number;
  startCall: number;
  /** Library share of each stage: detection − token timeout, fencing − fence call, start − start call. */
  libDetection: number;
  libFencing: number;
  libStart: number;
  /** Cable pull → the transport reported the last ring to node1 down (its ring-silence timeout). */
  transportDetect: number;
  /** Last link down → membership change, minus the token timeout: core's own detection overhead. */
  coreDetect: number;
}

async function once(i: number): Promise<Sample> {
  let c: Cluster | undefined;
  try {
    c = await startCluster({
      nodes: 2,
      network,
      heartbeatIntervalMs: HEARTBEAT_MS,
      ringTimeoutMs: RING_TIMEOUT_MS,
      options: { tokenTimeout: `${TOKEN_MS}ms` },
    });
    const cl = c;
    await cl.waitFor(
      'vm100 started on node1',
      () => find(cl.events('node1'), (e) => e.event === 'resource' && e.action === 'start' && e.ok),
      20_000,
    );
    await new Promise((r) => setTimeout(r, 500)); // quorum disk settled, monitors running
    cl.cutQdisk('node1');
    let t0 = cl.pullCable('node1');
    const startEv = await cl.waitFor(
      'vm100 started on node2',
      () =>
        find(cl.events('node2'), (e) => e.event === 'resource' && e.action === 'start' && e.ok && e.t >= t0),
      20_000,
    );
    if (network === 'loopback') {
      // The switch acts when node1 reads its control file: count from the sockets closing.
      const fault = find(cl.events('node1'), (e) => e.event === 'fault' && e.down === true);
      if (fault) t0 = fault.t;
    }
    const ev2 = cl.events('node2');
    const lost = find(ev2, (e) => e.event === 'membership' && e.lost.includes('node1') && e.t >= t0);
    const fenced = find(ev2, (e) => e.event === 'fence' && e.kind === 'succeeded' && e.target === 'node1');
    const fenceCall = find(ev2, (e) => e.event === 'fence.call' && e.target === 'node1' && e.ok);
    const startCall = find(
      ev2,
      (e) => e.event === 'resource.call' && e.action === 'start' && e.ok && e.t >= t0,
    );
    if (!lost || !fenced || !fenceCall || !startCall)
      throw new Error(`run ${i}: missing events (logs in ${cl.root})`);
    const linkDown = ev2.filter(
      (e) => e.event === 'link' && e.peer === 'node1' && e.up === false && e.t >= t0,
    );
    const tLinks = linkDown.length > 0 ? Math.max(...linkDown.map((e) => e.t)) : t0;
    const total = startEv.t - t0;
    const s: Sample = {
      total,
      detection: lost.t - t0,
      fencing: fenced.t - lost.t,
      start: startEv.t - fenced.t,
      fenceCall: fenceCall.ms as number,
      startCall: startCall.ms as number,
      library: total - TOKEN_MS - (fenceCall.ms as number) - (startCall.ms as number),
      libDetection: lost.t - t0 - TOKEN_MS,
      libFencing: fenced.t - lost.t - (fenceCall.ms as number),
      libStart: startEv.t - fenced.t - (startCall.ms as number),
      transportDetect: tLinks - t0,
      coreDetect: lost.t - tLinks - TOKEN_MS,
    };
    console.log(
      `run ${i + 1}/${runs}: ${total} ms (detection ${s.detection}, fencing ${s.fencing} [ipmi reboot ${s.fenceCall.toFixed(1)}], start ${s.start} [Dummy ${s.startCall.toFixed(1)}], library ${s.library.toFixed(1)})`,
    );
    return s;
  } finally {
    await c?.stop();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

console.log(
  `failover bench: ${runs} runs, ${network} network, tokenTimeout ${TOKEN_MS} ms, heartbeat ${HEARTBEAT_MS} ms, ring timeout ${RING_TIMEOUT_MS} ms`,
);
const samples: Sample[] = [];
for (let i = 0; i < runs; i++) samples.push(await once(i));
const f = (k: keyof Sample): string => String(Math.round(median(samples.map((s) => s[k]))));
console.log(
  `medians: ipmi reboot call ${f('fenceCall')} ms, Dummy start call ${f('startCall')} ms; library share by stage: detection ${f('libDetection')} (transport ring silence ${f('transportDetect')} with ringTimeout ${RING_TIMEOUT_MS}, core ${f('coreDetect')}), fencing ${f('libFencing')}, start ${f('libStart')}`,
);
console.log(
  `failover median ${f('total')} ms: detection ${f('detection')}, fencing ${f('fencing')}, start ${f('start')}, library ${f('library')}`,
);
