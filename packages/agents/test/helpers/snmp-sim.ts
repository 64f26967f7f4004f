/**
 * Test peer: one net-snmp Agent on 127.0.0.1 that looks like both an Intel Modular Server chassis
 * (bladePowerLed column: GET 2 = on / 0 = off, SET 2 = on / 3 = off) and an APC rPDU (sysObjectID
 * rPDU; outlet status 1/2, outlet names, control SET 1 on / 2 off / 3 reboot). Both views share one
 * power map: plug n is "node n". It runs in the test process on a free UDP port.
 *
 * Faithfulness is shown by running the real fence_intelmodular / fence_apc_snmp against it
 * (test/snmp/snmp-sim-real-agents.test.ts).
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import snmp from 'net-snmp';

const IMS_ENTRY = '1.3.6.1.4.1.343.2.19.1.2.10.202.1.1';
const APC_STATUS_ENTRY = '1.3.6.1.4.1.318.1.1.12.3.5.1.1';
const APC_CONTROL_ENTRY = '1.3.6.1.4.1.318.1.1.12.3.3.1.1';
const APC_RPDU = '1.3.6.1.4.1.318.1.3.4.5';

export interface SimUser {
  name: string;
  authProtocol?: 'md5' | 'sha';
  authKey?: string;
  privProtocol?: 'des' | 'aes';
  privKey?: string;
}

export interface SnmpSimOptions {
  plugs?: number;
  users?: SimUser[];
  communities?: string[];
  /** Plugs that start powered off. */
  off?: number[];
  sysDescr?: string;
}

export interface PowerEvent {
  plug: number;
  from: boolean;
  to: boolean;
  via: 'ims' | 'apc' | 'apc-reboot';
}

export interface SnmpSim {
  port: number;
  /** true = on. Tests may change entries directly. */
  power: Map<number, boolean>;
  events: PowerEvent[];
  /** Plugs whose SETs are accepted but change nothing (a stuck relay). */
  stuck: Set<number>;
  /** Authentication failures the agent saw (wrong key, unknown community...). */
  authFailures: string[];
  /** Every accepted SET (commit pass only): [oid, value]. */
  sets: Array<[string, number]>;
  close(): Promise<void>;
}

