/**
 * OCF resource agents (`/usr/lib/ocf/resource.d/<provider>/<type>`) run as programs, and — because
 * `src/index.ts` gathers folders and this one is listed there — the in-process function agent.
 */

export * from '../function/index.js';
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
