/**
 * Test helper: two network namespaces joined by one veth pair per ring, so that taking a link
 * down is a real cable pull for the processes inside. Needs root and `ip netns`; every namespace
 * it creates is deleted by `destroy()` (which also removes the veth pairs).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

/** One veth pair: `ifA` lives in namespace A with `addrA`, `ifB` in B with `addrB` (/24). */
export interface NetnsLink {
  ifA: string;
  ifB: string;
  addrA: string;
  addrB: string;
}

export interface NetnsPair {
  nsA: string;
  nsB: string;
  links: NetnsLink[];
  /** Takes link `i` down on side A: the carrier drops on both ends, as when a cable is pulled. */
  linkDown(i: number): void;
  /** Brings link `i` up again on side A. */
  linkUp(i: number): void;
  /** Spawns `cmd args` inside namespace `ns` (via `ip netns exec`). */
  spawnIn(ns: string, cmd: string, args: string[], cwd: string): ChildProcess;
  /** Deletes both namespaces (and with them the veth pairs). Idempotent. */
  destroy(): void;
}

function ip(args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Why namespaces cannot be used here (not root, no `ip netns`), or undefined when they can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const probe = `qprobe${process.pid}`;
  try {
    ip(['netns', 'add', probe]);
  } catch (err) {
    return `'ip netns add' failed: ${String(err).split('\n')[0]}`;
  }
  try {
    ip(['netns', 'del', probe]);
  } catch {
    // best effort
  }
  return undefined;
}

/** Creates namespaces `qa<id>` and `qb<id>` and `links` veth pairs on 10.77.<i>.1/2. */
export function createNetnsPair(links: number): NetnsPair {
  const id = String(process.pid % 100_000);
  const nsA = `qa${id}`;
  const nsB = `qb${id}`;
  const made: string[] = [];
  const destroy = (): void => {
    for (const ns of made.splice(0)) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const ns of [nsA, nsB]) {
      ip(['netns', 'add', ns]);
      made.push(ns);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const list: NetnsLink[] = [];
    for (let i = 0; i < links; i++) {
      const l: NetnsLink = {
        ifA: `${nsA}r${i}`,
        ifB: `${nsB}r${i}`,
        addrA: `10.77.${i}.1`,
        addrB: `10.77.${i}.2`,
      };
      ip(['link', 'add', l.ifA, 'netns', nsA, 'type', 'veth', 'peer', 'name', l.ifB, 'netns', nsB]);
      ip(['-n', nsA, 'addr', 'add', `${l.addrA}/24`, 'dev', l.ifA]);
      ip(['-n', nsB, 'addr', 'add', `${l.addrB}/24`, 'dev', l.ifB]);
      ip(['-n', nsA, 'link', 'set', l.ifA, 'up']);
      ip(['-n', nsB, 'link', 'set', l.ifB, 'up']);
      list.push(l);
    }
    return {
      nsA,
      nsB,
      links: list,
      linkDown: (i) => ip(['-n', nsA, 'link', 'set', list[i]!.ifA, 'down']),
      linkUp: (i) => ip(['-n', nsA, 'link', 'set', list[i]!.ifA, 'up']),
      spawnIn: (ns, cmd, args, cwd) =>
        spawn('ip', ['netns', 'exec', ns, cmd, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }),
      destroy,
    };
  } catch (err) {
    destroy();
    throw err;
  }
}
