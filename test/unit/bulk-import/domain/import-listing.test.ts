import { describe, expect, it } from 'vitest';
import {
  decodeImportCursor,
  encodeImportCursor,
  type ListedTask,
  listedImportOf,
  matchesImportFilter,
  operatorIdOf,
  runTimingOf,
} from '../../../../functions/bulk-import/domain/import-listing';
import { TASK_STATUSES } from '../../../../functions/bulk-import/domain/import-task';

const TASK_ID = 't_0123456789abcdefghijklmnop';

function task(fields: Partial<ListedTask> = {}): ListedTask {
  return {
    taskId: TASK_ID,
    status: 'COMPLETED',
    fileName: 'people.xlsx',
    counts: {
      total: 10,
      valid: 8,
      invalid: 2,
      succeeded: 7,
      failed: 1,
      pendingApproval: 0,
      notified: 7,
      grantsApproved: 0,
      grantsRejected: 0,
    },
    createdBy: 'u_uploader',
    createdAt: '2026-11-22T09:00:00.000Z',
    updatedAt: '2026-11-22T09:02:05.250Z',
    run: 1,
    runStartedAt: '2026-11-22T09:01:00.000Z',
    ...fields,
  };
}

describe('runTimingOf', () => {
  it('has no run before commit, whatever the status', () => {
    for (const status of ['VALIDATING', 'VALIDATED', 'VALIDATION_FAILED', 'FAILED'] as const) {
      expect(runTimingOf(task({ status, run: 0, runStartedAt: undefined }))).toEqual({});
    }
  });

  it.each(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'] as const)(
    'times an ended run (%s) from its start to the last change, to a tenth of a second',
    (status) => {
      expect(runTimingOf(task({ status }))).toEqual({
        startedAt: '2026-11-22T09:01:00.000Z',
        finishedAt: '2026-11-22T09:02:05.250Z',
        durationSeconds: 65.3,
      });
    },
  );

  it('starts a run being provisioned at its move to PROVISIONING, not at an earlier run', () => {
    expect(runTimingOf(task({ status: 'PROVISIONING', run: 2 }))).toEqual({
      startedAt: '2026-11-22T09:02:05.250Z',
    });
  });

  it('gives a run waiting for an approval a start but no end', () => {
    expect(runTimingOf(task({ status: 'AWAITING_APPROVAL' }))).toEqual({
      startedAt: '2026-11-22T09:01:00.000Z',
    });
  });

  it('leaves out what a committed task that never recorded its start cannot know', () => {
    expect(runTimingOf(task({ status: 'FAILED', runStartedAt: undefined }))).toEqual({});
  });

  it('never reports a negative duration', () => {
    expect(runTimingOf(task({ runStartedAt: '2026-11-22T09:03:00.000Z' })).durationSeconds).toBe(0);
  });
});

describe('operatorIdOf', () => {
  it('is who committed the task, or who uploaded it before a commit', () => {
    expect(operatorIdOf(task({ committedBy: 'u_committer' }))).toBe('u_committer');
    expect(operatorIdOf(task())).toBe('u_uploader');
  });
});

describe('matchesImportFilter', () => {
  it('keeps every status without a filter and only the one asked for with one', () => {
    for (const status of TASK_STATUSES) {
      expect(matchesImportFilter({ status }, {})).toBe(true);
      expect(matchesImportFilter({ status }, { status: 'FAILED' })).toBe(status === 'FAILED');
    }
  });
});

describe('listedImportOf', () => {
  it('shows counts without the grant settlements, the operator and the timing', () => {
    expect(listedImportOf(task({ committedBy: 'u_committer' }), 'ops@acme.test')).toEqual({
      taskId: TASK_ID,
      status: 'COMPLETED',
      fileName: 'people.xlsx',
      counts: { total: 10, valid: 8, invalid: 2, succeeded: 7, failed: 1, pendingApproval: 0, notified: 7 },
      operator: { userId: 'u_committer', email: 'ops@acme.test' },
      createdAt: '2026-11-22T09:00:00.000Z',
      updatedAt: '2026-11-22T09:02:05.250Z',
      startedAt: '2026-11-22T09:01:00.000Z',
      finishedAt: '2026-11-22T09:02:05.250Z',
      durationSeconds: 65.3,
    });
  });

  it('names an operator gone from the directory by id only', () => {
    expect(listedImportOf(task(), undefined).operator).toEqual({ userId: 'u_uploader' });
  });
});

describe('import cursor', () => {
  it('gives back the position it was made from', () => {
    const position = { createdAt: '2026-11-22T09:00:00.000Z', taskId: TASK_ID };
    expect(decodeImportCursor('acme', encodeImportCursor('acme', position))).toEqual(position);
  });

  it("refuses another tenant's token", () => {
    const token = encodeImportCursor('globex', { createdAt: '2026-11-22T09:00:00.000Z', taskId: TASK_ID });
    expect(() => decodeImportCursor('acme', token)).toThrow(
      expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }),
    );
  });

  it.each([
    ['garbage', 'not-a-token'],
    [
      'an altered position',
      () =>
        encodeImportCursor('acme', { createdAt: '2026-11-22T09:00:00.000Z', taskId: TASK_ID }).replace(
          /^./,
          'x',
        ),
    ],
    [
      "another listing's token",
      () => `${Buffer.from(JSON.stringify({ email: 'a@b.c', userId: 'u_1' })).toString('base64url')}.x`,
    ],
  ])('refuses %s with INVALID_NEXT_TOKEN', (_label, token) => {
    const text = typeof token === 'function' ? token() : token;
    expect(() => decodeImportCursor('acme', text)).toThrow(
      expect.objectContaining({ code: 'INVALID_NEXT_TOKEN' }),
    );
  });
});
