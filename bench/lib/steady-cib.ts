/**
 * Writes a large, steady-state Pacemaker CIB for the policy benchmark: N online nodes, R
 * `ocf:heartbeat:Dummy` primitives, every resource probed on every node (rc 7 on all nodes but
 * the one it runs on, where the history has a start and a recurring monitor), most resources
 * running (balanced over the nodes), two location constraints per resource (a preference and a
 * ban), `resource-stickiness=100` in rsc_defaults. Deterministic (own PRNG).
 *
 * The file is written in chunks, so sizes of a few hundred MB do not need one giant string.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createSeededRandom } from '@quorate/core/testing';

function mulberry32(seed: number): () => number {
  const r = createSeededRandom(seed);
  return () => r.next();
}

// Digests Pacemaker 2.1.5 records for a parameterless agent (non-recurring / 10 s monitor).
const DIGEST_ONESHOT = 'f2317cad3d54cec5d7d7aa7d0bf35cf8';
const DIGEST_MONITOR = '4811cef7f7f94e3a35a70be7916cb2fd';
const UUID = '5b2e1f0c-3a4d-4c6b-9e8f-0a1b2c3d4e5f';

/** Shape of a generated benchmark CIB. */
export interface SteadyCibInfo {
  nodes: number;
  resources: number;
  running: number;
  constraints: number;
  bytes: number;
}

function op(
  id: string,
  key: string,
  name: string,
  interval: number,
  rc: number,
  target: number,
  call: number,
  t: number,
): string {
  const tk = `${call}:1:${target}:${UUID}`;
  return (
    `<lrm_rsc_op id="${id}" operation_key="${key}" operation="${name}" crm_feature_set="3.16.1" ` +
    `transition-key="${tk}" transition-magic="0:${rc};${tk}" call-id="${call}" rc-code="${rc}" ` +
    `op-status="0" interval="${interval}" last-rc-change="${t}" exec-time="5" queue-time="0" ` +
    `op-digest="${interval === 0 ? DIGEST_ONESHOT : DIGEST_MONITOR}"/>`
  );
}

/**
 * Writes the CIB to `file`. `seed` fixes which resources are stopped and the constraint scores.
 */
export function writeSteadyCib(file: string, nodeCount: number, rscCount: number, seed = 1): SteadyCibInfo {
  const rnd = mulberry32(seed);
  const now = 1_750_000_000;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node${i + 1}`);
  // Which node each resource runs on (null = stopped): round-robin, ~5 % stopped.
  const home: Array<number | null> = [];
  let running = 0;
  for (let r = 0; r < rscCount; r++) {
    if (rnd() < 0.05) home.push(null);
    else {
      home.push(r % nodeCount);
      running++;
    }
  }
  const fd = openSync(file, 'w');
  let bytes = 0;
  let buf: string[] = [];
  let bufLen = 0;
  const out = (s: string): void => {
    buf.push(s);
    bufLen += s.length;
    if (bufLen > 1 << 20) flush();
  };
  const flush = (): void => {
    const chunk = buf.join('');
    bytes += Buffer.byteLength(chunk);
    writeSync(fd, chunk);
    buf = [];
    bufLen = 0;
  };
  try {
    out(
      `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="100" num_updates="1" ` +
        `admin_epoch="0" have-quorum="1" dc-uuid="1" execution-date="${now}">\n<configuration>\n<crm_config>` +
        '<cluster_property_set id="cib-bootstrap-options">' +
        '<nvpair id="opt-stonith" name="stonith-enabled" value="false"/>' +
        '<nvpair id="opt-nqp" name="no-quorum-policy" value="stop"/>' +
        '</cluster_property_set></crm_config>\n<nodes>\n',
    );
    nodes.forEach((name, i) => {
      out(
        `<node id="${i + 1}" uname="${name}" type="member"><instance_attributes id="${name}-attrs">` +
          `<nvpair id="${name}-rack" name="rack" value="rack${i % 4}"/></instance_attributes></node>\n`,
      );
    });
    out('</nodes>\n<resources>\n');
    for (let r = 0; r < rscCount; r++) {
      out(
        `<primitive id="rsc${r}" class="ocf" provider="heartbeat" type="Dummy">` +
          `<operations><op id="rsc${r}-mon" name="monitor" interval="10s"/></operations></primitive>\n`,
      );
    }
    out('</resources>\n<constraints>\n');
    let constraints = 0;
    for (let r = 0; r < rscCount; r++) {
      const h = home[r] ?? null;
      const pref = Math.floor(rnd() * nodeCount);
      let ban = Math.floor(rnd() * nodeCount);
      if (ban === h) ban = (ban + 1) % nodeCount;
      const score = 1 + Math.floor(rnd() * 50);
      out(`<rsc_location id="rsc${r}-prefers" rsc="rsc${r}" node="${nodes[pref]}" score="${score}"/>\n`);
      if (nodeCount > 2) {
        out(`<rsc_location id="rsc${r}-avoids" rsc="rsc${r}" node="${nodes[ban]}" score="-INFINITY"/>\n`);
        constraints++;
      }
      constraints++;
    }
    out(
      '</constraints>\n<rsc_defaults><meta_attributes id="rsc-options">' +
        '<nvpair id="rsc-options-stickiness" name="resource-stickiness" value="100"/>' +
        '</meta_attributes></rsc_defaults>\n</configuration>\n<status>\n',
    );
    nodes.forEach((name, n) => {
      out(
        `<node_state id="${n + 1}" uname="${name}" in_ccm="true" crmd="online" join="member" expected="member">` +
          `<lrm id="${n + 1}"><lrm_resources>\n`,
      );
      for (let r = 0; r < rscCount; r++) {
        const id = `rsc${r}`;
        out(`<lrm_resource id="${id}" type="Dummy" class="ocf" provider="heartbeat">`);
        if (home[r] === n) {
          out(op(`${id}_last_0`, `${id}_start_0`, 'start', 0, 0, 0, 2, now - 600));
          out(op(`${id}_monitor_10000`, `${id}_monitor_10000`, 'monitor', 10000, 0, 0, 3, now - 599));
        } else {
          out(op(`${id}_last_0`, `${id}_monitor_0`, 'monitor', 0, 7, 7, 1, now - 700));
        }
        out('</lrm_resource>\n');
      }
      out('</lrm_resources></lrm></node_state>\n');
    });
    out('</status>\n</cib>\n');
    flush();
    return { nodes: nodeCount, resources: rscCount, running, constraints, bytes };
  } finally {
    closeSync(fd);
  }
}
