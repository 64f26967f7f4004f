/**
 * One cluster node per process: `node.ts <cluster.json> <node name>`.
 *
 * Adapters: UDP transport on two rings (or etcd), file quorum disk, IPMI fencing (each device an
 * `ipmi_sim`), OCF resources (Dummy with its state file in this node's run folder), all built from
 * the cluster document by the agents registry. Every library event is one JSON line on stdout:
 * `{"t": <epoch ms>, "node": ..., "event": ..., ...fields}`.
 *
 * Operator commands arrive as JSON files in `<node dir>/control/` (see `ControlCommand`), e.g.
 * `{"cmd":"confirmFenced","node":"node2"}`. A file `<node dir>/qdisk.cut` cuts this node's path to
 * the quorum disk (every read and write fails), standing in for the storage network of seed 001.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createEtcdTransport,
  createFenceAgentsForConfig,
  createFileQuorumDisk,
  createResourceAgentsForConfig,
  createUdpTransport,
  type UdpTransport,
} from '@quorate/agents';
import {
  type Clock,
  createClusterNode,
  type FenceAgent,
  type Logger,
  parseClusterConfig,
  type QuorumDisk,
  type ResourceAgent,
  type Transport,
} from '@quorate/core';
import type { ControlCommand, HostFile } from './host-config.js';

const [configPath, self] = process.argv.slice(2);
if (configPath === undefined || self === undefined) {
  process.stderr.write('usage: node.ts <cluster.json> <node name>\n');
  process.exit(2);
}
const file = JSON.parse(readFileSync(configPath, 'utf8')) as HostFile;
const me = file.host.nodes[self];
if (me === undefined) {
  process.stderr.write(`node '${self}' is not in ${configPath}\n`);
  process.exit(2);
}
const config = parseClusterConfig(file.cluster);
mkdirSync(me.runDir, { recursive: true });
mkdirSync(join(me.dir, 'control'), { recursive: true });
writeFileSync(join(me.dir, 'node.pid'), `${process.pid}\n`);

function emit(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ t: Date.now(), node: self, event, ...fields })}\n`);
}

const logger: Logger = {
  debug() {},
  info: (msg, fields) => emit('log', { level: 'info', msg, ...fields }),
  warn: (msg, fields) => emit('log', { level: 'warn', msg, ...fields }),
  error: (msg, fields) => emit('log', { level: 'error', msg, ...fields }),
};

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

// ---- transport -------------------------------------------------------------------------------
let udp: UdpTransport | undefined;
let transport: Transport;
if (file.host.transport === 'etcd') {
  const e = file.host.etcd;
  if (e === undefined) throw new Error('host.etcd is required for the etcd transport');
  transport = createEtcdTransport({
    hosts: e.hosts,
    prefix: e.prefix,
    self,
    leaseTtlMs: config.options.tokenTimeoutMs,
    logger,
  });
} else {
  const nodes: Record<string, { id: number; rings: Array<{ address: string; port: number }> }> = {};
  for (const n of config.nodes) {
    const h = file.host.nodes[n.name];
    if (h) nodes[n.name] = { id: n.id, rings: h.rings };
  }
  udp = createUdpTransport({
    self,
    nodes,
    keyFile: file.host.authkey,
    heartbeatIntervalMs: file.host.heartbeatIntervalMs,
    tokenTimeoutMs: config.options.tokenTimeoutMs,
    ringTimeoutMs: file.host.ringTimeoutMs,
    logger,
  });
  transport = udp;
}

/**
 * Holds messages that arrive between `join` and core's membership subscription and hands them
 * over right after it: core drops a report from a peer it does not yet count as a member, and
 * peers do not send it again (a start-up race; reported to the core owner).
 */
const ringsDownFile = join(me.dir, 'rings.down');
const ringsDown = new Set<number>(
  existsSync(ringsDownFile) ? (JSON.parse(readFileSync(ringsDownFile, 'utf8')) as number[]) : [],
);

function deliverAfterSubscription(t: Transport): Transport {
  let held: Array<[string, Parameters<Parameters<Transport['join']>[1]>[1]]> | null = [];
  let deliver: Parameters<Transport['join']>[1] = () => {};
  const flush = (): void => {
    const list = held ?? [];
    held = null;
    // After core applied the membership it queues on the synchronous link reports (a 0 ms timer).
    setTimeout(() => {
      for (const [from, msg] of list) deliver(from, msg);
    }, 10);
  };
  const w: Transport = {
    join: (name, onMessage, ctx) => {
      deliver = onMessage;
      return t
        .join(name, (from, msg) => (held ? held.push([from, msg]) : onMessage(from, msg)), ctx)
        .then(async () => {
          // A cable pulled by the ring switch stays pulled across a reboot, as a real one would.
          for (const r of ringsDown) await udp?.suspendRing(r);
          if (ringsDown.size > 0) emit('fault', { rings: [...ringsDown], down: true, atBoot: true });
        });
    },
    send: (to, msg) => t.send(to, msg),
    broadcast: (msg) => t.broadcast(msg),
    rings: () => t.rings(),
    close: () => t.close(),
  };
  if (t.onReachability) {
    const sub = t.onReachability.bind(t);
    w.onReachability = (cb) => {
      const u = sub((peer, ring, up, silentForMs) => {
        emit('link', { peer, ring, up, ...(silentForMs !== undefined ? { silentForMs } : {}) });
        cb(peer, ring, up, silentForMs);
      });
      flush();
      return u;
    };
  } else if (t.onMembership) {
    const sub = t.onMembership.bind(t);
    w.onMembership = (cb) => {
      const u = sub(cb);
      flush();
      return u;
    };
  }
  return w;
}

