/**
 * Configuration: the zod schema of the `cluster:` document, its normalised type, and the rules
 * for runtime updates. See SCENARIO-FORMAT.md "cluster" and STYLE.md §7.
 */

export {
  type ClusterConfigInput,
  clusterConfigJsonSchema,
  clusterConfigSchema,
  configErrorFromZod,
  DEFAULT_WATCHDOG_TIMEOUT_MS,
  parseClusterConfig,
  RESERVED_NODE_NAMES,
  type SafeParseClusterConfigResult,
  safeParseClusterConfig,
} from './cluster.schema.js';
export type * from './cluster-config.types.js';
export {
  type ConfigVersionCheck,
  type ConfigVersionRefusal,
  checkConfigVersion,
  mergeClusterDocument,
} from './config-update.js';
export {
  clampScore,
  duration,
  formatDuration,
  parseDurationMs,
  parseScore,
  percent,
  SCORE_INFINITY,
  score,
  stringish,
  toConfigIssues,
} from './schema-helpers.js';
