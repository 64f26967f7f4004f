/**
 * A real corosync 3 cluster for differential tests of the vote arithmetic: one network namespace
 * per node (each with its own /run and /var/lib/corosync bind-mounted, so several corosync
 * daemons coexist), joined by a bridge in a hub namespace; partitions are blackhole routes.
 * Needs root, iproute2, tini and corosync. With `qdevice`, a corosync-qnetd arbiter runs in the
 * hub namespace (10.213.0.254, TLS off) and every node runs corosync-qdevice beside corosync.
 * Every daemon is started by this process and stopped by its pid; the namespaces are deleted at
 * `close()`.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** What `corosync-quorumtool -s` says on one node. */
export interface RealQuorum {
  expected: number;
  votes: number;
  quorum: number;
  quorate: boolean;
  flags: string[];
  members: number[];
}

/** Why the lab cannot run here, or null when it can. */
export function corosyncLabUnavailable(withQdevice = false): string | null {
  if (process.env.QUORATE_IT_COROSYNC !== '1')
    return 'set QUORATE_IT_COROSYNC=1 to run the real corosync differential test';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  const bins = ['/usr/sbin/corosync', '/usr/sbin/corosync-quorumtool', '/usr/bin/tini', '/usr/bin/ip'];
  if (withQdevice) bins.push('/usr/sbin/corosync-qdevice', '/usr/bin/corosync-qnetd');
  for (const bin of bins) {
    if (!existsSync(bin) && !existsSync(bin.replace('/usr/bin/', '/bin/').replace('/usr/sbin/', '/sbin/')))
      return `${bin} not found`;
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** SIGTERM to a process this test started, then SIGKILL if it has not exited after 8 s. */
async function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(8000).then(() => true)]);
  if (timedOut) {
    p.kill('SIGKILL');
    await exited;
  }
}

/** Parses `corosync-quorumtool -s` output. */
export function parseQuorumtool(text: string): RealQuorum | null {
  const num = (label: string) => {
    const m = new RegExp(`^${label}:\\s+(\\d+)`, 'm').exec(text);
    return m === null ? null : Number(m[1]);
  };
  const expected = num('Expected votes');
  const votes = num('Total votes');
  const quorum = num('Quorum');
  if (expected === null || votes === null || quorum === null) return null;
  const flags = (/^Flags:(.*)$/m.exec(text)?.[1] ?? '')
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  const table = text.slice(text.indexOf('Nodeid'));
  // Row 0 is the qdevice itself.
  const members = [...table.matchAll(/^\s+(\d+)\s+\d+/gm)]
    .map((m) => Number(m[1]))
    .filter((id) => id !== 0)
    .sort((a, b) => a - b);
  return { expected, votes, quorum, quorate: flags.includes('Quorate'), flags, members };
}

export interface CorosyncLab {
  /** Starts corosync on node i (1-based) with the lab's configuration. */
  start(i: number): void;
  /** Stops node i (SIGTERM to its own process, then waits for the exit). */
  stop(i: number): Promise<void>;
  /**
   * Cuts the network into these groups (nodes in different groups cannot talk); `reach[k]`
   * false also cuts group k from the qdevice arbiter (default: every group reaches it).
   */
  partition(groups: number[][], reach?: boolean[]): void;
  /** Restores every link. */
  heal(): void;
  /** `corosync-quorumtool -s` on node i. */
  quorum(i: number): RealQuorum | null;
  /** `corosync-quorumtool -e votes` on node i; returns its exit status. */
  setExpected(i: number, votes: number): number;
  /** Polls until every listed node sees exactly `members[i]`, or throws after `timeoutMs`. */
  waitMembers(members: Record<number, number[]>, timeoutMs?: number): Promise<Record<number, RealQuorum>>;
  /** Polls until two readings a second apart agree on every listed node (qdevice votes settle late). */
  waitSettled(nodes: number[], timeoutMs?: number): Promise<Record<number, RealQuorum>>;
  close(): Promise<void>;
}

/**
 * Creates the namespaces and a `corosync.conf` for `n` nodes (1 vote each unless `votes` says
 * otherwise) with the given lines in the `quorum {}` section. Nothing runs until `start`.
 */
export interface QdeviceLabOptions {
  algorithm: 'ffsplit' | 'lms';
  tieBreaker: 'lowest' | 'highest' | number;
  votes?: number;
}

