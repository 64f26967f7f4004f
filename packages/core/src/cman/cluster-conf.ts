/**
 * Import of a cman / rgmanager `cluster.conf` (RHEL 5/6, Proxmox VE 2-3) into the `cluster:`
 * document of SCENARIO-FORMAT.md. Mapping after cman(5), qdisk(5), fenced(8), fence-agents and
 * rgmanager's failover domains (PEERS.md §3). Pure: text in, plain object and warnings out.
 */

import { stringify as stringifyYaml } from 'yaml';
import type { ClusterConfigInput } from '../config/cluster.schema.js';
import { formatDuration } from '../config/schema-helpers.js';
import { ConfigError } from '../errors.js';
import { parseXmlTree, type XmlElement } from './xml-tree.js';

/**
 * The raw `cluster:` document (durations as strings such as `"10s"`), exactly what
 * `parseClusterConfig` accepts. Plain JSON data.
 */
export type RawClusterDocument = ClusterConfigInput;

/** What `importClusterConf` returns: the document and one sentence per thing not carried over. */
export interface ClusterConfImport {
  document: RawClusterDocument;
  /**
   * Everything the import did not carry over or changed in meaning, one sentence each, starting
   * with the element's path (`cluster/cman: ...`). Never contains a secret.
   */
  warnings: string[];
}

type Doc = RawClusterDocument;
type DocNode = Doc['nodes'][number];
type DocDevice = NonNullable<NonNullable<Doc['fencing']>['devices']>[number];
type DocResource = NonNullable<Doc['resources']>[number];
type DocConstraint = NonNullable<Doc['constraints']>[number];
type DocQuorum = NonNullable<Doc['quorum']>;
type DocOptions = NonNullable<Doc['options']>;

function fail(el: Pick<XmlElement, 'path' | 'name'>, message: string): ConfigError {
  return new ConfigError(`✖ ${message}\n  → at ${el.path}`, [{ path: el.path.split('/'), message }]);
}

/** Reads an element's attributes and reports, at `done()`, every one nobody read. */
class Attrs {
  private readonly used = new Set<string>();
  constructor(
    private readonly el: XmlElement,
    private readonly warnings: string[],
  ) {}

  has(name: string): boolean {
    return this.el.attrs[name] !== undefined;
  }

  str(name: string): string | undefined {
    const v = this.el.attrs[name];
    if (v !== undefined) this.used.add(name);
    return v;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v.trim() === '')
      throw fail(this.el, `element '${this.el.name}' needs the attribute '${name}'`);
    return v.trim();
  }

  int(name: string, min = 0): number | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    if (!/^\s*\d+\s*$/.test(v) || Number(v) < min) {
      throw fail(
        this.el,
        `attribute '${name}' of element '${this.el.name}' must be an integer of at least ${min}, got '${v}'`,
      );
    }
    return Number(v);
  }

  bool(name: string): boolean | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const t = v.trim().toLowerCase();
    if (['1', 'yes', 'on', 'true'].includes(t)) return true;
    if (['0', 'no', 'off', 'false'].includes(t)) return false;
    throw fail(this.el, `attribute '${name}' of element '${this.el.name}' must be 0 or 1, got '${v}'`);
  }

  /** Marks an attribute as read on purpose but not carried over, with the reason. */
  ignore(name: string, why: string): void {
    if (this.el.attrs[name] === undefined) return;
    this.used.add(name);
    this.warnings.push(`${this.el.path}: attribute '${name}' not imported (${why})`);
  }

  done(): void {
    // The text itself is not quoted: it could be a secret someone put in the wrong place.
    if (this.el.text !== '')
      this.warnings.push(`${this.el.path}: text content (${this.el.text.length} characters) not imported`);
    for (const name of Object.keys(this.el.attrs)) {
      if (!this.used.has(name))
        this.warnings.push(`${this.el.path}: unknown attribute '${name}' not imported`);
    }
  }
}

function unknownElement(el: XmlElement, warnings: string[], why = 'not supported by the import'): void {
  warnings.push(`${el.path}: element '${el.name}' not imported (${why})`);
}

function seconds(n: number): string {
  return formatDuration(n * 1000);
}

