import { describe, expect, it } from 'vitest';
import {
  isoWeek,
  percentile95,
  type SummarizedTask,
  summarizeImports,
  summaryCells,
  summaryReportKey,
  summaryWindow,
} from '../../../../functions/bulk-import/domain/import-summary';
import { EMPTY_COUNTS, type TaskCounts } from '../../../../functions/bulk-import/domain/import-task';

function task(
  overrides: Partial<Omit<SummarizedTask, 'counts'>> & { counts?: Partial<TaskCounts> } = {},
): SummarizedTask {
  return {
    tenantId: 'acme',
    status: 'COMPLETED',
    run: 1,
    runStartedAt: '2026-11-17T10:00:00.000Z',
    updatedAt: '2026-11-17T10:01:00.000Z',
    ...overrides,
    counts: { ...EMPTY_COUNTS, ...overrides.counts },
  };
}

describe('isoWeek', () => {
  it.each([
    ['2026-11-16T06:00:00Z', '2026-W47'], // a Monday
    ['2026-11-22T23:59:59Z', '2026-W47'], // its Sunday
    ['2021-01-03T12:00:00Z', '2020-W53'], // early January can belong to last year's week
    ['2024-12-30T00:00:00Z', '2025-W01'], // late December can belong to next year's week
    ['2026-01-01T00:00:00Z', '2026-W01'],
  ])('%s is in %s', (time, week) => {
    expect(isoWeek(new Date(time))).toBe(week);
  });
});

describe('summaryWindow', () => {
  it('covers the seven days before the run, named by the week they start in', () => {
    const window = summaryWindow(new Date('2026-11-23T06:00:00Z'));
    expect(window).toEqual({
      from: new Date('2026-11-16T06:00:00Z'),
      to: new Date('2026-11-23T06:00:00Z'),
      week: '2026-W47',
    });
  });
});

describe('percentile95', () => {
  it('is undefined without values and the nearest rank otherwise', () => {
    expect(percentile95([])).toBeUndefined();
    expect(percentile95([42])).toBe(42);
    expect(percentile95([3, 1, 2])).toBe(3);
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile95(hundred)).toBe(95);
    expect(percentile95([...hundred, 1000])).toBe(96);
  });
});

describe('summarizeImports', () => {
  it('adds up each tenant apart, tenants in order', () => {
    const summaries = summarizeImports(
      [
        task({ tenantId: 'zeta', counts: { total: 1, valid: 1, succeeded: 1 } }),
        task({
          counts: { total: 10, valid: 8, invalid: 2, succeeded: 6, failed: 2, pendingApproval: 3 },
          run: 3,
        }),
        task({ counts: { total: 5, valid: 5, succeeded: 5 } }),
      ],
      '2026-W47',
    );
    expect(summaries.map((summary) => summary.tenant)).toEqual(['acme', 'zeta']);
    expect(summaries[0]).toEqual({
      tenant: 'acme',
      week: '2026-W47',
      imports: 2,
      rows: 15,
      succeeded: 11,
      failed: 2,
      errorRatio: 2 / 13,
      p95DurationSeconds: 60,
      retries: 2,
      pendingApprovals: 3,
    });
  });

  it('counts an import not yet committed as an import of its rows, with no error ratio to speak of', () => {
    const [summary] = summarizeImports(
      [task({ status: 'VALIDATION_FAILED', run: 0, counts: { total: 4, invalid: 4 } })],
      '2026-W47',
    );
    expect(summary).toMatchObject({
      imports: 1,
      rows: 4,
      errorRatio: 0,
      retries: 0,
      p95DurationSeconds: undefined,
    });
  });

  it('times only finished runs, from the start of the last one to its end', () => {
    const [summary] = summarizeImports(
      [
        task({ status: 'PROVISIONING', updatedAt: '2026-11-18T10:00:00.000Z' }),
        task({ status: 'AWAITING_APPROVAL', updatedAt: '2026-11-18T10:00:00.000Z' }),
        task({
          status: 'FAILED',
          runStartedAt: '2026-11-17T10:00:00.000Z',
          updatedAt: '2026-11-17T10:00:30.000Z',
        }),
        task({ status: 'COMPLETED_WITH_ERRORS', runStartedAt: undefined }),
      ],
      '2026-W47',
    );
    expect(summary?.p95DurationSeconds).toBe(30);
  });
});

describe('summaryCells', () => {
  it('writes ratios to four places, seconds to one, and leaves an unknown duration empty', () => {
    const [timed] = summarizeImports(
      [task({ counts: { total: 3, valid: 3, succeeded: 2, failed: 1 } })],
      'W',
    );
    expect(summaryCells(timed ?? expect.fail())).toEqual([
      'acme',
      'W',
      '1',
      '3',
      '2',
      '1',
      '0.3333',
      '60.0',
      '0',
      '0',
    ]);
    const [untimed] = summarizeImports([task({ status: 'VALIDATED', run: 0 })], 'W');
    expect(summaryCells(untimed ?? expect.fail())[7]).toBe('');
  });
});

describe('summaryReportKey', () => {
  it("is the seed's path for every tenant, and a tenant's own for one", () => {
    expect(summaryReportKey()).toBe('reports/iam/bulk-import-summary.csv');
    expect(summaryReportKey('acme')).toBe('reports/iam/tenants/acme/bulk-import-summary.csv');
  });
});
