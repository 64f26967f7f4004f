import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  evaluateExpression,
  evaluateRule,
  INFINITY,
  type Rule,
  type RuleExpression,
  ruleScore,
} from '../src/index.js';

const attrs = new Map<string, string>([
  ['#uname', 'node1'],
  ['#id', '1'],
  ['#kind', 'cluster'],
  ['#is_dc', 'true'],
  ['site', 'Paris'],
  ['ram', '16'],
  ['load', '0.75'],
  ['word', 'abc'],
  ['ver', '1.10.2'],
  ['pingd', '200'],
  ['bad', '12xyz'],
]);

type Row = [string, RuleExpression, boolean];

describe('evaluateExpression (Pacemaker accept_attr_expr)', () => {
  const rows: Row[] = [
    ['eq on strings is case-insensitive', { attribute: 'site', op: 'eq', value: 'paris' }, true],
    ['ne on strings', { attribute: 'site', op: 'ne', value: 'Berlin' }, true],
    [
      'string lt compares case-insensitively',
      { attribute: 'site', op: 'lt', value: 'q', type: 'string' },
      true,
    ],
    ['integer gt', { attribute: 'ram', op: 'gt', value: '8' }, true],
    ['integer lte', { attribute: 'ram', op: 'lte', value: '15' }, false],
    ['a "." makes it a number comparison', { attribute: 'load', op: 'lt', value: '0.8' }, true],
    [
      'integer type reads the leading integer ("12xyz" is 12)',
      { attribute: 'bad', op: 'eq', value: '12', type: 'integer' },
      true,
    ],
    [
      'unparsable numbers fall back to a string compare ("abc" gt "8")',
      { attribute: 'word', op: 'gt', value: '8' },
      true,
    ],
    ['version compares dotted numbers', { attribute: 'ver', op: 'gt', value: '1.9', type: 'version' }, true],
    ['defined', { attribute: 'pingd', op: 'defined' }, true],
    ['defined on a missing attribute', { attribute: 'nope', op: 'defined' }, false],
    ['not_defined on a missing attribute', { attribute: 'nope', op: 'not_defined' }, true],
    ['ne on a missing attribute is true', { attribute: 'nope', op: 'ne', value: 'x' }, true],
    ['eq on a missing attribute is false', { attribute: 'nope', op: 'eq', value: 'x' }, false],
    ['gt on a missing attribute is false', { attribute: 'nope', op: 'gt', value: '1' }, false],
    ['lt on a missing attribute is false', { attribute: 'nope', op: 'lt', value: '1' }, false],
    ['#uname', { attribute: '#uname', op: 'eq', value: 'NODE1' }, true],
    ['#is_dc', { attribute: '#is_dc', op: 'eq', value: 'true' }, true],
    ['#kind', { attribute: '#kind', op: 'eq', value: 'cluster' }, true],
  ];
  it.each(rows)('%s', (_name, expr, expected) => {
    expect(evaluateExpression(expr, attrs)).toBe(expected);
  });
});

describe('evaluateRule', () => {
  const yes: RuleExpression = { attribute: 'site', op: 'eq', value: 'paris' };
  const no: RuleExpression = { attribute: 'site', op: 'eq', value: 'berlin' };
  it.each<[string, Rule, boolean]>([
    ['and (default): all must pass', { expressions: [yes, no] }, false],
    ['and: all pass', { expressions: [yes, yes] }, true],
    ['or: one passes', { booleanOp: 'or', expressions: [no, yes] }, true],
    ['or: none passes', { booleanOp: 'or', expressions: [no, no] }, false],
    ['empty and passes', { expressions: [] }, true],
    ['empty or fails', { booleanOp: 'or', expressions: [] }, false],
    ['nested rules', { expressions: [yes, { booleanOp: 'or', expressions: [no, yes] }] }, true],
    ['nested rule failing', { expressions: [yes, { expressions: [no] }] }, false],
  ])('%s', (_name, rule, expected) => {
    expect(evaluateRule(rule, attrs)).toBe(expected);
  });
});

describe('ruleScore', () => {
  it.each<[string, Rule, number]>([
    ['score', { score: 50, expressions: [] }, 50],
    ['no score is 0', { expressions: [] }, 0],
    ['score-attribute reads the node attribute', { scoreAttribute: 'pingd', expressions: [] }, 200],
    [
      'score-attribute missing on the node is -INFINITY',
      { scoreAttribute: 'nope', expressions: [] },
      -INFINITY,
    ],
    ['score-attribute parses leniently', { scoreAttribute: 'bad', expressions: [] }, 12],
  ])('%s', (_name, rule, expected) => {
    expect(ruleScore(rule, attrs)).toBe(expected);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.2', '1.10', -1],
    ['1.2.0', '1.2', 0],
    ['2', '1.99', 1],
  ])('%s vs %s', (a, b, c) => {
    expect(compareVersions(a, b)).toBe(c);
  });
});