/** Environment-variable name for a device secret: `ims` → `IMS_PASSWORD`. */
function envName(device: string, suffix: string): string {
  const base = device
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${/^[0-9]/.test(base) || base === '' ? `FENCE_${base}` : base}_${suffix}`;
}

/** Agents that are fence_ipmilan under another name (symlinks in fence-agents, lanplus on). */
const IPMI_ALIASES: Record<string, boolean> = {
  fence_ipmilan: false,
  fence_ipmilanplus: true,
  fence_idrac: true,
  fence_ilo3: true,
  fence_ilo4: true,
  fence_ilo5: true,
  fence_imm: true,
};

const PASSWORD_ATTRS = ['passwd', 'password'];
const PASSWORD_SCRIPT_ATTRS = ['passwd_script', 'password_script'];

interface DeviceDef {
  /** Device as in the document, without hosts/port (filled from the nodes' methods). */
  device: DocDevice;
  /** fence_pcmk: fencing lives in Pacemaker's CIB; methods naming it are dropped. */
  redirect: boolean;
  el: XmlElement;
}

/** Maps one `<fencedevice>` to a document device (params named as the Quorate agents read them). */
function importFenceDevice(el: XmlElement, warnings: string[]): DeviceDef {
  const a = new Attrs(el, warnings);
  const name = a.required('name');
  const agentName = a.required('agent');
  const params: Record<string, unknown> = {};
  const device: DocDevice = { name, agent: '', params };

  const secret = (attrNames: string[], scriptNames: string[], key: string, suffix: string, what: string) => {
    const given = attrNames.find((n) => a.has(n));
    const script = scriptNames.find((n) => a.has(n));
    for (const n of attrNames) a.str(n);
    for (const n of scriptNames) a.str(n);
    if (given === undefined && script === undefined) return;
    const env = envName(name, suffix);
    params[key] = env;
    const source =
      given !== undefined ? `the plaintext ${what} ('${given}')` : `the ${what} script ('${script}')`;
    warnings.push(
      `${el.path}: ${source} of device '${name}' was not copied; set the environment variable '${env}' (params.${key})`,
    );
  };
  const delay = () => {
    const d = a.int('delay');
    if (d !== undefined) device.delay = seconds(d);
  };
  const ip = () => {
    const v = a.str('ipaddr') ?? a.str('ip');
    if (v === undefined) throw fail(el, `fence device '${name}' (${agentName}) needs the attribute 'ipaddr'`);
    params.ip = v;
  };
  const commonIgnores = () => {
    a.ignore('action', 'the fence action is cluster-wide: options.fenceAction');
    for (const t of [
      'power_timeout',
      'shell_timeout',
      'login_timeout',
      'power_wait',
      'retry_on',
      'verbose',
      'debug',
    ]) {
      a.ignore(t, 'agent tuning not carried over; the agents use their own defaults');
    }
  };

  if (agentName === 'fence_pcmk') {
    a.ignore('port', 'fence_pcmk');
    a.done();
    warnings.push(
      `${el.path}: device '${name}' (fence_pcmk) redirects fencing to Pacemaker; its methods are not imported: import the Pacemaker CIB's fencing instead`,
    );
    return { device, redirect: true, el };
  }

  if (agentName in IPMI_ALIASES) {
    device.agent = 'ipmi';
    ip();
    const login = a.str('login') ?? a.str('username');
    if (login !== undefined) params.username = login;
    secret(PASSWORD_ATTRS, PASSWORD_SCRIPT_ATTRS, 'passwordEnv', 'PASSWORD', 'password');
    const port = a.int('ipport', 1) ?? a.int('udpport', 1);
    if (port !== undefined) params.port = port;
    const lanplus = a.bool('lanplus');
    if (lanplus !== undefined || IPMI_ALIASES[agentName] === true) params.lanplus = lanplus ?? true;
    const cipher = a.int('cipher');
    if (cipher !== undefined) params.cipher = cipher;
    const priv = a.str('privlvl');
    if (priv !== undefined) params.privilege = priv.toLowerCase();
    const auth = a.str('auth');
    if (auth !== undefined) params.authType = auth.toLowerCase();
    const method = a.str('method');
    if (method !== undefined) params.method = method.toLowerCase();
    delay();
    commonIgnores();
    if (agentName !== 'fence_ipmilan')
      warnings.push(`${el.path}: agent '${agentName}' imported as 'ipmi' (it is fence_ipmilan with lanplus)`);
  } else if (agentName === 'fence_intelmodular' || agentName === 'fence_apc_snmp') {
    device.agent = agentName === 'fence_intelmodular' ? 'snmp-ims' : 'snmp-apc';
    ip();
    const port = a.int('udpport', 1) ?? a.int('ipport', 1);
    if (port !== undefined) params.ipport = port;
    const login = a.str('login') ?? a.str('username');
    if (login !== undefined) params.username = login;
    const community = a.str('community');
    if (community !== undefined) {
      // The v1/v2c community is a shared secret too.
      params.community = community;
      warnings.push(
        `${el.path}: the SNMP community of device '${name}' is copied into params.community; it acts as a password`,
      );
    }
    secret(PASSWORD_ATTRS, PASSWORD_SCRIPT_ATTRS, 'passwordEnv', 'PASSWORD', 'password');
    secret(
      ['snmp_priv_passwd'],
      ['snmp_priv_passwd_script'],
      'privPasswordEnv',
      'PRIV_PASSWORD',
      'SNMP privacy passphrase',
    );
    const version = a.str('snmp_version');
    if (version !== undefined) params.snmpVersion = version;
    const sec = a.str('snmp_sec_level');
    if (sec !== undefined) params.secLevel = sec;
    const auth = a.str('snmp_auth_prot');
    if (auth !== undefined) params.authProtocol = auth;
    const privProt = a.str('snmp_priv_prot');
    if (privProt !== undefined) params.privProtocol = privProt;
    delay();
    commonIgnores();
  } else if (agentName === 'fence_manual' || agentName === 'fence_ack_manual') {
    device.agent = 'manual';
    delay();
    warnings.push(
      `${el.path}: device '${name}' (${agentName}) waits for an operator: confirm with confirmFenced`,
    );
  } else {
    if (!/^fence_[A-Za-z0-9_.+-]+$/.test(agentName)) {
      throw fail(el, `fence device '${name}' has agent '${agentName}', which is not a fence_* program`);
    }
    device.agent = `exec:${agentName}`;
    delay();
    secret(PASSWORD_ATTRS, PASSWORD_SCRIPT_ATTRS, 'passwordEnv', 'PASSWORD', 'password');
    for (const k of Object.keys(el.attrs)) {
      if (
        k === 'name' ||
        k === 'agent' ||
        k === 'delay' ||
        PASSWORD_ATTRS.includes(k) ||
        PASSWORD_SCRIPT_ATTRS.includes(k)
      )
        continue;
      if (/passw|secret/i.test(k)) {
        a.str(k);
        const env = envName(name, k.toUpperCase());
        params[`${k}Env`] = env;
        warnings.push(
          `${el.path}: the secret attribute '${k}' of device '${name}' was not copied; set the environment variable '${env}'`,
        );
        continue;
      }
      // Passed through under the fence-agents stdin name for the exec agent.
      params[k] = a.str(k);
      if (k === 'community') {
        warnings.push(
          `${el.path}: the SNMP community of device '${name}' is copied into params.community; it acts as a password`,
        );
      }
    }
  }
  for (const child of el.children) unknownElement(child, warnings);
  a.done();
  return { device, redirect: false, el };
}

