import { describe, expect, it } from 'vitest';
import type { TaskCounts } from '../../../cli/api-client';
import { formatDuration, progressBetween, progressLine, sampleOf } from '../../../cli/progress';

const counts = (overrides: Partial<TaskCounts>): TaskCounts => ({
  total: 0,
  valid: 0,
  invalid: 0,
  succeeded: 0,
  failed: 0,
  pendingApproval: 0,
  notified: 0,
  grantsApproved: 0,
  grantsRejected: 0,
  ...overrides,
});

describe('sampleOf', () => {
  it('counts created and failed rows as settled, out of the valid ones', () => {
    expect(sampleOf(counts({ total: 12, valid: 10, succeeded: 4, failed: 2 }), 5)).toEqual({
      atMs: 5,
      done: 6,
      total: 10,
    });
  });

  it('never reports more settled rows than valid ones', () => {
    expect(sampleOf(counts({ valid: 3, succeeded: 3, failed: 1 }), 0).done).toBe(3);
  });
});

describe('progressBetween', () => {
  it('has no rate or ETA before a row settled or time passed', () => {
    expect(progressBetween({ atMs: 0, done: 0, total: 100 }, { atMs: 2000, done: 0, total: 100 })).toEqual({
      done: 0,
      total: 100,
    });
    expect(progressBetween({ atMs: 0, done: 0, total: 100 }, { atMs: 0, done: 0, total: 100 })).toEqual({
      done: 0,
      total: 100,
    });
  });

  it('measures the rate from the first sample, so a retry run starting at 80 rows is not credited with them', () => {
    const progress = progressBetween(
      { atMs: 1000, done: 80, total: 200 },
      { atMs: 5000, done: 120, total: 200 },
    );
    expect(progress.rowsPerSecond).toBe(10);
    expect(progress.etaSeconds).toBe(8);
  });

  it('drops the ETA once every row is settled', () => {
    const progress = progressBetween({ atMs: 0, done: 0, total: 50 }, { atMs: 2000, done: 50, total: 50 });
    expect(progress).toEqual({ done: 50, total: 50, rowsPerSecond: 25 });
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [0.2, '1s'],
    [42, '42s'],
    [59.5, '1m 00s'],
    [65, '1m 05s'],
    [3599, '59m 59s'],
    [7380, '2h 03m'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('progressLine', () => {
  it('shows the bar, rows, percent, rate and ETA', () => {
    expect(
      progressLine('PROVISIONING', { done: 120, total: 300, rowsPerSecond: 35.24, etaSeconds: 5.1 }),
    ).toBe('PROVISIONING [##########..............] 120/300 rows 40% · 35.2 rows/s · ETA 6s');
  });

  it('shows a run without rows as complete, and leaves out what is unknown', () => {
    expect(progressLine('COMPLETED', { done: 0, total: 0 })).toBe(
      'COMPLETED [########################] 0/0 rows 100%',
    );
  });
});
