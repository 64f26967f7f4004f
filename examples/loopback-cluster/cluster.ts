/**
 * Launcher of the loopback cluster: prepares a temp folder (cluster document, authkey, quorum
 * disk, one `ipmi_sim` BMC per node whose chassis-control hook really kills and restarts that
 * node's process), starts one `node.ts` process per node and stops everything by pid.
 *
 * Two network modes:
 * - `netns` (root + `ip netns`): every node in its own network namespace, joined to a switch
 *   namespace by one veth pair per ring (bridges `br0`, `br1`) and one to the management bridge
 *   where the BMCs (and etcd) live. A cable pull is the node's switch ports going down.
 * - `loopback`: every address is 127.0.0.1; a cable pull is the node's UDP transport closing its
 *   ring sockets (`suspendRing`, a transport-level fault switch through the control folder).
 *
 * Run by hand: `node --conditions=@quorate/source --import tsx examples/loopback-cluster/cluster.ts
 * [--nodes 2] [--loopback]`; Ctrl-C stops everything. Tests and `bench/failover.bench.ts` import
 * {@link startCluster}.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initQuorumDisk } from '@quorate/agents';
import type { ControlCommand, HostFile, HostNode } from './host-config.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');

/** One line a node printed (see node.ts). */
export interface NodeEvent {
  t: number;
  node: string;
  event: string;
  [k: string]: unknown;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** 2..9 nodes named node1..nodeN. Default 2. */
  nodes?: number;
  /** Default: `netns` when namespaces work here, else `loopback`. */
  network?: 'netns' | 'loopback';
  /** Default `udp`. `etcd` starts one etcd member (in the switch namespace under netns). */
  transport?: 'udp' | 'etcd';
  /** A quorum disk (default: with two nodes). */
  qdisk?: boolean;
  /** Node the resource prefers (location score 50; stickiness 100 keeps it where it runs). Default node1. */
  preferred?: string;
  /** Cluster document overrides, merged into `options`. */
  options?: Record<string, unknown>;
  /** Fencing overrides (maxAttempts, retryInterval). */
  fencing?: Record<string, unknown>;
  heartbeatIntervalMs?: number;
  ringTimeoutMs?: number;
  /** Keep the temp folder after stop (for reading logs). */
  keep?: boolean;
}

/** A running cluster. Every method acts on real processes and links. */
export interface Cluster {
  readonly root: string;
  readonly network: 'netns' | 'loopback';
  readonly nodes: string[];
  readonly hostFile: HostFile;
  /** Every event line of `node` so far (all its boots). */
  events(node: string): NodeEvent[];
  /** Every event of every node, by time. */
  allEvents(): NodeEvent[];
  /** Waits (polling every 20 ms) until `pred` returns a truthy value; throws after `timeoutMs`. */
  waitFor<T>(what: string, pred: () => T | undefined | false | null, timeoutMs: number): Promise<T>;
  /** Writes an operator command into the node's control folder. */
  control(node: string, cmd: ControlCommand): void;
  /** Pulls every cable of `node` (all rings; under netns the management link stays). Returns the epoch ms of the pull. */
  pullCable(node: string): number;
  restoreCable(node: string): void;
  /** One ring of one node goes down / up. */
  ringDown(node: string, ring: number): number;
  ringUp(node: string, ring: number): void;
  /** netns only: splits the ring networks into groups (nodes not named are alone). */
  partition(groups: string[][]): number;
  heal(): void;
  /** Cuts / restores the node's path to the quorum disk. */
  cutQdisk(node: string): void;
  restoreQdisk(node: string): void;
  /** Power loss of the node and of its BMC: the BMC process and the node process die at once. */
  powerLoss(node: string): number;
  /** `1`/`0` lines of the BMC power file. */
  power(node: string): 'on' | 'off';
  /** The BMC's chassis-control calls: `<epoch ms> set power 0`, ... */
  bmcLog(node: string): Array<{ t: number; line: string }>;
  /** Nodes whose run folder holds `<resource>.state` (the OCF Dummy is active there). */
  activeOn(resource: string): string[];
  /** The node's process id now (from its pid file), if that process lives. */
  pidOf(node: string): number | undefined;
  stop(): Promise<void>;
}

