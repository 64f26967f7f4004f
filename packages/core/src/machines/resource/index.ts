export * from './resource.machine.js';
export type * from './resource.types.js';
