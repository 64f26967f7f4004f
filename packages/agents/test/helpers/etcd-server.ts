/**
 * Test peer: a real single-member etcd (Debian `etcd-server`, `/usr/bin/etcd`) started under
 * `tini -s --` on free loopback ports, data dir in a temp dir, with fast heartbeat/election
 * settings so lease TTLs of 1 s are honoured (etcd raises any TTL below 1.5 × election timeout).
 * Stopped by pid; the data dir is removed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the binaries are expected. */
export const ETCD_BIN = '/usr/bin/etcd';
export const TINI_BIN = '/usr/bin/tini';

/** Why etcd tests cannot run here, or undefined when they can. */
export function etcdUnavailableReason(): string | undefined {
  if (!existsSync(ETCD_BIN)) return `${ETCD_BIN} not installed (apt-get install etcd-server)`;
  if (!existsSync(TINI_BIN)) return `${TINI_BIN} not installed (apt-get install tini)`;
  return undefined;
}

/** A running etcd member. */
export interface EtcdServer {
  /** `http://127.0.0.1:<clientPort>` */
  endpoint: string;
  clientPort: number;
  peerPort: number;
  /** pid of tini (which forwards signals to etcd). */
  pid: number;
  dataDir: string;
  /** Stops the process (SIGTERM via tini) and waits for its exit. Keeps the data dir. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data dir (after `stop`). */
  restart(): Promise<void>;
  /** `stop` + removes the data dir. */
  destroy(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bind to 0, note, close). */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts one etcd member and waits (bounded, 15 s) until `/health` answers true. `fast` (default
 * true) passes `--heartbeat-interval 10 --election-timeout 100`; false keeps etcd's defaults
 * (100/1000 ms, so lease TTLs below 2 s are raised to 2 s).
 */
export async function startEtcd(options: { fast?: boolean } = {}): Promise<EtcdServer> {
  const fast = options.fast ?? true;
  const dataDir = mkdtempSync(join(tmpdir(), 'quorate-etcd-'));
  const clientPort = await freeTcpPort();
  const peerPort = await freeTcpPort();
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    const args = [
      '-s',
      '--',
      ETCD_BIN,
      '--name',
      'n1',
      '--data-dir',
      join(dataDir, 'n1.etcd'),
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      peerUrl,
      '--initial-advertise-peer-urls',
      peerUrl,
      '--initial-cluster',
      `n1=${peerUrl}`,
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      `quorate-test-${clientPort}`,
      ...(fast ? ['--heartbeat-interval', '10', '--election-timeout', '100'] : []),
      '--listen-metrics-urls',
      '',
      '--logger',
      'zap',
      '--log-level',
      'warn',
      '--log-outputs',
      join(dataDir, 'n1.log'),
    ];
    const c = spawn(TINI_BIN, args, { stdio: 'ignore' });
    child = c;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const end = Date.now() + 15_000;
    for (;;) {
      if (c.exitCode !== null)
        throw new Error(`etcd exited with ${c.exitCode} (log: ${join(dataDir, 'n1.log')})`);
      try {
        const r = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
        const body = (await r.json()) as { health?: string };
        if (body.health === 'true') return;
      } catch {
        // not up yet
      }
      if (Date.now() > end) {
        c.kill('SIGKILL');
        throw new Error(`etcd not healthy on ${endpoint} after 15 s`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  await launch();
  const server: EtcdServer = {
    endpoint,
    clientPort,
    peerPort,
    get pid() {
      return child?.pid ?? -1;
    },
    dataDir,
    async stop() {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGTERM');
      const killer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
    async restart() {
      await server.stop();
      await launch();
    },
    async destroy() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