interface NodeFence {
  node: string;
  levels: string[][];
}

interface Collected {
  devices: Map<string, DeviceDef>;
  /** Per device: node → port. */
  ports: Map<string, Map<string, string>>;
  /** Per device: the nodes it fences, in first-use order. */
  hosts: Map<string, string[]>;
  /** Devices created for a second port of one device on one node: `pdu-port2` → base. */
  extra: DocDevice[];
}

function importMethods(
  fenceEl: XmlElement,
  node: string,
  collected: Collected,
  warnings: string[],
): NodeFence {
  const levels: string[][] = [];
  new Attrs(fenceEl, warnings).done();
  for (const method of fenceEl.children) {
    if (method.name !== 'method') {
      unknownElement(method, warnings);
      continue;
    }
    const ma = new Attrs(method, warnings);
    const methodName = ma.str('name') ?? String(levels.length + 1);
    ma.done();
    const level: string[] = [];
    let dropped = false;
    for (const dev of method.children) {
      if (dev.name !== 'device') {
        unknownElement(dev, warnings);
        continue;
      }
      const da = new Attrs(dev, warnings);
      const devName = da.required('name');
      const def = collected.devices.get(devName);
      if (def === undefined) {
        throw fail(
          dev,
          `node '${node}' fence method '${methodName}' names device '${devName}', which is not defined in <fencedevices>`,
        );
      }
      let port = da.str('port') ?? da.str('plug');
      if (port === undefined && da.has('ipport') && def.device.agent === 'snmp-ims') {
        port = da.str('ipport');
        warnings.push(
          `${dev.path}: 'ipport' read as the blade slot of node '${node}' on device '${devName}'`,
        );
      }
      const action = da.str('action')?.toLowerCase();
      da.ignore('nodename', 'the node is the target');
      for (const k of Object.keys(dev.attrs)) {
        if (!['name', 'port', 'plug', 'ipport', 'action', 'nodename'].includes(k)) {
          da.ignore(k, 'per-node device attributes other than the port are not carried over');
        }
      }
      if (da.has('ipport') && port !== dev.attrs.ipport)
        da.ignore('ipport', 'per-node UDP port not carried over');
      da.done();
      if (def.redirect) {
        dropped = true;
        continue;
      }
      if (action === 'on' || action === 'enable') {
        // Dual power supplies: off, off, on, on. A reboot of a level is all offs then all ons.
        warnings.push(
          `${dev.path}: action '${action}' dropped: a level turns every device off, then on again`,
        );
        continue;
      }
      if (action !== undefined && action !== 'off' && action !== 'disable' && action !== 'reboot') {
        warnings.push(`${dev.path}: action '${action}' not imported; the cluster's fenceAction applies`);
      }
      let useName = devName;
      if (port !== undefined) {
        const portMap = collected.ports.get(devName) ?? new Map<string, string>();
        collected.ports.set(devName, portMap);
        const had = portMap.get(node);
        if (had === undefined) portMap.set(node, port);
        else if (had !== port) {
          // One device, two outlets for the same node (dual PSU on one PDU): a second device.
          useName = `${devName}-${port}`.replace(/[^A-Za-z0-9_.@-]/g, '_');
          if (!collected.extra.some((d) => d.name === useName)) {
            collected.extra.push({
              ...def.device,
              name: useName,
              hosts: [node],
              port: { [node]: port },
              params: { ...(def.device.params ?? {}) },
            });
          }
          warnings.push(
            `${dev.path}: device '${devName}' names a second port '${port}' for node '${node}'; imported as device '${useName}'`,
          );
        }
      }
      if (useName === devName) {
        const hosts = collected.hosts.get(devName) ?? [];
        if (!hosts.includes(node)) hosts.push(node);
        collected.hosts.set(devName, hosts);
      }
      if (!level.includes(useName)) level.push(useName);
    }
    if (level.length > 0) levels.push(level);
    else if (!dropped)
      warnings.push(`${method.path}: fence method '${methodName}' of node '${node}' has no device; skipped`);
  }
  return { node, levels };
}

