import { describe, expect, it } from 'vitest';
import { addScores, formatScore, INFINITY, parseScoreText } from '../src/index.js';

const INF = INFINITY;

describe('addScores (Pacemaker pcmk__add_scores)', () => {
  it.each([
    [1, 2, 3],
    [INF, -INF, -INF], // a ban always beats a requirement
    [-INF, INF, -INF],
    [INF, 5, INF],
    [-INF, -5, -INF],
    [600000, 600000, INF], // finite sums clamp
    [-600000, -600000, -INF],
    [999999, 1, INF],
    [0, 0, 0],
    [-3, 3, 0],
  ])('%i ⊕ %i = %i', (a, b, sum) => {
    expect(addScores(a, b)).toBe(sum);
    expect(addScores(b, a)).toBe(sum);
  });

  it('is not associative once a finite sum crosses INFINITY', () => {
    expect(addScores(addScores(600000, 600000), -600000)).toBe(INF);
    expect(addScores(addScores(600000, -600000), 600000)).toBe(600000);
  });
});

describe('parseScoreText (Pacemaker char2score)', () => {
  it.each([
    ['INFINITY', INF],
    ['+INFINITY', INF],
    ['-INFINITY', -INF],
    ['infinity', 0], // case-sensitive
    ['-inf', 0],
    ['12abc', 12],
    ['abc', 0],
    ['-40', -40],
    ['2000000', INF],
    ['-2000000', -INF],
    [' 7', 7],
  ])('%j → %i', (text, score) => {
    expect(parseScoreText(text)).toBe(score);
  });
});

describe('formatScore', () => {
  it.each([
    [INF, 'INFINITY'],
    [-INF, '-INFINITY'],
    [2 * INF, 'INFINITY'],
    [0, '0'],
    [-12, '-12'],
  ])('%i prints as %s', (score, text) => {
    expect(formatScore(score)).toBe(text);
  });
});
