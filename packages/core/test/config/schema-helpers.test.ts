import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  duration,
  formatDuration,
  parseDurationMs,
  parseScore,
  percent,
  score,
} from '../../src/config/index.js';

describe('duration()', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0s', 0],
    ['15m', 900_000],
    [' 3s ', 3000],
    [0, 0],
    [1500, 1500],
  ] as const)('reads %j as %i ms', (input, ms) => {
    expect(duration().parse(input)).toBe(ms);
  });

  it.each([
    ['5 sec', "got '5 sec'"],
    ['5', "got '5'"],
    ['-1s', "got '-1s'"],
    ['1.0005s', 'whole number of milliseconds'],
    [-5, 'got -5'],
    [2.5, 'whole number of milliseconds'],
    [true, 'expected a duration'],
  ] as const)('refuses %j with a sentence (%s)', (input, fragment) => {
    const r = duration().safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain(fragment);
  });

  it('says the field is required when it is missing', () => {
    const r = z.object({ d: duration() }).safeParse({});
    expect(r.error?.issues[0]?.message).toBe('required');
  });

  it('parseDurationMs never throws on odd input', () => {
    for (const v of [null, undefined, {}, [], Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(parseDurationMs(v).ok).toBe(false);
    }
  });

  it.each([
    [250, '250ms'],
    [5000, '5s'],
    [120_000, '2m'],
    [3_600_000, '1h'],
    [0, '0s'],
    [1500, '1500ms'],
    [90_000, '90s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDurationMs(text)).toEqual({ ok: true, ms });
  });
});

describe('score()', () => {
  it.each([
    [0, 0],
    [100, 100],
    [-50, -50],
    ['100', 100],
    ['-7', -7],
    ['INFINITY', 1_000_000],
    ['+INFINITY', 1_000_000],
    ['-INFINITY', -1_000_000],
    ['infinity', 1_000_000],
    [5_000_000, 1_000_000],
    [-5_000_000, -1_000_000],
  ] as const)('reads %j as %i', (input, value) => {
    expect(score().parse(input)).toBe(value);
    expect(parseScore(input)).toEqual({ ok: true, score: value });
  });

  it.each([1.5, 'lots', '', null, 'INFINITY+1'])('refuses %j', (input) => {
    const r = score().safeParse(input);
    expect(r.success).toBe(false);
  });
});

describe('percent()', () => {
  it.each([
    ['50%', 0.5],
    ['100%', 1],
    ['0%', 0],
    ['33.5%', 0.335],
    [0.25, 0.25],
  ] as const)('reads %j as %d', (input, value) => {
    expect(percent().parse(input)).toBeCloseTo(value, 10);
  });

  it.each(['150%', '50', 'half', 2, -0.1])('refuses %j', (input) => {
    expect(percent().safeParse(input).success).toBe(false);
  });
});
