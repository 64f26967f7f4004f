/** The deterministic simulator and scenario runner (SCENARIO-FORMAT.md). */
export * from './runner.js';
export { type Machine, World, type WorldHooks } from './world.js';
