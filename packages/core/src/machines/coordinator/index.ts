export * from './coordinator.logic.js';
export * from './coordinator.machine.js';
export type * from './coordinator.types.js';
