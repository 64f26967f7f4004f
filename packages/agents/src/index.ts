/**
 * @quorate/agents: adapters that touch the world. Each folder owns its part of the public API
 * through its own `index.ts`; this file only gathers them.
 */
export * from './etcd/index.js';
export * from './exec/index.js';
export * from './function/index.js';
export * from './ipmi/index.js';
export * from './ocf/index.js';
export * from './qdisk-file/index.js';
export * from './registry/index.js';
export * from './secrets/index.js';
export * from './snmp/index.js';
export * from './transport-udp/index.js';