const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Why network namespaces cannot be used here, or undefined. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `qlbprobe${process.pid}`;
  try {
    sh('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `'ip netns add' failed: ${String(err).split('\n')[0]}`;
  }
  try {
    sh('ip', ['netns', 'del', probe]);
  } catch {
    // best effort
  }
  return undefined;
}

/** Why the loopback cluster cannot run here (missing programs), or undefined. */
export function clusterUnavailableReason(): string | undefined {
  for (const p of ['/usr/bin/ipmi_sim', '/usr/bin/tini', '/usr/lib/ocf/resource.d/heartbeat/Dummy']) {
    if (!existsSync(p)) return `${p} is not installed`;
  }
  return undefined;
}

/** Whether `pid` is a live (not zombie) process. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Live processes started by this launcher whose command line has `arg` (a path under its temp folder). */
function pidsWithArg(arg: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (argv.includes(arg) && isAlive(Number(d))) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
async function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

const CHASSIS_CONTROL = `#!/bin/sh
# ipmi_sim chassis_control hook: $1 = the node's machine folder; then "get power" or "set <param> <value>".
# Power off kills the node process (SIGKILL: as the power going away) and empties its run folder;
# power on starts it again (start.sh), as the machine booting.
d="$1"; shift
op="$1"; shift
echo "$(date +%s%3N) $op $*" >> "$d/power.log"
off() {
  if [ -f "$d/node.pid" ]; then kill -KILL "$(cat "$d/node.pid")" 2>/dev/null; fi
  if [ -f "$d/tini.pid" ]; then kill -KILL -- "-$(cat "$d/tini.pid")" 2>/dev/null; fi
  rm -f "$d"/run/*
  echo 0 > "$d/power.state"
}
on() {
  echo 1 > "$d/power.state"
  setsid sh "$d/start.sh" </dev/null >/dev/null 2>&1 &
}
if [ "$op" = get ]; then
  for p in "$@"; do
    case "$p" in
      power) printf 'power:%s\\n' "$(cat "$d/power.state")" ;;
      boot) echo "boot:default" ;;
      *) exit 1 ;;
    esac
  done
  exit 0
fi
if [ "$op" = set ]; then
  while [ $# -gt 1 ]; do
    case "$1" in
      power)
        if [ "$2" = 0 ]; then
          if [ "$(cat "$d/power.state")" = 1 ]; then off; fi
        else
          if [ "$(cat "$d/power.state")" = 0 ]; then on; fi
        fi ;;
      shutdown) off ;;
      reset) off; on ;;
      boot) : ;;
      identify) shift ;;
      *) exit 1 ;;
    esac
    shift 2
  done
  exit 0
fi
exit 1
`;

const RINGS = 2;

/**
 * Starts a cluster of `node.ts` processes with real BMCs (and etcd when asked) and returns a
 * handle. Resolves once every node logged `started`. On failure everything started is stopped.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.nodes ?? 2;
  const names = Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const network = options.network ?? (netnsUnavailableReason() === undefined ? 'netns' : 'loopback');
  const transport = options.transport ?? 'udp';
  const withQdisk = options.qdisk ?? count === 2;
  const root = mkdtempSync(join(tmpdir(), 'quorate-lb-'));
  const cid = randomBytes(2).toString('hex');
  const sw = `q${cid}sw`;
  const nsOf = (n: string): string => `q${cid}${n.replace('node', 'n')}`;
  const idx = (n: string): number => Number(n.replace('node', ''));
  const madeNs: string[] = [];
  const children: ChildProcess[] = [];
  const bmcs: Record<string, ChildProcess> = {};
  let etcd: ChildProcess | undefined;

  const inNs = (ns: string | undefined, argv: string[]): string[] =>
    ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
  const swPort = (n: string, ring: number | 'm'): string =>
    `q${cid}s${idx(n)}${ring === 'm' ? 'm' : `r${ring}`}`;

  let tornDown = false;
  function killAll(): void {
    // BMCs first, so that no chassis hook restarts a node while we stop it.
    for (const [n, c] of Object.entries(bmcs)) killGroup(c, join(root, n, 'bmc', 'lan.conf'));
    if (etcd) killGroup(etcd, join(root, 'etcd'));
    for (const n of names) killNode(n);
    // A node being booted by a chassis hook may not have written its pid file yet.
    for (const p of pidsWithArg(join(root, 'cluster.json'))) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const ns of madeNs.splice(0)) {
      try {
        sh('ip', ['netns', 'del', ns]);
      } catch {
        // gone already
      }
    }
  }
  // If the host process exits without stop() (a crashed test run), still end what we started.
  const onExit = (): void => {
    if (tornDown) return;
    killAll();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  async function teardown(): Promise<void> {
    if (tornDown) return;
    killAll();
    await new Promise((r) => setTimeout(r, 50));
    killAll(); // a chassis hook that was running at the first pass may have booted a node
    tornDown = true;
    process.removeListener('exit', onExit);
  }

  function killGroup(c: ChildProcess, marker?: string): void {
    if (c.pid !== undefined) {
      try {
        process.kill(-c.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    // ipmi_sim leaves tini's process group (it calls setsid): find it by its own config path.
    if (marker)
      for (const p of pidsWithArg(marker)) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          // gone
        }
      }
  }

  function readPid(file: string): number | undefined {
    try {
      const p = Number(readFileSync(file, 'utf8').trim());
      return Number.isInteger(p) && p > 1 ? p : undefined;
    } catch {
      return undefined;
    }
  }

  function killNode(n: string): void {
    const d = join(root, n);
    for (const f of ['node.pid', 'tini.pid']) {
      const p = readPid(join(d, f));
      if (p !== undefined && isAlive(p)) {
        try {
          // tini leads the node's process group (setsid): the group takes OCF children along.
          process.kill(f === 'tini.pid' ? -p : p, 'SIGKILL');
        } catch {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
      }
    }
  }

  try {
    // ---- network -------------------------------------------------------------------------------
    const ringAddr: Record<string, Array<{ address: string; port: number }>> = {};
    const bmcAddr: Record<string, { address: string; port: number }> = {};
    let etcdUrl = '';
    if (network === 'netns') {
      sh('ip', ['netns', 'add', sw]);
      madeNs.push(sw);
      sh('ip', ['-n', sw, 'link', 'set', 'lo', 'up']);
      for (const br of [...Array.from({ length: RINGS }, (_, r) => `br${r}`), 'brm']) {
        sh('ip', ['-n', sw, 'link', 'add', br, 'type', 'bridge', 'forward_delay', '0']);
        sh('ip', ['-n', sw, 'link', 'set', br, 'up']);
      }
      sh('ip', ['-n', sw, 'addr', 'add', '10.99.0.254/24', 'dev', 'br0']);
      for (const n of names) {
        const ns = nsOf(n);
        sh('ip', ['netns', 'add', ns]);
        madeNs.push(ns);
        sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
        const links: Array<[number | 'm', string, string]> = [
          ...Array.from({ length: RINGS }, (_, r): [number, string, string] => [
            r,
            `br${r}`,
            `10.99.${r}.${idx(n)}`,
          ]),
          ['m', 'brm', `10.99.9.${idx(n)}`],
        ];
        ringAddr[n] = [];
        for (const [ring, br, addr] of links) {
          const inner = `${ns}${ring === 'm' ? 'm' : `r${ring}`}`;
          sh('ip', [
            'link',
            'add',
            swPort(n, ring),
            'netns',
            sw,
            'type',
            'veth',
            'peer',
            'name',
            inner,
            'netns',
            ns,
          ]);
          sh('ip', ['-n', sw, 'link', 'set', swPort(n, ring), 'master', br]);
          sh('ip', ['-n', sw, 'link', 'set', swPort(n, ring), 'up']);
          sh('ip', ['-n', ns, 'addr', 'add', `${addr}/24`, 'dev', inner]);
          sh('ip', ['-n', ns, 'link', 'set', inner, 'up']);
          if (ring !== 'm') ringAddr[n].push({ address: addr, port: 5405 });
        }
        const bmcIp = `10.99.9.${100 + idx(n)}`;
        sh('ip', ['-n', sw, 'addr', 'add', `${bmcIp}/24`, 'dev', 'brm']);
        bmcAddr[n] = { address: bmcIp, port: 623 };
      }
      etcdUrl = 'http://10.99.0.254:2379';
    } else {
      for (const n of names) {
        ringAddr[n] = [];
        for (let r = 0; r < RINGS; r++) ringAddr[n].push({ address: '127.0.0.1', port: await freeUdpPort() });
        bmcAddr[n] = { address: '127.0.0.1', port: await freeUdpPort() };
      }
      etcdUrl = `http://127.0.0.1:${await freeTcpPort()}`;
    }

    // ---- files ---------------------------------------------------------------------------------
    const authkey = join(root, 'authkey');
    writeFileSync(authkey, randomBytes(32), { mode: 0o600 });
    const pwFile = join(root, 'ipmi.pw');
    const ipmiPassword = randomBytes(8).toString('hex');
    writeFileSync(pwFile, ipmiPassword, { mode: 0o600 });
    const hook = join(root, 'chassis-control.sh');
    writeFileSync(hook, CHASSIS_CONTROL);
    chmodSync(hook, 0o755);
    let qdisk: HostFile['host']['qdisk'];
    if (withQdisk) {
      qdisk = { path: join(root, 'qdisk.img'), label: 'quorate_lb' };
      const r = await initQuorumDisk(qdisk.path, { label: qdisk.label, slots: count });
      if (!r.ok) throw new Error(`initQuorumDisk: ${r.reason}: ${r.detail}`);
    }
    const hostNodes: Record<string, HostNode> = {};
    for (const n of names) {
      const d = join(root, n);
      mkdirSync(join(d, 'run'), { recursive: true });
      mkdirSync(join(d, 'control'), { recursive: true });
      hostNodes[n] = { dir: d, runDir: join(d, 'run'), rings: ringAddr[n] ?? [] };
    }
    const tokenTimeout = (options.options?.tokenTimeout as string | undefined) ?? '1s';
    const cluster: Record<string, unknown> = {
      name: 'loopback',
      configVersion: 1,
      nodes: names.map((n) => ({ name: n, id: idx(n) })),
      // waitForAll: nobody is quorate before every node was seen once, so the first placement sees them all.
      quorum: withQdisk
        ? {
            expectedVotes: count + 1,
            waitForAll: true,
            qdisk: { votes: 1, interval: '100ms', tko: 3, label: 'quorate_lb' },
          }
        : { waitForAll: true },
      options: {
        noQuorumPolicy: 'stop',
        tokenTimeout,
        stonithTimeout: '3s',
        fenceAction: 'reboot',
        startupFencing: false,
        resourceStickiness: 100,
        ...options.options,
      },
      fencing: {
        devices: names.map((n) => ({
          name: `ipmi-${n}`,
          agent: 'ipmi',
          hosts: [n],
          params: {
            ip: bmcAddr[n]?.address,
            ipport: bmcAddr[n]?.port,
            username: 'admin',
            passwordFile: pwFile,
            lanplus: true,
            cipher: 3,
            timeoutMs: 250,
            retries: 2,
            pollIntervalMs: 20,
            powerTimeoutMs: 2000,
          },
        })),
        maxAttempts: 2,
        retryInterval: '15m',
        ...options.fencing,
      },
      resources: [{ id: 'vm100', agent: 'ocf:heartbeat:Dummy', monitorInterval: '2s' }],
      constraints: [
        {
          kind: 'location',
          id: 'vm100-prefers',
          resource: 'vm100',
          node: options.preferred ?? 'node1',
          score: 50,
        },
      ],
    };
    const hostFile: HostFile = {
      cluster,
      host: {
        transport,
        authkey,
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 25,
        ringTimeoutMs: options.ringTimeoutMs ?? 75,
        ...(qdisk ? { qdisk } : {}),
        ...(transport === 'etcd' ? { etcd: { hosts: [etcdUrl], prefix: `/quorate/${cid}` } } : {}),
        nodes: hostNodes,
      },
    };
    const configPath = join(root, 'cluster.json');
    writeFileSync(configPath, `${JSON.stringify(hostFile, null, 2)}\n`);

    // ---- etcd --------------------------------------------------------------------------------
    if (transport === 'etcd') {
      const url = new URL(etcdUrl);
      const peer = `http://${url.hostname}:${network === 'netns' ? 2380 : await freeTcpPort()}`;
      const argv = inNs(network === 'netns' ? sw : undefined, [
        '/usr/bin/tini',
        '-s',
        '--',
        '/usr/bin/etcd',
        '--name',
        'e1',
        '--data-dir',
        join(root, 'etcd'),
        '--listen-client-urls',
        etcdUrl,
        '--advertise-client-urls',
        etcdUrl,
        '--listen-peer-urls',
        peer,
        '--initial-advertise-peer-urls',
        peer,
        '--initial-cluster',
        `e1=${peer}`,
        '--initial-cluster-state',
        'new',
        '--heartbeat-interval',
        '10',
        '--election-timeout',
        '100',
        '--listen-metrics-urls',
        '',
        '--log-level',
        'warn',
        '--logger',
        'zap',
        '--log-outputs',
        join(root, 'etcd.log'),
      ]);
      etcd = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore', detached: true });
      children.push(etcd);
      await waitEtcd(network === 'netns' ? sw : undefined, etcdUrl);
    }

    // ---- BMCs ----------------------------------------------------------------------------------
    for (const n of names) {
      const d = join(root, n);
      const bmc = join(d, 'bmc');
      mkdirSync(join(bmc, 'state'), { recursive: true });
      writeFileSync(join(d, 'power.state'), '1\n');
      writeFileSync(
        join(bmc, 'lan.conf'),
        [
          `name "bmc-${n}"`,
          'set_working_mc 0x20',
          '  startlan 1',
          `    addr ${bmcAddr[n]?.address} ${bmcAddr[n]?.port}`,
          '    priv_limit admin',
          '    allowed_auths_callback none md2 md5 straight',
          '    allowed_auths_user none md2 md5 straight',
          '    allowed_auths_operator none md2 md5 straight',
          '    allowed_auths_admin none md2 md5 straight',
          `    guid ${randomBytes(16).toString('hex')}`,
          '  endlan',
          `  chassis_control "${hook} ${d}"`,
          '  user 1 false "" "unused" user 10 none md2 md5 straight',
          `  user 2 true "admin" "${ipmiPassword}" admin 10 none md2 md5 straight`,
          '',
        ].join('\n'),
      );
      writeFileSync(
        join(bmc, 'bmc.emu'),
        'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n',
      );
      const argv = inNs(network === 'netns' ? sw : undefined, [
        '/usr/bin/tini',
        '-s',
        '--',
        '/usr/bin/ipmi_sim',
        '-c',
        join(bmc, 'lan.conf'),
        '-f',
        join(bmc, 'bmc.emu'),
        '-s',
        join(bmc, 'state'),
        '-n',
        '-p',
      ]);
      // Own process group: a power loss kills tini and ipmi_sim together (tini does not forward SIGKILL).
      const c = spawn(argv[0] as string, argv.slice(1), {
        stdio: ['ignore', 'ignore', 'ignore'],
        detached: true,
      });
      bmcs[n] = c;
      children.push(c);
    }
    await new Promise((r) => setTimeout(r, 150));
    for (const [n, c] of Object.entries(bmcs))
      if (c.exitCode !== null) throw new Error(`ipmi_sim of ${n} exited with ${c.exitCode}`);

    // ---- nodes ---------------------------------------------------------------------------------
    for (const n of names) {
      const d = join(root, n);
      const argv = inNs(network === 'netns' ? nsOf(n) : undefined, [
        '/usr/bin/tini',
        '-s',
        '--',
        process.execPath,
        '--conditions=@quorate/source',
        '--import',
        'tsx',
        join(HERE, 'node.ts'),
        configPath,
        n,
      ]);
      writeFileSync(
        join(d, 'start.sh'),
        `#!/bin/sh\n# Boots ${n}: its process in its namespace, output appended to out.jsonl / err.log.\ncd ${REPO}\necho $$ > ${d}/tini.pid\nexec ${argv.join(' ')} >> ${d}/out.jsonl 2>> ${d}/err.log\n`,
      );
      const c = spawn('setsid', ['sh', join(d, 'start.sh')], { stdio: 'ignore', detached: true });
      c.unref();
    }

    const handle = makeHandle();
    await handle.waitFor(
      'every node started',
      () => names.every((n) => handle.events(n).some((e) => e.event === 'started')),
      30_000,
    );
    return handle;

    function makeHandle(): Cluster {
      const eventCache: Record<string, { size: number; list: NodeEvent[] }> = {};
      const read = (n: string): NodeEvent[] => {
        const f = join(root, n, 'out.jsonl');
        let text: string;
        try {
          text = readFileSync(f, 'utf8');
        } catch {
          return [];
        }
        const c = eventCache[n];
        if (c && c.size === text.length) return c.list;
        const list: NodeEvent[] = [];
        for (const line of text.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            list.push(JSON.parse(line) as NodeEvent);
          } catch {
            // a line being written
          }
        }
        eventCache[n] = { size: text.length, list };
        return list;
      };
      let seq = 0;
      const portsDown = (n: string, rings: number[], down: boolean): void => {
        for (const r of rings) sh('ip', ['-n', sw, 'link', 'set', swPort(n, r), down ? 'down' : 'up']);
      };
      const partitionBridges: string[] = [];
      return {
        root,
        network,
        nodes: names,
        hostFile,
        events: read,
        allEvents: () => names.flatMap((n) => read(n)).sort((a, b) => a.t - b.t),
        async waitFor(what, pred, timeoutMs) {
          const end = Date.now() + timeoutMs;
          for (;;) {
            const v = pred();
            if (v) return v;
            if (Date.now() > end)
              throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what} (logs in ${root})`);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        control(n, cmd) {
          const dir = join(root, n, 'control');
          const tmp = join(dir, `${Date.now()}-${++seq}.tmp`);
          writeFileSync(tmp, JSON.stringify(cmd));
          renameSync(tmp, join(dir, `${Date.now()}-${String(seq).padStart(6, '0')}.json`));
        },
        pullCable(n) {
          const t = Date.now();
          if (network === 'netns') portsDown(n, [0, 1], true);
          else this.control(n, { cmd: 'suspendRings', rings: [0, 1] });
          return t;
        },
        restoreCable(n) {
          if (network === 'netns') portsDown(n, [0, 1], false);
          else this.control(n, { cmd: 'resumeRings', rings: [0, 1] });
        },
        ringDown(n, ring) {
          const t = Date.now();
          if (network === 'netns') portsDown(n, [ring], true);
          else this.control(n, { cmd: 'suspendRings', rings: [ring] });
          return t;
        },
        ringUp(n, ring) {
          if (network === 'netns') portsDown(n, [ring], false);
          else this.control(n, { cmd: 'resumeRings', rings: [ring] });
        },
        partition(groups) {
          if (network !== 'netns') throw new Error('partition needs network namespaces');
          const t = Date.now();
          const grouped = new Set(groups.flat());
          const all = [...groups.slice(1), ...names.filter((n) => !grouped.has(n)).map((n) => [n])];
          all.forEach((g, gi) => {
            for (let r = 0; r < RINGS; r++) {
              const br = `br${r}g${gi + 1}`;
              sh('ip', ['-n', sw, 'link', 'add', br, 'type', 'bridge', 'forward_delay', '0']);
              sh('ip', ['-n', sw, 'link', 'set', br, 'up']);
              partitionBridges.push(br);
              for (const n of g) sh('ip', ['-n', sw, 'link', 'set', swPort(n, r), 'master', br]);
            }
          });
          return t;
        },
        heal() {
          if (network !== 'netns') return;
          for (const n of names)
            for (let r = 0; r < RINGS; r++)
              sh('ip', ['-n', sw, 'link', 'set', swPort(n, r), 'master', `br${r}`]);
          for (const br of partitionBridges.splice(0)) sh('ip', ['-n', sw, 'link', 'del', br]);
        },
        cutQdisk(n) {
          writeFileSync(join(root, n, 'qdisk.cut'), 'cut\n');
        },
        restoreQdisk(n) {
          rmSync(join(root, n, 'qdisk.cut'), { force: true });
        },
        powerLoss(n) {
          const t = Date.now();
          const b = bmcs[n];
          if (b) killGroup(b, join(root, n, 'bmc', 'lan.conf'));
          killNode(n);
          for (const f of readdirSync(join(root, n, 'run'))) rmSync(join(root, n, 'run', f), { force: true });
          writeFileSync(join(root, n, 'power.state'), '0\n');
          return t;
        },
        power(n) {
          return readFileSync(join(root, n, 'power.state'), 'utf8').trim() === '1' ? 'on' : 'off';
        },
        bmcLog(n) {
          try {
            return readFileSync(join(root, n, 'power.log'), 'utf8')
              .split('\n')
              .filter((l) => l)
              .map((l) => {
                const i = l.indexOf(' ');
                return { t: Number(l.slice(0, i)), line: l.slice(i + 1) };
              });
          } catch {
            return [];
          }
        },
        activeOn(resource) {
          return names.filter((n) => existsSync(join(root, n, 'run', `${resource}.state`)));
        },
        pidOf(n) {
          const p = readPid(join(root, n, 'node.pid'));
          return p !== undefined && isAlive(p) ? p : undefined;
        },
        async stop() {
          await teardown();
          if (!options.keep) rmSync(root, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    await teardown();
    if (!options.keep) rmSync(root, { recursive: true, force: true });
    throw err;
  }
}

async function waitEtcd(ns: string | undefined, url: string): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    try {
      const argv = ['etcdctl', '--endpoints', url, '--command-timeout=1s', 'endpoint', 'health'];
      // Exit 0 = healthy (etcdctl prints the verdict on stderr).
      execFileSync(ns ? 'ip' : 'etcdctl', ns ? ['netns', 'exec', ns, ...argv] : argv.slice(1), {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, ETCDCTL_API: '3' },
      });
      return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`etcd not healthy at ${url}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- run by hand ---------------------------------------------------------------------------------
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const nodes = Number(args[args.indexOf('--nodes') + 1] ?? 2) || 2;
  const c = await startCluster({
    nodes,
    keep: true,
    ...(args.includes('--loopback') ? { network: 'loopback' as const } : {}),
    ...(args.includes('--etcd') ? { transport: 'etcd' as const } : {}),
  });
  process.stdout.write(
    `cluster of ${nodes} nodes up (${c.network}); folder ${c.root}\n` +
      `events: tail -f ${c.root}/node*/out.jsonl; operator: write JSON into ${c.root}/<node>/control/\n` +
      'Ctrl-C stops everything.\n',
  );
  const stop = (): void => {
    void c.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
