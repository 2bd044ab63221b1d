import { describe, expect, it } from 'vitest';
import {
  type BatchOutcome,
  countsFrom,
  latestOutcomes,
  progressCounts,
} from '../../../functions/bulk-import/domain/row-outcome';

const created = (row: number, extra = {}) => ({
  row,
  email: `r${row}@acme.test`,
  userId: `u_${row}`,
  status: 'CREATED' as const,
  ...extra,
});
const failed = (row: number) => ({
  row,
  email: `r${row}@acme.test`,
  status: 'FAILED' as const,
  code: 'ALREADY_EXISTS',
});

describe('latestOutcomes', () => {
  it('lets a later run turn a failed row into a created one, and never the other way round', () => {
    const batches: BatchOutcome[] = [
      { run: 2, batch: 1, rows: [created(3), failed(4)] },
      { run: 1, batch: 1, rows: [created(2), failed(3), created(4)] },
    ];
    const latest = latestOutcomes(batches);
    expect(latest.get(2)?.status).toBe('CREATED');
    expect(latest.get(3)?.status).toBe('CREATED');
    expect(latest.get(4)?.status).toBe('CREATED');
  });

  it('takes the last write of a batch retried within a run', () => {
    const latest = latestOutcomes([
      { run: 1, batch: 1, rows: [failed(2)] },
      { run: 1, batch: 2, rows: [failed(9)] },
    ]);
    expect([...latest.keys()].sort()).toEqual([2, 9]);
  });
});

describe('countsFrom', () => {
  const validation = { total: 10, valid: 6, invalid: 4 };

  it('keeps succeeded + failed = valid once complete, counting rows without an outcome as failed', () => {
    const latest = latestOutcomes([
      { run: 1, batch: 1, rows: [created(2), created(3, { pendingApproval: true }), failed(4)] },
    ]);
    const counts = countsFrom(validation, latest);
    expect(counts).toEqual({
      total: 10,
      valid: 6,
      invalid: 4,
      succeeded: 2,
      failed: 4,
      pendingApproval: 1,
      notified: 0,
    });
    expect(counts.succeeded + counts.failed).toBe(counts.valid);
    expect(counts.valid + counts.invalid).toBe(counts.total);
  });
});

describe('progressCounts', () => {
  const settled = {
    total: 10,
    valid: 6,
    invalid: 4,
    succeeded: 3,
    failed: 3,
    pendingApproval: 1,
    notified: 2,
  };
  const batch = { created: 2, failed: 1, pendingApproval: 0, notified: 1 };

  it('counts only this run on a first run', () => {
    expect(
      progressCounts({ ...settled, succeeded: 0, failed: 0, pendingApproval: 0, notified: 0 }, 1, [batch]),
    ).toEqual({
      total: 10,
      valid: 6,
      invalid: 4,
      succeeded: 2,
      failed: 1,
      pendingApproval: 0,
      notified: 1,
    });
  });

  it("adds a retry run's progress to the successes of earlier runs", () => {
    expect(progressCounts(settled, 2, [batch, batch])).toMatchObject({
      succeeded: 7,
      failed: 2,
      pendingApproval: 1,
      notified: 4,
    });
  });
});
