/**
 * Adapter registry: cluster configuration entries (fence devices, resources) → working agents.
 */
export { createFenceAgentsForConfig, createResourceAgentsForConfig } from './config-agents.js';
export {
  createFenceAgentForDevice,
  createManualFenceAgent,
  type FenceAgentFactory,
  type FenceRegistryOptions,
} from './fence-registry.js';
export { createResourceAgentForResource, type ResourceRegistryOptions } from './resource-registry.js';
