/**
 * Child process for the SNMPv3 DES checks: Node 20+ (OpenSSL 3) has DES only with
 * `--openssl-legacy-provider`, so the test runs this file as
 * `node --openssl-legacy-provider --conditions=@quorate/source --import tsx snmp-des-child.ts`.
 * It starts the simulator with a SHA/DES user, drives our agent (and the real
 * fence_intelmodular when installed) and prints one JSON line with what happened.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createImsFenceAgent } from '../../src/snmp/index.js';
import { startSnmpSim } from './snmp-sim.js';

const sim = await startSnmpSim({
  plugs: 2,
  users: [
    { name: 'desuser', authProtocol: 'sha', authKey: 'authpass3', privProtocol: 'des', privKey: 'privpass3' },
  ],
});
const result: Record<string, unknown> = {};
try {
  const agent = createImsFenceAgent({
    ip: '127.0.0.1',
    ipport: sim.port,
    username: 'desuser',
    password: 'authpass3',
    authProtocol: 'SHA',
    privProtocol: 'DES',
    privPassword: 'privpass3',
    timeoutMs: 500,
    retries: 1,
    powerPollMs: 20,
  });
  const ctx = { signal: new AbortController().signal };
  result.ours = [
    await agent.run({ action: 'status', target: 'b1', port: '1' } as never, ctx),
    await agent.run({ action: 'off', target: 'b1', port: '1' } as never, ctx),
  ];
  result.oursPower = sim.power.get(1);
  const IMS = '/usr/sbin/fence_intelmodular';
  if (existsSync(IMS)) {
    result.real = await new Promise((resolve) =>
      execFile(
        IMS,
        [
          '--ip=127.0.0.1',
          `--ipport=${sim.port}`,
          '--snmp-version=3',
          '--username=desuser',
          '--password=authpass3',
          '--snmp-auth-prot=SHA',
          '--snmp-sec-level=authPriv',
          '--snmp-priv-prot=DES',
          '--snmp-priv-passwd=privpass3',
          '--plug=2',
          '-o',
          'off',
        ],
        { timeout: 20_000 },
        (err, stdout) => resolve({ code: err ? err.code : 0, stdout }),
      ),
    );
    result.realPower = sim.power.get(2);
  }
} finally {
  await sim.close();
}
console.log(JSON.stringify(result));
