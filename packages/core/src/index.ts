export type * from '@quorate/policy';
export type * from './ports.js';
