export * from './membership.logic.js';
export * from './membership.machine.js';
export type * from './membership.types.js';
