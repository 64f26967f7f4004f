/**
 * The xstate v5 machines of a node, one per concern (membership, quorum, coordinator, fencing,
 * resource), exported so that hosts and tests can run, inspect and drive each one alone with a
 * virtual clock (`@quorate/core/testing`). `createClusterNode` wires them together.
 */
export * from './coordinator/index.js';
export * from './fencing/index.js';
export * from './membership/index.js';
export * from './quorum/index.js';
export * from './resource/index.js';