export function createCorosyncLab(
  n: number,
  quorumLines: string[],
  opts: { tokenMs?: number; votes?: number[]; qdevice?: QdeviceLabOptions } = {},
): CorosyncLab {
  const tag = `qv${process.pid % 10_000}`;
  const dir = mkdtempSync(join(tmpdir(), 'quorate-corosync-'));
  const hub = `${tag}hub`;
  const ns = (i: number) => `${tag}n${i}`;
  const addr = (i: number) => `10.213.0.${i}`;
  const procs = new Map<number, ChildProcess[]>();
  const arbiter = '10.213.0.254';
  let qnetd: ChildProcess | undefined;
  const blackholes: Array<[number, number]> = [];

  const nodelist = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    const votes = opts.votes?.[k];
    return `  node {\n    ring0_addr: ${addr(i)}\n    nodeid: ${i}\n${votes === undefined ? '' : `    quorum_votes: ${votes}\n`}  }`;
  }).join('\n');
  const q = opts.qdevice;
  const device =
    q === undefined
      ? []
      : [
          'device {',
          '  model: net',
          ...(q.votes === undefined ? [] : [`  votes: ${q.votes}`]),
          '  timeout: 2000',
          '  sync_timeout: 4000',
          '  net {',
          `    host: ${arbiter}`,
          '    port: 15403',
          `    algorithm: ${q.algorithm}`,
          `    tie_breaker: ${q.tieBreaker}`,
          '    tls: off',
          '  }',
          '}',
        ];
  const lines = [...quorumLines, ...device];
  const conf = join(dir, 'corosync.conf');
  writeFileSync(
    conf,
    `totem {\n  version: 2\n  cluster_name: quorate\n  transport: knet\n  crypto_cipher: none\n  crypto_hash: none\n  token: ${opts.tokenMs ?? 500}\n  interface {\n    linknumber: 0\n    mcastport: 15405\n  }\n}\nnodelist {\n${nodelist}\n}\nquorum {\n  provider: corosync_votequorum\n${lines.map((l) => `  ${l}`).join('\n')}\n}\nlogging {\n  to_stderr: yes\n  to_syslog: no\n}\n`,
  );

  ip('netns', 'add', hub);
  ip('-n', hub, 'link', 'add', 'qbr', 'type', 'bridge');
  ip('-n', hub, 'link', 'set', 'qbr', 'up');
  if (q !== undefined) {
    ip('-n', hub, 'addr', 'add', `${arbiter}/24`, 'dev', 'qbr');
    ip('-n', hub, 'link', 'set', 'lo', 'up');
    const log = openSync(join(dir, 'qnetd.log'), 'a');
    qnetd = spawn(
      'ip',
      [
        'netns',
        'exec',
        hub,
        'tini',
        '-s',
        '--',
        'corosync-qnetd',
        '-f',
        '-l',
        arbiter,
        '-p',
        '15403',
        '-s',
        'off',
      ],
      {
        stdio: ['ignore', log, log],
      },
    );
  }
  for (let i = 1; i <= n; i++) {
    ip('netns', 'add', ns(i));
    ip('link', 'add', `${tag}v${i}`, 'type', 'veth', 'peer', 'name', `${tag}h${i}`);
    ip('link', 'set', `${tag}v${i}`, 'netns', ns(i));
    ip('link', 'set', `${tag}h${i}`, 'netns', hub);
    ip('-n', hub, 'link', 'set', `${tag}h${i}`, 'master', 'qbr');
    ip('-n', hub, 'link', 'set', `${tag}h${i}`, 'up');
    ip('-n', ns(i), 'addr', 'add', `${addr(i)}/24`, 'dev', `${tag}v${i}`);
    ip('-n', ns(i), 'link', 'set', `${tag}v${i}`, 'up');
    ip('-n', ns(i), 'link', 'set', 'lo', 'up');
    mkdirSync(join(dir, `n${i}`, 'run'), { recursive: true });
    mkdirSync(join(dir, `n${i}`, 'lib'), { recursive: true });
  }

  const quorum = (i: number): RealQuorum | null => {
    const r = spawnSync('ip', ['netns', 'exec', ns(i), 'corosync-quorumtool', '-s'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    return parseQuorumtool(r.stdout ?? '');
  };

  const lab: CorosyncLab = {
    start(i) {
      const nd = join(dir, `n${i}`);
      const log = openSync(join(nd, 'corosync.log'), 'a');
      const binds = `mount --bind ${nd}/run /run && mount --bind ${nd}/lib /var/lib/corosync`;
      const daemons = [
        spawn(
          'ip',
          ['netns', 'exec', ns(i), 'tini', '-s', '--', 'sh', '-c', `${binds} && exec corosync -f -c ${conf}`],
          { stdio: ['ignore', log, log] },
        ),
      ];
      if (q !== undefined) {
        // Same bind mounts in its own mount namespace: it shares /run with corosync through them.
        const wait =
          'for k in $(seq 1 100); do corosync-cmapctl -g totem.cluster_name >/dev/null 2>&1 && break; sleep 0.1; done';
        const qlog = openSync(join(nd, 'qdevice.log'), 'a');
        daemons.push(
          spawn(
            'ip',
            [
              'netns',
              'exec',
              ns(i),
              'tini',
              '-s',
              '--',
              'sh',
              '-c',
              `${binds} && ${wait}; exec corosync-qdevice -f`,
            ],
            { stdio: ['ignore', qlog, qlog] },
          ),
        );
      }
      procs.set(i, daemons);
    },
    async stop(i) {
      const daemons = procs.get(i) ?? [];
      procs.delete(i);
      // qdevice first, then corosync (as their units stop).
      for (const p of [...daemons].reverse()) await stopProcess(p);
    },
    partition(groups, reach) {
      lab.heal();
      groups.forEach((g, k) => {
        if (q === undefined || reach?.[k] !== false) return;
        for (const i of g) {
          ip('-n', ns(i), 'route', 'add', 'blackhole', `${arbiter}/32`);
          blackholes.push([i, 254]);
        }
      });
      const groupOf = new Map<number, number>();
      groups.forEach((g, k) => {
        for (const i of g) groupOf.set(i, k);
      });
      for (let a = 1; a <= n; a++) {
        for (let b = 1; b <= n; b++) {
          if (a === b || groupOf.get(a) === groupOf.get(b)) continue;
          ip('-n', ns(a), 'route', 'add', 'blackhole', `${addr(b)}/32`);
          blackholes.push([a, b]);
        }
      }
    },
    heal() {
      for (const [a, b] of blackholes.splice(0))
        ip('-n', ns(a), 'route', 'del', 'blackhole', `${addr(b)}/32`);
    },
    quorum,
    setExpected(i, votes) {
      return (
        spawnSync('ip', ['netns', 'exec', ns(i), 'corosync-quorumtool', '-e', String(votes)], {
          timeout: 5000,
        }).status ?? -1
      );
    },
    async waitMembers(members, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<number, RealQuorum | null> = {};
      while (Date.now() < deadline) {
        last = {};
        let ok = true;
        for (const [k, want] of Object.entries(members)) {
          const q = quorum(Number(k));
          last[Number(k)] = q;
          if (q === null || q.members.join(',') !== [...want].sort((a, b) => a - b).join(',')) ok = false;
        }
        if (ok) {
          // Let votequorum finish the sync that follows the membership change.
          await sleep(300);
          const settled: Record<number, RealQuorum> = {};
          for (const k of Object.keys(members)) settled[Number(k)] = quorum(Number(k)) as RealQuorum;
          return settled;
        }
        await sleep(200);
      }
      throw new Error(
        `corosync membership did not settle: wanted ${JSON.stringify(members)}, saw ${JSON.stringify(last)}`,
      );
    },
    async waitSettled(nodes, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      const read = () => JSON.stringify(nodes.map((i) => quorum(i)));
      let last = read();
      while (Date.now() < deadline) {
        await sleep(1000);
        const now = read();
        if (now === last) {
          const out: Record<number, RealQuorum> = {};
          for (const i of nodes) out[i] = quorum(i) as RealQuorum;
          return out;
        }
        last = now;
      }
      throw new Error(`corosync quorum did not settle on nodes ${nodes.join(', ')}: ${last}`);
    },
    async close() {
      for (const i of [...procs.keys()]) await lab.stop(i);
      if (qnetd !== undefined) await stopProcess(qnetd);
      for (let i = 1; i <= n; i++) spawnSync('ip', ['netns', 'del', ns(i)]);
      spawnSync('ip', ['netns', 'del', hub]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

/** The numbers both sides of a differential transcript show (a real reading or a model result). */
export interface QuorumFigures {
  votes: number;
  expected: number;
  quorum: number;
  quorate: boolean;
}

/** One transcript line's figures: `votes/expected qQUORUM quorate|inquorate`. */
export function formatQuorum(r: QuorumFigures): string {
  return `${r.votes}/${r.expected} q${r.quorum} ${r.quorate ? 'quorate' : 'inquorate'}`;
}

/** Nodes `n1..nN` with ids 1..N and the given votes (1 where not given), as `parseClusterConfig` takes them. */
export function labNodes(n: number, votes?: number[]): Array<{ name: string; id: number; votes: number }> {
  return Array.from({ length: n }, (_, k) => ({ name: `n${k + 1}`, id: k + 1, votes: votes?.[k] ?? 1 }));
}

/**
 * Registers an `afterEach` that closes the lab the test created; returns the function that
 * creates it (same arguments as {@link createCorosyncLab}). One lab per test.
 */
export function corosyncLabPerTest(): typeof createCorosyncLab {
  let lab: CorosyncLab | undefined;
  afterEach(async () => {
    await lab?.close();
    lab = undefined;
  });
  return (...args) => {
    lab = createCorosyncLab(...args);
    return lab;
  };
}

/** The 2/2 split of four nodes (1, 2 | 3, 4) that many cases play. */
export const SPLIT_2_2: number[][] = [
  [1, 2],
  [3, 4],
];

/** A membership step played on the lab; `reach` as in {@link CorosyncLab.partition}. */
export type LabStep =
  | { start: number[] }
  | { stop: number[] }
  | { partition: number[][]; reach?: boolean[] }
  | { heal: true };

/** The partitions the running nodes form now; `reach[k]` says whether `parts[k]` reaches the arbiter. */
export interface LabPartitions {
  parts: number[][];
  reach: boolean[];
}

/** A differential test's view of the lab while it plays steps, with the model's state per running node. */
export interface LabPlay<S> {
  /** The model state of every running node (a started node gets a fresh one, a stopped node loses it). */
  readonly states: Record<number, S>;
  /** Plays one membership step on the lab and on this bookkeeping. */
  step(step: LabStep): Promise<void>;
  /**
   * The partitions now: everyone running when the network is whole, else each group's running
   * members (groups left empty are dropped), then every running node in no group on its own.
   */
  partitions(): LabPartitions;
  /** Waits until corosync on every node in `parts` sees exactly its partition; returns the readings. */
  waitPartitions(parts: number[][]): Promise<Record<number, RealQuorum>>;
  /** Running node ids, ascending. */
  up(): number[];
}

/** Starts the bookkeeping of a differential test on `lab`; `fresh` makes a started node's model state. */
export function playOnLab<S>(lab: CorosyncLab, fresh: () => S): LabPlay<S> {
  const running = new Set<number>();
  const states: Record<number, S> = {};
  let groups: number[][] = [];
  let reach: boolean[] = [];
  const up = () => [...running].sort((a, b) => a - b);
  return {
    states,
    up,
    async step(step) {
      if ('start' in step) {
        for (const i of step.start) {
          lab.start(i);
          running.add(i);
          states[i] = fresh();
        }
      } else if ('stop' in step) {
        for (const i of step.stop) {
          await lab.stop(i);
          running.delete(i);
          delete states[i];
        }
      } else if ('partition' in step) {
        lab.partition(step.partition, step.reach);
        groups = step.partition;
        reach = step.reach ?? [];
      } else {
        lab.heal();
        groups = [];
        reach = [];
      }
    },
    partitions() {
      if (groups.length === 0) return { parts: [up()], reach: [true] };
      const out: LabPartitions = { parts: [], reach: [] };
      groups.forEach((g, gi) => {
        const p = g.filter((i) => running.has(i));
        if (p.length === 0) return;
        out.parts.push(p);
        out.reach.push(reach[gi] !== false);
      });
      const grouped = new Set(out.parts.flat());
      for (const i of up()) {
        if (grouped.has(i)) continue;
        out.parts.push([i]);
        out.reach.push(true);
      }
      return out;
    },
    waitPartitions(parts) {
      const want: Record<number, number[]> = {};
      for (const p of parts) for (const i of p) want[i] = p;
      return lab.waitMembers(want);
    },
  };
}

/** The two transcripts of a differential test: what corosync said and what the model says, line by line. */
export interface Transcript {
  /** Records node `node`'s figures after step `step` (0-based) on both sides. */
  record(step: number, node: number, real: QuorumFigures, model: QuorumFigures): void;
  readonly real: string;
  readonly model: string;
}

/** An empty {@link Transcript}. */
export function createTranscript(): Transcript {
  const real: string[] = [];
  const model: string[] = [];
  return {
    record(step, node, r, m) {
      real.push(`step ${step + 1} node ${node}: ${formatQuorum(r)}`);
      model.push(`step ${step + 1} node ${node}: ${formatQuorum(m)}`);
    },
    get real() {
      return real.join('\n');
    },
    get model() {
      return model.join('\n');
    },
  };
}
