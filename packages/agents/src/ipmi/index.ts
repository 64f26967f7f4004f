/**
 * IPMI fence agents.
 *
 * - {@link createIpmiFenceAgent}: our own IPMI client over UDP (RMCP+ / IPMI v2.0 `lanplus`
 *   with cipher suites 0–3, 6–8, 15–17, or IPMI v1.5 `lan`), no external program.
 * - {@link createIpmitoolFenceAgent}: the same actions through the `ipmitool` binary.
 *
 * Both satisfy `FenceAgent` from `@quorate/core` and behave like fence_ipmilan: `reboot` is
 * off, confirm off by status, on (or one power cycle with `method: 'cycle'`).
 */

export { createIpmiFenceAgent } from './ipmi-fence-agent.js';
export {
  IPMI_CIPHER_SUITES,
  type IpmiCipherSuite,
  type IpmiFenceAgentConfig,
  type IpmiFenceAgentOptions,
  type IpmiPrivilege,
  type IpmitoolFenceAgentConfig,
  type IpmitoolFenceAgentOptions,
  ipmiFenceAgentOptionsSchema,
  ipmitoolFenceAgentOptionsSchema,
} from './ipmi-options.js';
export { createIpmitoolFenceAgent } from './ipmitool-fence-agent.js';