function importQuorumd(el: XmlElement, quorum: DocQuorum, warnings: string[]): void {
  const a = new Attrs(el, warnings);
  const qdisk: NonNullable<DocQuorum['qdisk']> = {};
  const votes = a.int('votes', 1);
  if (votes !== undefined) qdisk.votes = votes;
  const interval = a.int('interval', 1);
  if (interval !== undefined) qdisk.interval = seconds(interval);
  const tko = a.int('tko', 1);
  if (tko !== undefined) qdisk.tko = tko;
  const label = a.str('label');
  if (label !== undefined) qdisk.label = label;
  const masterWins = a.bool('master_wins');
  if (masterWins !== undefined) qdisk.masterWins = masterWins;
  a.ignore('device', "the disk is reached through the host's QuorumDisk adapter");
  a.ignore('allow_kill', 'evictions are done by fencing');
  a.ignore('reboot', 'heuristics are not supported');
  a.ignore('min_score', 'heuristics are not supported');
  for (const t of [
    'tko_up',
    'upgrade_wait',
    'master_wait',
    'paranoid',
    'io_timeout',
    'stop_cman',
    'max_error_cycles',
    'priority',
    'scheduler',
    'status_file',
    'use_uptime',
    'cman_label',
  ]) {
    a.ignore(t, 'qdiskd tuning not modelled');
  }
  a.done();
  for (const child of el.children) {
    if (child.name === 'heuristic')
      unknownElement(
        child,
        warnings,
        'qdisk heuristics are not supported; the disk votes go to the partition of the live master',
      );
    else unknownElement(child, warnings);
  }
  quorum.qdisk = qdisk;
}

function importCman(el: XmlElement, quorum: DocQuorum, warnings: string[]): void {
  const a = new Attrs(el, warnings);
  const twoNode = a.bool('two_node');
  const expected = a.int('expected_votes', 1);
  if (twoNode === true) {
    quorum.twoNode = true;
    if (expected === 1) {
      warnings.push(
        `${el.path}: two_node with expected_votes 1 imported as twoNode (quorum 1 while both nodes are configured, expected votes 2); twoNode also enables waitForAll, so a node that boots alone waits for its peer instead of fencing it (cman had no wait-for-all; set quorum.waitForAll: false for cman's behaviour)`,
      );
    } else if (expected !== undefined) {
      quorum.expectedVotes = expected;
      warnings.push(
        `${el.path}: two_node with expected_votes ${expected}: cman requires expected_votes 1 with two_node`,
      );
    }
  } else if (expected !== undefined) {
    quorum.expectedVotes = expected;
  }
  a.ignore('keyfile', 'the corosync authentication key belongs to the transport');
  for (const t of ['transport', 'port', 'cluster_id', 'broadcast', 'ip', 'interface'])
    a.ignore(t, 'transport configuration');
  a.ignore('quorum_dev_poll', 'the quorum disk counts by its own interval and tko');
  for (const t of ['upgrading', 'shutdown_timeout', 'disallowed', 'ccsd_poll', 'nodename', 'disable_openais'])
    a.ignore(t, 'cman tuning not modelled');
  a.done();
  for (const child of el.children) {
    if (child.name === 'multicast' || child.name === 'altmulticast')
      unknownElement(child, warnings, 'transport configuration');
    else unknownElement(child, warnings);
  }
}