/** A UDP port on 127.0.0.1 that was free a moment ago (the kernel picked it). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Starts the simulator on a free UDP port; resolves once its socket listens. */
export async function startSnmpSim(opts: SnmpSimOptions = {}): Promise<SnmpSim> {
  // net-snmp treats port 0 as "default 161", so pick a free port first; retry if another process races us.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await startOn(await freeUdpPort(), opts);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function startOn(listenPort: number, opts: SnmpSimOptions): Promise<SnmpSim> {
  const plugs = opts.plugs ?? 4;
  const power = new Map<number, boolean>();
  for (let i = 1; i <= plugs; i++) power.set(i, !(opts.off ?? []).includes(i));
  const events: PowerEvent[] = [];
  const stuck = new Set<number>();
  const authFailures: string[] = [];
  const sets: Array<[string, number]> = [];

  const setPower = (plug: number, on: boolean, via: PowerEvent['via']): void => {
    if (stuck.has(plug)) return;
    events.push({ plug, from: power.get(plug) ?? false, to: on, via });
    power.set(plug, on);
  };

  // biome-ignore lint/suspicious/noExplicitAny: net-snmp's agent API is untyped
  const agent: any = snmp.createAgent(
    {
      port: listenPort,
      address: '127.0.0.1',
      transport: 'udp4',
      accessControlModelType: snmp.AccessControlModelType.None,
    },
    (error: Error | null) => {
      if (error) authFailures.push(String(error.message));
    },
  );
  const authz = agent.getAuthorizer();
  for (const c of opts.communities ?? ['private', 'public']) authz.addCommunity(c);
  for (const u of opts.users ?? []) {
    const level = u.privKey
      ? snmp.SecurityLevel.authPriv
      : u.authKey
        ? snmp.SecurityLevel.authNoPriv
        : snmp.SecurityLevel.noAuthNoPriv;
    authz.addUser({
      name: u.name,
      level,
      ...(u.authKey ? { authProtocol: snmp.AuthProtocols[u.authProtocol ?? 'sha'], authKey: u.authKey } : {}),
      ...(u.privKey ? { privProtocol: snmp.PrivProtocols[u.privProtocol ?? 'aes'], privKey: u.privKey } : {}),
    });
  }
  const mib = agent.getMib();
  const I = snmp.ObjectType.Integer;
  const S = snmp.ObjectType.OctetString;
  const RW = snmp.MaxAccess['read-write'];
  const RO = snmp.MaxAccess['read-only'];
  const NA = snmp.MaxAccess['not-accessible'];
  // biome-ignore lint/suspicious/noExplicitAny: provider request objects are untyped
  type Req = any;
  const plugOf = (req: Req): number => Number(String(req.oid).split('.').pop());
  const isSet = (req: Req): boolean => req.operation === snmp.PduType.SetRequest;

  mib.registerProvider({
    name: 'sysDescr',
    type: snmp.MibProviderType.Scalar,
    oid: '1.3.6.1.2.1.1.1',
    scalarType: S,
    maxAccess: RO,
  });
  mib.registerProvider({
    name: 'sysObjectID',
    type: snmp.MibProviderType.Scalar,
    oid: '1.3.6.1.2.1.1.2',
    scalarType: snmp.ObjectType.OID,
    maxAccess: RO,
  });
  mib.setScalarValue('sysDescr', opts.sysDescr ?? 'quorate test chassis and rPDU');
  mib.setScalarValue('sysObjectID', APC_RPDU);

  // A table provider is registered at the ENTRY oid: cells are <entry>.<column>.<index>.
  mib.registerProvider({
    name: 'imsBlade',
    type: snmp.MibProviderType.Table,
    oid: IMS_ENTRY,
    maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'bladeIndex', type: I, maxAccess: NA },
      { number: 6, name: 'bladePowerLed', type: I, maxAccess: RW },
    ],
    tableIndex: [{ columnName: 'bladeIndex' }],
    handler: (req: Req) => {
      const plug = plugOf(req);
      if (isSet(req)) {
        if (req.setValue !== 2 && req.setValue !== 3)
          return req.done({ errorStatus: snmp.ErrorStatus.WrongValue });
        // net-snmp runs a SET handler twice: a test pass, then the commit pass. Act only once.
        if (req.testSet) return req.done();
        sets.push([req.oid, req.setValue]);
        setPower(plug, req.setValue === 2, 'ims');
        return req.done();
      }
      req.instanceNode.value = power.get(plug) ? 2 : 0;
      return req.done();
    },
  });
  mib.registerProvider({
    name: 'apcStatus',
    type: snmp.MibProviderType.Table,
    oid: APC_STATUS_ENTRY,
    maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'outletIndex', type: I, maxAccess: RO },
      { number: 2, name: 'outletName', type: S, maxAccess: RO },
      { number: 4, name: 'outletState', type: I, maxAccess: RO },
    ],
    tableIndex: [{ columnName: 'outletIndex' }],
    handler: (req: Req) => {
      if (String(req.oid).startsWith(`${APC_STATUS_ENTRY}.4.`)) {
        req.instanceNode.value = power.get(plugOf(req)) ? 1 : 2;
      }
      return req.done();
    },
  });
  mib.registerProvider({
    name: 'apcControl',
    type: snmp.MibProviderType.Table,
    oid: APC_CONTROL_ENTRY,
    maxAccess: NA,
    tableColumns: [
      { number: 1, name: 'controlIndex', type: I, maxAccess: RO },
      { number: 4, name: 'controlCommand', type: I, maxAccess: RW },
    ],
    tableIndex: [{ columnName: 'controlIndex' }],
    handler: (req: Req) => {
      const plug = plugOf(req);
      if (isSet(req)) {
        if (![1, 2, 3].includes(req.setValue)) return req.done({ errorStatus: snmp.ErrorStatus.WrongValue });
        if (req.testSet) return req.done();
        sets.push([req.oid, req.setValue]);
        if (req.setValue === 3) {
          setPower(plug, false, 'apc-reboot');
          setPower(plug, true, 'apc-reboot');
        } else setPower(plug, req.setValue === 1, 'apc');
        return req.done();
      }
      req.instanceNode.value = power.get(plug) ? 1 : 2;
      return req.done();
    },
  });
  for (let i = 1; i <= plugs; i++) {
    mib.addTableRow('imsBlade', [i, power.get(i) ? 2 : 0]);
    mib.addTableRow('apcStatus', [i, `node${i}`, power.get(i) ? 1 : 2]);
    mib.addTableRow('apcControl', [i, power.get(i) ? 1 : 2]);
  }

  // net-snmp binds asynchronously: wait for the socket to listen, then read the port it got.
  // biome-ignore lint/suspicious/noExplicitAny: listener internals
  const sockets: any[] = Object.values(agent.listener?.sockets ?? {});
  const socket = sockets[0];
  if (!socket) throw new Error('snmp-sim: net-snmp agent has no socket');
  const port = await new Promise<number>((resolve, reject) => {
    const addr = (): number | undefined => {
      try {
        return (socket.address() as AddressInfo).port;
      } catch {
        return undefined;
      }
    };
    const now = addr();
    if (now) return resolve(now);
    socket.once('listening', () => resolve(addr() ?? 0));
    socket.once('error', reject);
  });

  return {
    port,
    power,
    events,
    stuck,
    authFailures,
    sets,
    close: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}
