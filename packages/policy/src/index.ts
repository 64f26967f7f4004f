export type * from './types.js';
export { schedule } from './schedule.js';
export { formatSummary, formatScores } from './summary.js';
export { INFINITY, addScores, formatScore, parseScore as parseScoreText } from './score.js';
export { evaluateRule, evaluateExpression, ruleScore, compareVersions, type NodeAttributes } from './rules.js';
export { CibError, type CibErrorCode } from './errors.js';
export { fromCib, type FromCibOptions } from './cib/from-cib.js';
