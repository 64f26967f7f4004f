/** `createClusterNode` and its types. */
export * from './call-adapter.js';
export * from './cluster-node.js';
export type * from './node.types.js';
