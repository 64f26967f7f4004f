export * from './coordinator.logic.js';
