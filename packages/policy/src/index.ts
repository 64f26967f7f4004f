export type * from './types.js';
export { schedule } from './schedule.js';
export { formatSummary, formatScores } from './summary.js';
export { INFINITY, addScores, parseScore, formatScore, clampScore } from './score.js';
export { evaluateRule, evaluateExpression, ruleScore, compareVersions, type NodeAttributes } from './rules.js';
export { CibError, type CibErrorCode } from './errors.js';
export { fromCib, parseDurationMs, type FromCibOptions } from './cib/from-cib.js';
export { parseXmlTree, type XmlElement, type XmlParserKind } from './cib/xml-tree.js';
