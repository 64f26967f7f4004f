/**
 * Any fence-agents program (`fence_*`) as a fence agent: the key=value stdin protocol,
 * metadata, exit codes, and time limits enforced by killing the whole process group.
 */
export {
  createExecFenceAgent,
  type ExecFenceAgent,
  type ExecFenceOptions,
  execFenceOptionsSchema,
} from './exec-fence.js';
export {
  type FenceAgentMetadata,
  type FenceParameterInfo,
  parseFenceAgentMetadata,
} from './fence-metadata.js';
