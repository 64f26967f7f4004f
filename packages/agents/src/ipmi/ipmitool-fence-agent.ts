import type { FenceAgent } from '@quorate/core';
import { type IpmitoolFenceAgentOptions } from './ipmi-options.js';

/** Work in progress. */
export function createIpmitoolFenceAgent(_options: IpmitoolFenceAgentOptions): FenceAgent {
  return {
    async run() {
      return { ok: false, reason: 'agent-error', detail: 'ipmitool agent not implemented yet' };
    },
  } satisfies FenceAgent;
}
