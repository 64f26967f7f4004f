/**
 * Internal: the fence-agents power state machine (status / on / off / reboot with confirmation,
 * list, monitor) over an SNMP "power device" description. Both the Intel Modular Server and the
 * APC agents are a {@link PowerDevice} plus this runner.
 */
import type { FenceOutcome, FenceRequest } from '@quorate/core';
import { describePeer, openSnmp, type ResolvedSnmp, type SnmpClient, SnmpFailure } from './snmp-session.js';

/** sysDescr.0, read by `monitor`. */
export const SYS_DESCR_OID = '1.3.6.1.2.1.1.1.0';
/** sysObjectID.0, read to recognise the device model. */
export const SYS_OBJECT_ID_OID = '1.3.6.1.2.1.1.2.0';

/** How one device model exposes power per plug. */
export interface PowerDevice {
  /** Human name for details (`Intel Modular Server`, `APC rPDU`). */
  model: string;
  statusOid(plug: number): string;
  controlOid(plug: number): string;
  /** Reads a status value: true = on. */
  isOn(value: SnmpValueLike): boolean;
  /** The integer written to the control OID. */
  commandValue(on: boolean): number;
  /** Column walked by `list`; the plug number is the last OID arc. */
  listOid: string;
  /** Whether the list column holds outlet names (APC) or power states (Intel). */
  listHasNames: boolean;
}

type SnmpValueLike = number | string | null;

/** Picks the device profile, e.g. by reading sysObjectID; may cache. */
export type DeviceResolver = (client: SnmpClient) => Promise<PowerDevice>;

/**
 * Runs one fence request. Never rejects: every failure is an outcome. Plug: `req.port`, else the
 * target name (as Pacemaker's default host-to-plug map); a non-numeric plug is looked up by outlet
 * name when the device has names.
 */
export async function runPowerAction(
  r: ResolvedSnmp,
  resolveDevice: DeviceResolver,
  req: FenceRequest,
  signal: AbortSignal,
): Promise<FenceOutcome> {
  if (signal.aborted)
    return { ok: false, reason: 'aborted', detail: `'${req.action}' aborted before it started` };
  const client = openSnmp(r, signal);
  try {
    return await dispatch(r, client, resolveDevice, req);
  } catch (err) {
    if (err instanceof SnmpFailure) return { ok: false, reason: err.reason, detail: err.message };
    const msg = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      reason: 'agent-error',
      detail: `'${req.action}' on ${describePeer(r)} failed: ${msg}`,
    };
  } finally {
    client.close();
  }
}

async function dispatch(
  r: ResolvedSnmp,
  client: SnmpClient,
  resolveDevice: DeviceResolver,
  req: FenceRequest,
): Promise<FenceOutcome> {
  if (req.action === 'monitor') {
    const d = await client.get(SYS_DESCR_OID);
    return { ok: true, detail: `device answers: ${String(d.value)}` };
  }
  const device = await resolveDevice(client);
  if (req.action === 'list') {
    const rows = await client.walk(device.listOid);
    const ports = rows.map((row) => {
      const port = row.oid.split('.').pop() ?? '';
      return device.listHasNames && row.value !== null ? { port, name: String(row.value) } : { port };
    });
    return { ok: true, ports };
  }
  const plug = await resolvePlug(client, device, req.port ?? String(req.target));
  const readOn = async (): Promise<boolean> => device.isOn((await client.get(device.statusOid(plug))).value);

  if (req.action === 'status') {
    return { ok: true, power: (await readOn()) ? 'on' : 'off' };
  }
  if (req.action === 'on' || req.action === 'off') {
    return await switchTo(r, client, device, plug, req.action === 'on', readOn);
  }
  // reboot = off, confirm off, on (as fence-agents' default "onoff" method). Once the plug was
  // confirmed off the node is fenced, so a failed power-on still counts as success.
  const off = await switchTo(r, client, device, plug, false, readOn);
  if (!off.ok) return off;
  try {
    const on = await switchTo(r, client, device, plug, true, readOn);
    if (on.ok) return { ok: true, power: 'on' };
    return {
      ok: true,
      power: 'off',
      detail: `plug ${plug} was confirmed off; power on failed: ${on.detail}`,
    };
  } catch (err) {
    if (err instanceof SnmpFailure && err.reason !== 'aborted') {
      return {
        ok: true,
        power: 'off',
        detail: `plug ${plug} was confirmed off; power on failed: ${err.message}`,
      };
    }
    throw err;
  }
}

async function switchTo(
  r: ResolvedSnmp,
  client: SnmpClient,
  device: PowerDevice,
  plug: number,
  on: boolean,
  readOn: () => Promise<boolean>,
): Promise<FenceOutcome> {
  const want = on ? 'on' : 'off';
  // Idempotent: off on an off plug succeeds without a SET, as fence-agents does.
  if ((await readOn()) === on) return { ok: true, power: want };
  await client.setInt(device.controlOid(plug), device.commandValue(on));
  const polls = Math.max(1, Math.ceil(r.powerTimeoutMs / r.powerPollMs));
  for (let i = 0; i < polls; i++) {
    if ((await readOn()) === on) return { ok: true, power: want };
    await client.sleep(r.powerPollMs);
  }
  if ((await readOn()) === on) return { ok: true, power: want };
  return {
    ok: false,
    reason: 'timeout',
    detail: `${device.model} ${describePeer(r)} accepted '${want}' for plug ${plug} but its status did not read '${want}' within ${r.powerTimeoutMs}ms`,
  };
}

async function resolvePlug(client: SnmpClient, device: PowerDevice, plug: string): Promise<number> {
  if (/^\d+$/.test(plug)) return Number(plug);
  if (device.listHasNames) {
    for (const row of await client.walk(device.listOid)) {
      if (String(row.value).replace(/^"|"$/g, '') === plug) return Number(row.oid.split('.').pop());
    }
    throw new SnmpFailure('agent-error', `${device.model} has no outlet named '${plug}'`);
  }
  throw new SnmpFailure('agent-error', `${device.model} plugs are numbers (blade slots); got '${plug}'`);
}
