/** Test helpers of @quorate/core: virtual clock, seeded randomness, fake adapters. */
export * from './fakes.js';
export * from './prng.js';
export * from './virtual-clock.js';
