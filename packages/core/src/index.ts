/**
 * @quorate/core: the cluster as xstate machines. Each folder owns its part of the public API
 * through its own `index.ts`; this file only gathers them.
 */
export type * from '@quorate/policy';
export * from './cman/index.js';
export * from './config/index.js';
export * from './errors.js';
export * from './machines/index.js';
export * from './node/index.js';
export type * from './ports.js';
export * from './quorum/index.js';
export * from './scenario/index.js';
export * from './sim/index.js';
