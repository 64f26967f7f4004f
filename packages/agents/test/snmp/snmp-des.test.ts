/**
 * SNMPv3 authPriv with DES. Node 20+ links OpenSSL 3, which has DES only in its legacy provider,
 * so the check runs in a child `node --openssl-legacy-provider` (helpers/snmp-des-child.ts): our
 * agent and the real fence_intelmodular (when installed) each switch a blade off over SHA/DES.
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..', '..');

describe('SNMPv3 authPriv SHA/DES (child with the OpenSSL legacy provider)', () => {
  it('our agent and fence_intelmodular both switch a blade off', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [
          '--openssl-legacy-provider',
          '--conditions=@quorate/source',
          '--import',
          'tsx',
          join(here, '..', 'helpers', 'snmp-des-child.ts'),
        ],
        { cwd: root, timeout: 30_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
    expect(result.ours).toEqual([
      { ok: true, power: 'on' },
      { ok: true, power: 'off' },
    ]);
    expect(result.oursPower).toBe(false);
    if (result.real !== undefined) {
      expect(result.real).toEqual({ code: 0, stdout: 'Success: Powered OFF\n' });
      expect(result.realPower).toBe(false);
    } else {
      console.warn('fence_intelmodular not installed: only our agent was checked over DES');
    }
  });
});