function importTotem(el: XmlElement, options: DocOptions, warnings: string[]): void {
  const a = new Attrs(el, warnings);
  const token = a.int('token', 1);
  if (token !== undefined) options.tokenTimeout = formatDuration(token);
  a.ignore('rrp_mode', 'redundant rings are transport configuration; world.rings in a scenario');
  for (const t of [
    'secauth',
    'consensus',
    'join',
    'token_retransmits_before_loss_const',
    'netmtu',
    'window_size',
    'max_messages',
    'fail_recv_const',
    'seqno_unchanged_const',
    'send_join',
    'miss_count_const',
    'rrp_problem_count_timeout',
    'keyfile',
  ]) {
    a.ignore(t, 'totem tuning not modelled');
  }
  a.done();
  for (const child of el.children) unknownElement(child, warnings, 'transport configuration');
}

function importFenceDaemon(el: XmlElement, options: DocOptions, warnings: string[]): void {
  const a = new Attrs(el, warnings);
  const postFail = a.int('post_fail_delay');
  // fenced post_fail_delay: wait before fencing a failed node; a node back in time is not fenced.
  if (postFail !== undefined) options.fenceDelay = seconds(postFail);
  const cleanStart = a.bool('clean_start');
  // clean_start=1: assume every node is clean at startup, i.e. no startup fencing.
  if (cleanStart !== undefined) options.startupFencing = !cleanStart;
  a.ignore('post_join_delay', 'startup fencing happens once quorate, without an extra join delay');
  a.ignore('override_time', 'manual confirmation has no timer (confirmFenced)');
  a.ignore('override_path', 'manual confirmation has no fifo (confirmFenced)');
  a.ignore('skip_undefined', 'nodes without fence methods are never fenced');
  a.done();
  for (const child of el.children) unknownElement(child, warnings);
}

interface Domain {
  name: string;
  ordered: boolean;
  restricted: boolean;
  nofailback: boolean;
  /** Node → rgmanager priority (1 = most preferred). */
  nodes: Array<{ node: string; priority: number }>;
}

function importDomains(el: XmlElement, nodeNames: string[], warnings: string[]): Map<string, Domain> {
  const domains = new Map<string, Domain>();
  new Attrs(el, warnings).done();
  for (const d of el.children) {
    if (d.name !== 'failoverdomain') {
      unknownElement(d, warnings);
      continue;
    }
    const a = new Attrs(d, warnings);
    const domain: Domain = {
      name: a.required('name'),
      ordered: a.bool('ordered') ?? false,
      restricted: a.bool('restricted') ?? false,
      nofailback: a.bool('nofailback') ?? false,
      nodes: [],
    };
    a.done();
    for (const m of d.children) {
      if (m.name !== 'failoverdomainnode') {
        unknownElement(m, warnings);
        continue;
      }
      const ma = new Attrs(m, warnings);
      const node = ma.required('name');
      const priority = ma.int('priority', 1) ?? 1;
      ma.done();
      if (!nodeNames.includes(node))
        throw fail(m, `failover domain '${domain.name}' names node '${node}', which is not a clusternode`);
      domain.nodes.push({ node, priority });
    }
    domains.set(domain.name, domain);
  }
  return domains;
}

/** Location constraints that express an rgmanager failover domain for one resource. */
function domainConstraints(domain: Domain, resource: string, nodeNames: string[]): DocConstraint[] {
  const out: DocConstraint[] = [];
  const maxPriority = Math.max(1, ...domain.nodes.map((n) => n.priority));
  for (const { node, priority } of domain.nodes) {
    // Ordered: priority 1 is the most preferred; unordered: every member alike.
    const score = domain.ordered ? 100 * (maxPriority + 1 - priority) : 100;
    out.push({
      kind: 'location',
      id: `domain-${domain.name}-${resource}-${node}`.replace(/[^A-Za-z0-9_.@-]/g, '_'),
      resource,
      node,
      score,
    });
  }
  if (domain.restricted) {
    for (const node of nodeNames) {
      if (domain.nodes.some((n) => n.node === node)) continue;
      out.push({
        kind: 'location',
        id: `domain-${domain.name}-${resource}-${node}`.replace(/[^A-Za-z0-9_.@-]/g, '_'),
        resource,
        node,
        score: '-INFINITY',
      });
    }
  }
  return out;
}

