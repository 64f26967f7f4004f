import type { Ctx, FenceAgent, FenceOutcome, FenceRequest } from '@quorate/core';
import { type PowerDevice, runPowerAction } from './power-device.js';
import type { SnmpFenceOptions } from './snmp-options.js';
import { resolveSnmpOptions } from './snmp-session.js';

/**
 * bladePowerLed column of the Intel Modular Server MIB (INTELCORPORATION-MULTI-FLEX-SERVER-BLADES-MIB),
 * as fence_intelmodular uses it: `<column>.<blade slot>`.
 */
export const IMS_BLADE_POWER_OID = '1.3.6.1.4.1.343.2.19.1.2.10.202.1.1.6';

const imsDevice: PowerDevice = {
  model: 'Intel Modular Server',
  statusOid: (plug) => `${IMS_BLADE_POWER_OID}.${plug}`,
  controlOid: (plug) => `${IMS_BLADE_POWER_OID}.${plug}`,
  // As fence_intelmodular: 2 is on, anything else is off.
  isOn: (v) => Number(v) === 2,
  // SET 2 = on, 3 = off.
  commandValue: (on) => (on ? 2 : 3),
  listOid: IMS_BLADE_POWER_OID,
  listHasNames: false,
};

/**
 * Creates a fence agent for an Intel Modular Server chassis (MFSYS25/35) over SNMP, speaking what
 * fence_intelmodular speaks: GET bladePowerLed (2 = on), SET 2 (on) / 3 (off), then read back until
 * the state matches (`powerTimeoutMs`). The plug is the blade slot (`req.port`, else the target).
 *
 * Options are validated with zod (throws `ConfigError` for bad options or a missing secret
 * variable/file). SNMP version defaults to `3` (firmware ≥ 2.7 removed v2 writes).
 * Actions: `status`, `on`, `off`, `reboot` (off, confirm off, on), `list` (blade slots),
 * `monitor` (reads sysDescr). Never rejects: a silent peer gives `timeout` after
 * `timeoutMs × (retries + 1)`; an SNMPv3 report (unknown user, wrong level) gives `refused`;
 * `ctx.signal` gives `aborted`. No secret appears in any outcome.
 */
export function createImsFenceAgent(options: SnmpFenceOptions): FenceAgent {
  const r = resolveSnmpOptions(options, '3');
  const agent = {
    run(req: FenceRequest, ctx: Ctx): Promise<FenceOutcome> {
      return runPowerAction(r, async () => imsDevice, req, ctx.signal);
    },
    async close(): Promise<void> {},
  } satisfies FenceAgent;
  return agent;
}
