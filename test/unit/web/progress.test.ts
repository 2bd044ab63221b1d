import { describe, expect, it } from 'vitest';
import {
  addSample,
  countOf,
  estimateProgress,
  formatDuration,
  RATE_WINDOW_MS,
} from '../../../web/src/lib/progress';

describe('estimateProgress', () => {
  it('has no rate before two readings', () => {
    expect(estimateProgress([], 200)).toEqual({ done: 0, total: 200, percent: 0 });
    expect(estimateProgress([{ at: 1000, done: 20 }], 200)).toEqual({ done: 20, total: 200, percent: 10 });
  });

  it('measures rows per second between readings and the time left at that rate', () => {
    const estimate = estimateProgress(
      [
        { at: 0, done: 0 },
        { at: 5_000, done: 50 },
        { at: 10_000, done: 100 },
      ],
      400,
    );
    expect(estimate).toEqual({ done: 100, total: 400, percent: 25, rowsPerSecond: 10, etaSeconds: 30 });
  });

  it('follows a slowdown: only the readings of the last window count', () => {
    const start = 0;
    const samples = [
      { at: start, done: 0 },
      { at: start + 10_000, done: 1_000 },
      { at: start + 10_000 + RATE_WINDOW_MS, done: 1_030 },
    ];
    const estimate = estimateProgress(samples, 2_030);
    expect(estimate.rowsPerSecond).toBeCloseTo(1, 5);
    expect(estimate.etaSeconds).toBe(1_000);
  });

  it('says nothing of the rate while no row moved', () => {
    const estimate = estimateProgress(
      [
        { at: 0, done: 10 },
        { at: 5_000, done: 10 },
      ],
      100,
    );
    expect(estimate.rowsPerSecond).toBeUndefined();
    expect(estimate.etaSeconds).toBeUndefined();
  });

  it('is done at the total: 100 %, nothing left, never past it', () => {
    expect(estimateProgress([{ at: 0, done: 205 }], 200)).toEqual({
      done: 200,
      total: 200,
      percent: 100,
      etaSeconds: 0,
    });
    expect(estimateProgress([], 0).percent).toBe(100);
  });
});

describe('addSample', () => {
  it('keeps two windows of readings and appends the new one', () => {
    const old = { at: 0, done: 0 };
    const recent = { at: RATE_WINDOW_MS * 2, done: 5 };
    const next = addSample([old, recent], { at: RATE_WINDOW_MS * 2 + 1, done: 6 });
    expect(next).toEqual([recent, { at: RATE_WINDOW_MS * 2 + 1, done: 6 }]);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [4.4, '4 s'],
    [59, '59 s'],
    [61, '1 min 1 s'],
    [3_600, '1 h 0 min'],
    [3_725, '1 h 2 min'],
    [-5, '0 s'],
  ])('%s s reads %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('countOf', () => {
  it('says one row, and any other count in the plural', () => {
    expect(countOf(1, 'row')).toBe('1 row');
    expect(countOf(0, 'row')).toBe('0 rows');
    expect(countOf(5, 'failed row')).toBe('5 failed rows');
  });
});