function importRm(
  el: XmlElement,
  nodeNames: string[],
  resources: DocResource[],
  constraints: DocConstraint[],
  warnings: string[],
): void {
  const a = new Attrs(el, warnings);
  for (const t of [
    'log_level',
    'log_facility',
    'central_processing',
    'status_poll_interval',
    'status_child_max',
    'transition_throttling',
  ]) {
    a.ignore(t, 'rgmanager tuning not modelled');
  }
  a.done();
  let domains = new Map<string, Domain>();
  const domainEl = el.children.find((c) => c.name === 'failoverdomains');
  if (domainEl !== undefined) domains = importDomains(domainEl, nodeNames, warnings);
  const adapters = new Set<string>();

  for (const child of el.children) {
    if (child.name === 'failoverdomains') continue;
    if (child.name === 'resources') {
      unknownElement(
        child,
        warnings,
        'shared rgmanager resource definitions such as ip, fs and script are not imported',
      );
      continue;
    }
    if (child.name !== 'pvevm' && child.name !== 'service' && child.name !== 'vm') {
      unknownElement(child, warnings);
      continue;
    }
    const ra = new Attrs(child, warnings);
    let id: string;
    const resource: DocResource = { id: '' };
    if (child.name === 'pvevm') {
      const vmid = ra.required('vmid');
      id = `vm${vmid}`;
      resource.agent = 'pvevm';
      resource.params = { vmid };
    } else {
      id = ra.required('name');
      resource.agent = child.name === 'vm' ? 'rgmanager-vm' : 'rgmanager-service';
      if (child.children.length > 0) {
        const kinds = [...new Set(child.children.map((c) => c.name))].join(', ');
        warnings.push(
          `${child.path}: the child resources of ${child.name} '${id}' (${kinds}) are not imported; the adapter '${resource.agent}' must start and stop them`,
        );
      }
    }
    resource.id = id.replace(/[^A-Za-z0-9_.@-]/g, '_');
    adapters.add(resource.agent ?? '');
    const autostart = ra.bool('autostart');
    if (autostart === false) resource.targetRole = 'stopped';
    const recovery = ra.str('recovery');
    if (recovery === 'relocate') resource.migrationThreshold = 1;
    else if (recovery !== undefined && recovery !== 'restart') {
      warnings.push(
        `${child.path}: recovery '${recovery}' not imported; failures restart the resource until migrationThreshold`,
      );
    }
    const maxRestarts = ra.int('max_restarts');
    if (maxRestarts !== undefined && recovery !== 'relocate') resource.migrationThreshold = maxRestarts + 1;
    const expire = ra.int('restart_expire_time');
    if (expire !== undefined && expire > 0) resource.failureTimeout = seconds(expire);
    const domainName = ra.str('domain');
    ra.ignore('exclusive', 'exclusive services are not modelled');
    ra.ignore('depend', 'service dependencies are not modelled');
    ra.ignore('depend_mode', 'service dependencies are not modelled');
    ra.ignore('migrate', 'live migration is not modelled');
    ra.ignore('__independent_subtree', 'not modelled');
    if (child.name !== 'pvevm') {
      for (const k of Object.keys(child.attrs)) {
        if (
          ![
            'name',
            'autostart',
            'recovery',
            'max_restarts',
            'restart_expire_time',
            'domain',
            'exclusive',
            'depend',
            'depend_mode',
            'migrate',
            '__independent_subtree',
          ].includes(k)
        ) {
          ra.ignore(k, `${child.name} attribute not modelled`);
        }
      }
    }
    ra.done();
    if (domainName !== undefined) {
      const domain = domains.get(domainName);
      if (domain === undefined)
        throw fail(
          child,
          `${child.name} '${id}' names failover domain '${domainName}', which is not defined`,
        );
      if (domain.nofailback) resource.stickiness = 'INFINITY';
      constraints.push(...domainConstraints(domain, resource.id, nodeNames));
    }
    if (child.name === 'pvevm') for (const c of child.children) unknownElement(c, warnings);
    resources.push(resource);
  }
  for (const agent of adapters) {
    warnings.push(
      `${el.path}: resources use the agent '${agent}', which is not built in: the host must provide an adapter of that name`,
    );
  }
}

const IGNORED_TOP: Record<string, string> = {
  logging: 'logging is host configuration',
  dlm: 'the DLM is not part of Quorate',
  gfs_controld: 'GFS is not part of Quorate',
  clvmd: 'clvmd is not part of Quorate',
  fence_xvmd: 'fence_xvmd is not part of Quorate',
  uidgid: 'access control is host configuration',
};

