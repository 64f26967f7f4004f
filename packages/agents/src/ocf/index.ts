/**
 * OCF resource agents (`/usr/lib/ocf/resource.d/<provider>/<type>`) run as programs.
 */

export {
  createOcfResourceAgent,
  OCF_EXIT_CODES,
  type OcfResourceAgent,
  type OcfResourceOptions,
  ocfResourceOptionsSchema,
} from './ocf-agent.js';
export {
  type OcfActionInfo,
  type OcfMetadata,
  type OcfParameterInfo,
  parseOcfDuration,
  parseOcfMetadata,
} from './ocf-metadata.js';
