export * from './fencing.logic.js';
export * from './fencing.machine.js';
export type * from './fencing.types.js';