/**
 * Imports a cman `cluster.conf` into the `cluster:` document that `parseClusterConfig` accepts.
 *
 * Mapping: `<cluster name config_version>` → `name`/`configVersion`; `<clusternode name nodeid
 * votes>` → `nodes`; each node's `<fence><method>`s in document order → its topology levels (the
 * devices of one method form one level, all required; `action="on"` halves of dual-PSU methods are
 * dropped since a level turns every device off, then on); `<fencedevice>` → devices
 * (`fence_ipmilan` and its aliases → `ipmi`, `fence_intelmodular` → `snmp-ims`, `fence_apc_snmp` →
 * `snmp-apc`, `fence_manual` → `manual`, any other `fence_*` → `exec:fence_*` with its attributes
 * as params; `fence_pcmk` is reported and skipped), per-node `port` → `port: { node: "N" }`;
 * `<cman two_node expected_votes>` → `quorum`; `<quorumd votes interval tko label master_wins>` →
 * `quorum.qdisk`; `<totem token>` → `options.tokenTimeout`; `<fence_daemon post_fail_delay
 * clean_start>` → `options.fenceDelay`/`startupFencing`; `<rm>` failover domains, `pvevm`,
 * `service` and `vm` → resources and location constraints.
 *
 * A plaintext password (`passwd`, `snmp_priv_passwd`, ...) is NEVER copied: the device gets a
 * `passwordEnv` placeholder (`IMS_PASSWORD`) and a warning says which variable to set. Every
 * element or attribute not carried over is reported in `warnings` with its path; nothing is
 * dropped silently.
 *
 * Throws `ConfigError` (naming the element) for text that is not well-formed XML, a root other
 * than `<cluster>`, a missing `name`/`config_version`/`<clusternodes>`/node `name`/`nodeid`, an
 * unparsable number, or a method naming an undefined device. Pure: no I/O.
 */
