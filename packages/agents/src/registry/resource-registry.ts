/**
 * Configuration → resource agent: `resources[].agent` strings mapped to working
 * {@link ResourceAgent}s (OCF scripts, host functions).
 */
import type { ResourceAgent, ResourceConfig } from '@quorate/core';
import { ConfigError } from '@quorate/core';
import { createFunctionResourceAgent, type FunctionResourceHandlers } from '../function/index.js';
import { createOcfResourceAgent } from '../ocf/index.js';

/** Options of {@link createResourceAgentForResource}. */
export interface ResourceRegistryOptions {
  /** OCF_ROOT; default `/usr/lib/ocf`. */
  ocfRoot?: string;
  /**
   * Extra OCF parameters per resource id, merged over the resource's own `params` (a host puts
   * per-node values here, e.g. Dummy's `state` file in this node's state directory).
   */
  ocfParams?: Record<string, Record<string, string>>;
  /** Default time limit of one OCF action, ms (the OCF adapter's default otherwise). */
  ocfTimeoutMs?: number;
  /**
   * Host functions or ready agents by name: a resource whose `agent` is such a name (or whose id
   * is, when `agent` names nothing here) uses it.
   */
  functions?: Record<string, FunctionResourceHandlers | ResourceAgent>;
}

const OCF = /^ocf:([A-Za-z0-9_][A-Za-z0-9_.-]*):([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;

function isAgent(x: FunctionResourceHandlers | ResourceAgent): x is ResourceAgent {
  return typeof (x as ResourceAgent).run === 'function';
}

function fail(resource: ResourceConfig, message: string): never {
  throw new ConfigError(`resource '${resource.id}' (${resource.agent}): ${message}`, [
    { path: ['resources', resource.id, 'agent'], message },
  ]);
}

/**
 * Builds the agent of one configured resource: `ocf:<provider>:<type>` → the OCF adapter running
 * `<ocfRoot>/resource.d/<provider>/<type>` with the resource's `params` (plus
 * `opts.ocfParams[id]`); any other string → the host function (or agent) of that name in
 * `opts.functions`. Throws `ConfigError` for an agent string that names nothing (e.g. `sim`
 * without a function of that name, `lsb:...`), or for invalid OCF parameter names. A missing OCF
 * script is not an error here: the agent answers `not-installed` when run.
 */
export function createResourceAgentForResource(
  resource: ResourceConfig,
  opts: ResourceRegistryOptions = {},
): ResourceAgent {
  const m = OCF.exec(resource.agent);
  if (m) {
    const [, provider, type] = m as unknown as [string, string, string];
    try {
      return createOcfResourceAgent({
        provider,
        type,
        ...(opts.ocfRoot !== undefined ? { root: opts.ocfRoot } : {}),
        params: { ...resource.params, ...(opts.ocfParams?.[resource.id] ?? {}) },
        ...(opts.ocfTimeoutMs !== undefined ? { defaultTimeoutMs: opts.ocfTimeoutMs } : {}),
      });
    } catch (err) {
      fail(resource, err instanceof Error ? err.message : String(err));
    }
  }
  if (resource.agent.startsWith('ocf:')) fail(resource, "expected 'ocf:<provider>:<type>'");
  const fn = opts.functions?.[resource.agent] ?? opts.functions?.[resource.id];
  if (fn !== undefined) return isAgent(fn) ? fn : createFunctionResourceAgent(fn);
  const known = Object.keys(opts.functions ?? {});
  return fail(
    resource,
    `no such agent: expected 'ocf:<provider>:<type>' or a host function (${
      known.length > 0 ? known.map((k) => `'${k}'`).join(', ') : 'none given'
    })`,
  );
}
