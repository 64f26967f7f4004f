import type { FenceAgent } from '@quorate/core';
import { type IpmiFenceAgentOptions } from './ipmi-options.js';

/** Work in progress: the RMCP+ client is being written. */
export function createIpmiFenceAgent(_options: IpmiFenceAgentOptions): FenceAgent {
  return {
    async run() {
      return { ok: false, reason: 'agent-error', detail: 'ipmi agent not implemented yet' };
    },
  } satisfies FenceAgent;
}
