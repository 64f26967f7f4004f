/**
 * Scenario files (SCENARIO-FORMAT.md): the schema, `parseScenario` (YAML 1.2 or JSON text to a
 * normalised, typed {@link Scenario}) and the scenario types the simulator runs.
 */

export {
  DEFAULT_UNTIL_MARGIN_MS,
  EVENT_KINDS,
  INVARIANT_NAMES,
  parseScenario,
  parseScenarioDocument,
  type SafeParseScenarioResult,
  safeParseScenarioDocument,
  WORLD_DEFAULTS,
} from './scenario.schema.js';
export type * from './scenario.types.js';