export function importClusterConf(xml: string): ClusterConfImport {
  const warnings: string[] = [];
  const root = parseXmlTree(xml);
  if (root.name !== 'cluster') throw fail(root, `the root element must be <cluster>, got <${root.name}>`);
  const ra = new Attrs(root, warnings);
  const name = ra.required('name');
  const configVersion = ra.int('config_version');
  if (configVersion === undefined) throw fail(root, "element 'cluster' needs the attribute 'config_version'");
  ra.ignore('alias', 'display name only');
  ra.done();

  const byName = (n: string) => root.children.filter((c) => c.name === n);
  const clusternodesEls = byName('clusternodes');
  if (clusternodesEls.length === 0) throw fail(root, "element 'cluster' needs a <clusternodes> element");
  if (clusternodesEls.length > 1)
    throw fail(clusternodesEls[1] as XmlElement, 'more than one <clusternodes> element');
  const fencedevicesEls = byName('fencedevices');
  if (fencedevicesEls.length > 1)
    throw fail(fencedevicesEls[1] as XmlElement, 'more than one <fencedevices> element');

  // Devices first: the nodes' methods refer to them.
  const collected: Collected = { devices: new Map(), ports: new Map(), hosts: new Map(), extra: [] };
  const fencedevicesEl = fencedevicesEls[0];
  if (fencedevicesEl !== undefined) {
    new Attrs(fencedevicesEl, warnings).done();
    for (const d of fencedevicesEl.children) {
      if (d.name !== 'fencedevice') {
        unknownElement(d, warnings);
        continue;
      }
      const def = importFenceDevice(d, warnings);
      if (collected.devices.has(def.device.name))
        throw fail(d, `fence device '${def.device.name}' is defined twice`);
      collected.devices.set(def.device.name, def);
    }
  }

  const nodes: DocNode[] = [];
  const fences: NodeFence[] = [];
  const clusternodesEl = clusternodesEls[0] as XmlElement;
  new Attrs(clusternodesEl, warnings).done();
  for (const n of clusternodesEl.children) {
    if (n.name !== 'clusternode') {
      unknownElement(n, warnings);
      continue;
    }
    const na = new Attrs(n, warnings);
    const nodeName = na.required('name');
    const id = na.int('nodeid', 1);
    if (id === undefined) throw fail(n, `clusternode '${nodeName}' needs the attribute 'nodeid'`);
    const votes = na.int('votes');
    na.ignore('weight', 'not modelled');
    na.done();
    const node: DocNode = { name: nodeName, id };
    if (votes !== undefined) node.votes = votes;
    nodes.push(node);
    let fenceSeen = false;
    let levelCount = 0;
    for (const c of n.children) {
      if (c.name === 'fence') {
        if (fenceSeen) throw fail(c, `clusternode '${nodeName}' has more than one <fence> element`);
        fenceSeen = true;
        const f = importMethods(c, nodeName, collected, warnings);
        levelCount = f.levels.length;
        fences.push(f);
      } else if (c.name === 'altname') {
        unknownElement(
          c,
          warnings,
          'a second ring address is transport configuration; world.rings in a scenario',
        );
      } else if (c.name === 'unfence') {
        unknownElement(c, warnings, 'unfencing is not modelled');
      } else {
        unknownElement(c, warnings);
      }
    }
    if (levelCount === 0) {
      warnings.push(`${n.path}: node '${nodeName}' has no fence method; Quorate cannot fence it`);
    }
  }
  if (nodes.length === 0)
    throw fail(clusternodesEl, "element 'clusternodes' needs at least one <clusternode>");

  const quorum: DocQuorum = {};
  const options: DocOptions = {};
  const resources: DocResource[] = [];
  const constraints: DocConstraint[] = [];
  const seen = new Set<string>();
  for (const c of root.children) {
    const once = ['cman', 'quorumd', 'totem', 'fence_daemon', 'rm'];
    if (once.includes(c.name)) {
      if (seen.has(c.name)) throw fail(c, `more than one <${c.name}> element`);
      seen.add(c.name);
    }
    switch (c.name) {
      case 'clusternodes':
      case 'fencedevices':
        break;
      case 'cman':
        importCman(c, quorum, warnings);
        break;
      case 'quorumd':
        importQuorumd(c, quorum, warnings);
        break;
      case 'totem':
        importTotem(c, options, warnings);
        break;
      case 'fence_daemon':
        importFenceDaemon(c, options, warnings);
        break;
      case 'rm':
        importRm(
          c,
          nodes.map((x) => x.name),
          resources,
          constraints,
          warnings,
        );
        break;
      default:
        unknownElement(c, warnings, IGNORED_TOP[c.name] ?? 'not supported by the import');
    }
  }

  if (quorum.qdisk !== undefined && quorum.twoNode === true) {
    warnings.push(
      'cluster/cman: two_node together with a quorum disk is invalid in cman; remove one of them',
    );
  }
  if (
    nodes.length === 2 &&
    quorum.twoNode !== true &&
    quorum.qdisk === undefined &&
    quorum.expectedVotes === undefined
  ) {
    warnings.push(
      'cluster: two nodes without two_node or a quorum disk: losing either node loses quorum and stops everything (as cman); consider quorum.twoNode or a qdisk',
    );
  }
  if (!seen.has('totem')) {
    warnings.push(
      "cluster: no <totem token>: cman's default token was 10s; the document keeps Quorate's default tokenTimeout (3s)",
    );
  }

  const devices: DocDevice[] = [];
  for (const def of collected.devices.values()) {
    if (def.redirect) continue;
    const hosts = collected.hosts.get(def.device.name) ?? [];
    if (hosts.length === 0)
      warnings.push(`${def.el.path}: device '${def.device.name}' is not used by any node's fence method`);
    const out: DocDevice = { name: def.device.name, agent: def.device.agent, hosts };
    const ports = collected.ports.get(def.device.name);
    if (ports !== undefined && ports.size > 0) out.port = Object.fromEntries(ports);
    if (def.device.delay !== undefined) out.delay = def.device.delay;
    out.params = def.device.params ?? {};
    devices.push(out);
  }
  devices.push(...collected.extra);
  const topology: Record<string, string[][]> = {};
  for (const f of fences) if (f.levels.length > 0) topology[f.node] = f.levels;

  const document: RawClusterDocument = { name, configVersion, nodes };
  if (Object.keys(quorum).length > 0) document.quorum = quorum;
  if (Object.keys(options).length > 0) document.options = options;
  if (devices.length > 0 || Object.keys(topology).length > 0) document.fencing = { devices, topology };
  if (resources.length > 0) document.resources = resources;
  if (constraints.length > 0) document.constraints = constraints;
  return { document, warnings };
}

/**
 * Renders an import as YAML text for people (what `quorate import` prints): the warnings first,
 * as `#` comment lines, then the document under a `cluster:` key, ready to paste into a scenario
 * file or to pass to `parseClusterConfig` after parsing. Pure; the output never contains a secret
 * because the document and warnings never do.
 */
export function renderClusterConfImport(result: ClusterConfImport): string {
  const head = result.warnings.map((w) => `# warning: ${w}`);
  const body = stringifyYaml({ cluster: result.document }, { lineWidth: 0 });
  return `${head.length > 0 ? `${head.join('\n')}\n` : ''}${body}`;
}
