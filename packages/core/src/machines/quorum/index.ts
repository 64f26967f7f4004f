export * from './quorum.machine.js';
export type * from './quorum.types.js';
