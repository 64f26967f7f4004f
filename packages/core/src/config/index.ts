export type * from './cluster-config.types.js';
