/**
 * Test harness: real OpenIPMI `ipmi_sim` BMCs on 127.0.0.1, one process per simulated node.
 *
 * Each BMC gets a temp dir with its `lan.conf`, `bmc.emu` and a `chassis_control` script that
 * keeps the power state in `power.state` ("1"/"0") and appends one line per get/set to
 * `power.log`, so tests read what the simulator did. ipmi_sim runs under `tini -s --` and is
 * stopped by pid. Users: `admin` (administrator), `viewer` (user level).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRmcpPacket, encodeAsfPing } from '../../src/ipmi/rmcp-codec.js';

/** Which real programs are installed (tests skip with a clear reason when one is missing). */
export interface IpmiTools {
  ipmiSim: string | undefined;
  ipmitool: string | undefined;
  fenceIpmilan: string | undefined;
  tini: string | undefined;
}

function which(name: string, extra: string[] = []): string | undefined {
  for (const dir of [
    ...extra,
    ...(process.env.PATH ?? '').split(':'),
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ]) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** Looks up ipmi_sim, ipmitool, fence_ipmilan and tini. */
export function findIpmiTools(): IpmiTools {
  return {
    ipmiSim: which('ipmi_sim'),
    ipmitool: which('ipmitool'),
    fenceIpmilan: which('fence_ipmilan', ['/usr/sbin']),
    tini: which('tini'),
  };
}

/** A free UDP port on 127.0.0.1 (bound then released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** One running simulated BMC. */
export interface IpmiSimBmc {
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  readonly username: string;
  readonly password: string;
  /** Power state as the simulator's chassis_control script recorded it. */
  power(): 'on' | 'off';
  /** Sets the recorded power state directly (as if someone pressed the button). */
  setPower(p: 'on' | 'off'): void;
  /** The chassis_control calls so far, e.g. `set power 0`, `set reset 1`, `get power`. */
  controlLog(): string[];
  /** Stops the simulator (SIGTERM to tini, which forwards it) and removes the temp dir. */
  stop(): Promise<void>;
}

/** Options of {@link startIpmiSim}. */
export interface IpmiSimOptions {
  username?: string;
  password?: string;
  power?: 'on' | 'off';
  port?: number;
}

const CHASSIS_SCRIPT = `#!/bin/sh
# chassis_control hook for ipmi_sim: $1 = state file; then "get power" or "set <param> <value>".
state="$1"; shift
op="$1"; shift
echo "$op $*" >> "$state.log"
if [ "$op" = get ]; then
  for p in "$@"; do
    case "$p" in
      power) printf 'power:%s\\n' "$(cat "$state")" ;;
      boot) echo "boot:default" ;;
      *) exit 1 ;;
    esac
  done
  exit 0
fi
if [ "$op" = set ]; then
  while [ $# -gt 1 ]; do
    case "$1" in
      power) echo "$2" > "$state" ;;
      shutdown) echo 0 > "$state" ;;
      reset|boot) : ;;
      identify) shift ;;
      *) exit 1 ;;
    esac
    shift 2
  done
  exit 0
fi
exit 1
`;

/** Waits until the BMC answers an ASF presence ping (bounded). */
async function waitForPong(port: number, child: ChildProcess, limitMs: number): Promise<void> {
  const s = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      let tries = 0;
      const timer = setInterval(() => {
        if (child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`ipmi_sim exited with ${child.exitCode}`));
          return;
        }
        if (++tries * 20 > limitMs) {
          clearInterval(timer);
          reject(new Error(`ipmi_sim did not answer on 127.0.0.1:${port} within ${limitMs}ms`));
          return;
        }
        s.send(encodeAsfPing(tries & 0xff), port, '127.0.0.1');
      }, 20);
      s.on('message', (m) => {
        const d = decodeRmcpPacket(m);
        if (d.ok && d.value.kind === 'asf' && d.value.messageType === 0x40) {
          clearInterval(timer);
          resolve();
        }
      });
      s.on('error', () => undefined);
    });
  } finally {
    s.close();
  }
}

/**
 * Starts one `ipmi_sim` on 127.0.0.1 (a free port unless `port` is given), waits until it answers
 * and returns a handle. Requires ipmi_sim and tini (check {@link findIpmiTools} first).
 */
export async function startIpmiSim(options: IpmiSimOptions = {}): Promise<IpmiSimBmc> {
  const tools = findIpmiTools();
  if (!tools.ipmiSim || !tools.tini) throw new Error('ipmi_sim or tini is not installed');
  const username = options.username ?? 'admin';
  const password = options.password ?? 'secret';
  const port = options.port ?? (await freeUdpPort());
  const dir = mkdtempSync(join(tmpdir(), 'quorate-ipmi-sim-'));
  const state = join(dir, 'power.state');
  const script = join(dir, 'chassis-control.sh');
  writeFileSync(state, options.power === 'off' ? '0\n' : '1\n');
  writeFileSync(script, CHASSIS_SCRIPT);
  chmodSync(script, 0o755);
  writeFileSync(
    join(dir, 'lan.conf'),
    [
      'name "quorate-test"',
      'set_working_mc 0x20',
      '  startlan 1',
      `    addr 127.0.0.1 ${port}`,
      '    priv_limit admin',
      '    allowed_auths_callback none md2 md5 straight',
      '    allowed_auths_user none md2 md5 straight',
      '    allowed_auths_operator none md2 md5 straight',
      '    allowed_auths_admin none md2 md5 straight',
      '    guid 0123456789abcdef0123456789abcdef',
      '  endlan',
      `  chassis_control "${script} ${state}"`,
      '  user 1 false "" "unused" user 10 none md2 md5 straight',
      `  user 2 true "${username}" "${password}" admin 10 none md2 md5 straight`,
      '  user 3 true "viewer" "viewpw" user 10 none md2 md5 straight',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'bmc.emu'),
    'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n',
  );
  const child = spawn(
    tools.tini,
    [
      '-s',
      '--',
      tools.ipmiSim,
      '-c',
      join(dir, 'lan.conf'),
      '-f',
      join(dir, 'bmc.emu'),
      '-s',
      join(dir, 'state'),
      '-n',
      '-p',
    ],
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPong(port, child, 5000);
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    port,
    dir,
    pid: child.pid ?? -1,
    username,
    password,
    power: () => (readFileSync(state, 'utf8').trim() === '1' ? 'on' : 'off'),
    setPower: (p) => writeFileSync(state, p === 'on' ? '1\n' : '0\n'),
    controlLog: () =>
      existsSync(`${state}.log`)
        ? readFileSync(`${state}.log`, 'utf8')
            .split('\n')
            .filter((l) => l)
        : [],
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs real ipmitool against a BMC (password through `-E`), returns stdout; throws on failure. */
export function ipmitool(
  bmcPort: number,
  password: string,
  args: string[],
  cipher = 3,
  username = 'admin',
): string {
  return execFileSync(
    'ipmitool',
    [
      '-I',
      'lanplus',
      '-C',
      String(cipher),
      '-H',
      '127.0.0.1',
      '-p',
      String(bmcPort),
      '-U',
      username,
      '-E',
      '-N',
      '1',
      '-R',
      '2',
      ...args,
    ],
    { env: { ...process.env, IPMI_PASSWORD: password }, encoding: 'utf8', timeout: 15_000 },
  );
}
