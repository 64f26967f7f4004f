import type { Ctx, FenceAgent, FenceOutcome, FenceRequest } from '@quorate/core';
import { type PowerDevice, runPowerAction, SYS_OBJECT_ID_OID } from './power-device.js';
import type { SnmpFenceOptions } from './snmp-options.js';
import { resolveSnmpOptions, type SnmpClient } from './snmp-session.js';

/** sysObjectID of an APC Switched Rack PDU (rPDU). */
export const APC_RPDU_SYS_OBJECT_ID = '1.3.6.1.4.1.318.1.3.4.5';

function outletDevice(
  model: string,
  statusBase: string,
  controlBase: string,
  listOid: string,
  offCommand: number,
): PowerDevice {
  return {
    model,
    statusOid: (plug) => `${statusBase}.${plug}`,
    controlOid: (plug) => `${controlBase}.${plug}`,
    isOn: (v) => Number(v) === 1,
    commandValue: (on) => (on ? 1 : offCommand),
    listOid,
    listHasNames: true,
  };
}

/** APC models fence_apc_snmp recognises by sysObjectID (outlet-numbered ones; Master Switch+ with switches is not supported). */
const APC_DEVICES: Record<string, PowerDevice> = {
  [APC_RPDU_SYS_OBJECT_ID]: outletDevice(
    'APC rPDU',
    '1.3.6.1.4.1.318.1.1.12.3.5.1.1.4',
    '1.3.6.1.4.1.318.1.1.12.3.3.1.1.4',
    '1.3.6.1.4.1.318.1.1.12.3.5.1.1.2',
    2,
  ),
  '1.3.6.1.4.1.318.1.3.4.6': outletDevice(
    'APC Master Switch (firmware 6)',
    '1.3.6.1.4.1.318.1.1.4.4.2.1.3',
    '1.3.6.1.4.1.318.1.1.12.3.3.1.1.4',
    '1.3.6.1.4.1.318.1.1.4.4.2.1.4',
    2,
  ),
};

/** Any other APC: the old Master Switch table, which fence_apc_snmp also falls back to. */
const APC_FALLBACK = outletDevice(
  'APC Master Switch',
  '1.3.6.1.4.1.318.1.1.4.4.2.1.3',
  '1.3.6.1.4.1.318.1.1.4.4.2.1.3',
  '1.3.6.1.4.1.318.1.1.4.4.2.1.4',
  2,
);

/**
 * Creates a fence agent for an APC switched PDU over SNMP, as fence_apc_snmp: the model comes from
 * sysObjectID (rPDU `…318.1.3.4.5`; others fall back to the Master Switch table), status reads
 * 1 = on / 2 = off, control writes 1 = on / 2 = off, then the status is read back until it
 * matches. The plug is the outlet number or its name (looked up in the outlet name column).
 *
 * Options: {@link SnmpFenceOptions}; SNMP version defaults to `1` and community to `private`, as
 * fence_apc_snmp. Actions and failure reasons as {@link createImsFenceAgent}. The model is read
 * once per agent and cached. Never rejects; never puts a secret in an outcome.
 */
export function createApcFenceAgent(options: SnmpFenceOptions): FenceAgent {
  const r = resolveSnmpOptions(options, '1');
  let device: PowerDevice | undefined;
  const resolveDevice = async (client: SnmpClient): Promise<PowerDevice> => {
    if (device) return device;
    const id = await client.get(SYS_OBJECT_ID_OID);
    const key = String(id.value).replace(/^\./, '');
    device = APC_DEVICES[key] ?? APC_FALLBACK;
    return device;
  };
  const agent = {
    run(req: FenceRequest, ctx: Ctx): Promise<FenceOutcome> {
      return runPowerAction(r, resolveDevice, req, ctx.signal);
    },
    async close(): Promise<void> {},
  } satisfies FenceAgent;
  return agent;
}
