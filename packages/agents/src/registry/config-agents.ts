/** Every agent a whole cluster configuration needs, built through the registry. */
import type { ClusterConfig, FenceAgent, ResourceAgent } from '@quorate/core';
import { createFenceAgentForDevice, type FenceRegistryOptions } from './fence-registry.js';
import { createResourceAgentForResource, type ResourceRegistryOptions } from './resource-registry.js';

/**
 * Fence agents by device name for every device of `config` except `watchdog` ones (core counts
 * those by time and needs no agent), ready for `ClusterNodeOptions.fenceAgents`. Throws
 * `ConfigError` as {@link createFenceAgentForDevice}; agents built before the failure are closed.
 */
export function createFenceAgentsForConfig(
  config: ClusterConfig,
  opts: FenceRegistryOptions = {},
): Record<string, FenceAgent> {
  const out: Record<string, FenceAgent> = {};
  try {
    for (const d of config.fencing.devices) {
      if (d.agent === 'watchdog' && opts.factories?.watchdog === undefined) continue;
      out[d.name] = createFenceAgentForDevice(d, opts);
    }
  } catch (err) {
    for (const a of Object.values(out)) void a.close?.();
    throw err;
  }
  return out;
}

/**
 * Resource agents by resource id for every resource of `config`, ready for
 * `ClusterNodeOptions.resourceAgents`. Throws `ConfigError` as {@link createResourceAgentForResource}.
 */
export function createResourceAgentsForConfig(
  config: ClusterConfig,
  opts: ResourceRegistryOptions = {},
): Record<string, ResourceAgent> {
  const out: Record<string, ResourceAgent> = {};
  for (const r of config.resources) out[r.id] = createResourceAgentForResource(r, opts);
  return out;
}
