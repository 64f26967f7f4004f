/**
 * Test peer for the exec fence agent: OpenIPMI's `ipmi_sim` BMC on 127.0.0.1 (a free UDP port),
 * power kept in a one-line file through its `chassis_control` hook. The real `fence_ipmilan` (via
 * ipmitool) talks to it. Started from Node, so Node reaps it when it is killed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './snmp-sim.js';

export const IPMI_SIM = '/usr/bin/ipmi_sim';
export const IPMITOOL = '/usr/bin/ipmitool';
export const FENCE_IPMILAN = '/usr/sbin/fence_ipmilan';

/** True when ipmi_sim, ipmitool and fence_ipmilan are installed. */
export const haveIpmiTools = existsSync(IPMI_SIM) && existsSync(IPMITOOL) && existsSync(FENCE_IPMILAN);

export interface ExecIpmiSim {
  port: number;
  user: string;
  password: string;
  /** 'on' | 'off' as the simulated chassis has it now. */
  power(): 'on' | 'off';
  setPower(p: 'on' | 'off'): void;
  /** Every chassis_control call ("get power", "set power 0"...). */
  log(): string[];
  close(): Promise<void>;
}

// The chassis_control program: ipmi_sim runs "<prog> <statefile> get power" (print power:N) and
// "<prog> <statefile> set power N" / "set reset 1" ... once per IPMI chassis command.
const CHASSIS_CONTROL = `#!/bin/sh
state="$1"; shift; op="$1"; shift
echo "$op $*" >> "$state.log"
if [ "$op" = get ]; then
  for p in "$@"; do case "$p" in power) echo "power:$(cat "$state")";; boot) echo "boot:default";; *) exit 1;; esac; done
  exit 0
fi
if [ "$op" = set ]; then
  while [ $# -gt 1 ]; do
    case "$1" in power) echo "$2" > "$state";; shutdown) echo 0 > "$state";; reset|boot) : ;; identify) shift ;; *) exit 1;; esac
    shift 2
  done
  exit 0
fi
exit 1
`;

/** Starts ipmi_sim with user `admin`/`password` (default `secret12`); resolves once ipmitool gets an answer. */
export async function startExecIpmiSim(opts: { password?: string } = {}): Promise<ExecIpmiSim> {
  const user = 'admin';
  const password = opts.password ?? 'secret12';
  const dir = mkdtempSync(join(tmpdir(), 'quorate-exec-ipmi-'));
  const port = await freeUdpPort();
  const state = join(dir, 'power.state');
  const ctl = join(dir, 'chassisctl.sh');
  writeFileSync(state, '1\n');
  writeFileSync(ctl, CHASSIS_CONTROL);
  chmodSync(ctl, 0o755);
  writeFileSync(
    join(dir, 'lan.conf'),
    `name "quoratebmc"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 ${port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  chassis_control "${ctl} ${state}"
  user 1 false "" "unused" user 10 none md2 md5 straight
  user 2 true "${user}" "${password}" admin 10 none md2 md5 straight
`,
  );
  writeFileSync(
    join(dir, 'bmc.emu'),
    'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n',
  );
  const child: ChildProcess = spawn(
    IPMI_SIM,
    ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'bmc.emu'), '-s', join(dir, 'state'), '-n', '-p'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when a real RMCP+ session works (cipher suite 3: without it ipmitool waits ~10 s).
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) =>
      execFile(
        IPMITOOL,
        [
          '-I',
          'lanplus',
          '-C',
          '3',
          '-N',
          '1',
          '-R',
          '1',
          '-H',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          user,
          '-P',
          password,
          'chassis',
          'power',
          'status',
        ],
        (err) => resolve(!err),
      ),
    );
    if (ok) {
      return {
        port,
        user,
        password,
        power: () => (readFileSync(state, 'utf8').trim() === '1' ? 'on' : 'off'),
        setPower: (p) => writeFileSync(state, p === 'on' ? '1\n' : '0\n'),
        log: () =>
          existsSync(`${state}.log`) ? readFileSync(`${state}.log`, 'utf8').trim().split('\n') : [],
        close,
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await close();
  throw new Error(`ipmi_sim did not answer on 127.0.0.1:${port}`);
}
