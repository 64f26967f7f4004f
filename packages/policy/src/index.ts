export { type FromCibOptions, fromCib } from './cib/from-cib.js';
export { CibError, type CibErrorCode } from './errors.js';
export {
  compareVersions,
  evaluateExpression,
  evaluateRule,
  type NodeAttributes,
  ruleScore,
} from './rules.js';
export { schedule } from './schedule.js';
export { addScores, formatScore, INFINITY, parseScore as parseScoreText } from './score.js';
export { formatScores, formatSummary } from './summary.js';
export type * from './types.js';