// ---- quorum disk (with the storage-path switch) -------------------------------------------------
let quorumDisk: QuorumDisk | undefined;
if (config.quorum.qdisk && file.host.qdisk) {
  const disk = createFileQuorumDisk({ path: file.host.qdisk.path, label: file.host.qdisk.label, logger });
  const cut = join(me.dir, 'qdisk.cut');
  const down = { ok: false as const, reason: 'io-error', detail: 'storage path cut' };
  quorumDisk = {
    write: (slot, state, ctx) => (existsSync(cut) ? Promise.resolve(down) : disk.write(slot, state, ctx)),
    readAll: (ctx) => (existsSync(cut) ? Promise.resolve(down) : disk.readAll(ctx)),
    close: () => disk.close(),
  };
}

// ---- agents, timed --------------------------------------------------------------------------------
function timedFence(name: string, a: FenceAgent): FenceAgent {
  return {
    async run(req, ctx) {
      const t0 = performance.now();
      const out = await a.run(req, ctx);
      emit('fence.call', {
        device: name,
        action: req.action,
        target: req.target,
        ms: performance.now() - t0,
        ok: out.ok,
        ...(out.ok ? { power: out.power } : { reason: out.reason, detail: out.detail }),
      });
      return out;
    },
    close: () => a.close?.() ?? Promise.resolve(),
  };
}
function timedResource(a: ResourceAgent): ResourceAgent {
  return {
    async run(req, ctx) {
      const t0 = performance.now();
      const out = await a.run(req, ctx);
      if (req.action !== 'monitor' || !out.ok || out.running)
        emit('resource.call', {
          resource: req.resource,
          action: req.action,
          ms: performance.now() - t0,
          ok: out.ok,
          ...(out.ok ? { running: out.running } : { reason: out.reason }),
        });
      return out;
    },
    close: () => a.close?.() ?? Promise.resolve(),
  };
}
const fenceAgents = Object.fromEntries(
  Object.entries(createFenceAgentsForConfig(config)).map(([k, a]) => [k, timedFence(k, a)]),
);
const ocfParams: Record<string, Record<string, string>> = {};
for (const r of config.resources) ocfParams[r.id] = { state: join(me.runDir, `${r.id}.state`) };
const resourceAgents = Object.fromEntries(
  Object.entries(createResourceAgentsForConfig(config, { ocfParams, ocfTimeoutMs: 10_000 })).map(([k, a]) => [
    k,
    timedResource(a),
  ]),
);

// ---- the node -------------------------------------------------------------------------------------
const node = createClusterNode({
  config,
  node: self,
  transport: deliverAfterSubscription(transport),
  fenceAgents,
  resourceAgents,
  ...(quorumDisk ? { quorumDisk } : {}),
  clock,
  logger,
  random: { next: () => Math.random() },
  resourceTimeoutMs: 20_000,
  onSelfFence: (reason) => {
    emit('selfFenceExit', { reason });
    process.exit(70);
  },
});
for (const ev of [
  'membership',
  'ring',
  'quorum',
  'fence',
  'resource',
  'transition',
  'config',
  'selfFence',
] as const) {
  node.on(ev, (e: object) => emit(ev, e as Record<string, unknown>));
}

async function control(c: ControlCommand): Promise<void> {
  emit('control', { command: c });
  switch (c.cmd) {
    case 'confirmFenced':
      node.confirmFenced(c.node);
      break;
    case 'requestFence':
      node.requestFence(c.node);
      break;
    case 'suspendRings':
      for (const r of c.rings) {
        await udp?.suspendRing(r);
        ringsDown.add(r);
      }
      writeFileSync(ringsDownFile, JSON.stringify([...ringsDown]));
      emit('fault', { rings: c.rings, down: true });
      break;
    case 'resumeRings':
      for (const r of c.rings) {
        await udp?.resumeRing(r);
        ringsDown.delete(r);
      }
      writeFileSync(ringsDownFile, JSON.stringify([...ringsDown]));
      emit('fault', { rings: c.rings, down: false });
      break;
    case 'status':
      emit('status', node.status() as unknown as Record<string, unknown>);
      break;
    case 'shutdown':
      await node.shutdown();
      await quit(0);
      break;
  }
}

const controlDir = join(me.dir, 'control');
let busy = false;
const poll = setInterval(() => {
  if (busy) return;
  busy = true;
  void (async () => {
    try {
      for (const f of readdirSync(controlDir)
        .filter((x) => x.endsWith('.json'))
        .sort()) {
        const p = join(controlDir, f);
        let c: ControlCommand;
        try {
          c = JSON.parse(readFileSync(p, 'utf8')) as ControlCommand;
        } catch {
          continue; // still being written
        }
        rmSync(p, { force: true });
        await control(c);
      }
    } finally {
      busy = false;
    }
  })();
}, 20);

let quitting = false;
async function quit(code: number): Promise<void> {
  if (quitting) return;
  quitting = true;
  clearInterval(poll);
  await node.stop();
  await transport.close();
  await quorumDisk?.close?.();
  for (const a of [...Object.values(fenceAgents), ...Object.values(resourceAgents)]) await a.close?.();
  emit('exit', { code });
  process.exit(code);
}
process.on('SIGTERM', () => void quit(0));
process.on('SIGINT', () => void quit(0));

emit('boot', { pid: process.pid, transport: file.host.transport });
await node.start();
emit('started', { members: node.status().members });
