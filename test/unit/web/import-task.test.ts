import { describe, expect, it } from 'vitest';
import {
  canCommit,
  canRetry,
  fileProblem,
  filterIssues,
  firstIssueAtOrAfter,
  IMPORT_STATUSES,
  type ImportCounts,
  type ImportIssue,
  type ImportIssueCode,
  isSettled,
  issueCodeCounts,
  runProgress,
  stageOf,
} from '../../../web/src/lib/import-task';

const counts = (overrides: Partial<ImportCounts> = {}): ImportCounts => ({
  total: 200,
  valid: 195,
  invalid: 5,
  succeeded: 0,
  failed: 0,
  pendingApproval: 0,
  notified: 0,
  grantsApproved: 0,
  grantsRejected: 0,
  ...overrides,
});

const issue = (row: number | null, code: ImportIssueCode, column: string | null = 'email'): ImportIssue => ({
  row,
  column,
  code,
  severity: 'error',
  message: `${code} on ${row}`,
  suggestion: '',
});

describe('task status', () => {
  it('places every status on a wizard stage and polls only while work goes on', () => {
    expect(IMPORT_STATUSES.map((status) => [status, stageOf(status), isSettled(status)])).toEqual([
      ['VALIDATING', 'validating', false],
      ['VALIDATED', 'review', true],
      ['VALIDATION_FAILED', 'review', true],
      ['PROVISIONING', 'provisioning', false],
      ['AWAITING_APPROVAL', 'finished', true],
      ['COMPLETED', 'finished', true],
      ['COMPLETED_WITH_ERRORS', 'finished', true],
      ['FAILED', 'finished', true],
    ]);
  });

  it('commits only a validated task with valid rows', () => {
    expect(canCommit({ status: 'VALIDATED', counts: counts() })).toBe(true);
    expect(canCommit({ status: 'VALIDATED', counts: counts({ valid: 0, invalid: 200 }) })).toBe(false);
    expect(canCommit({ status: 'VALIDATION_FAILED', counts: counts() })).toBe(false);
    expect(canCommit({ status: 'COMPLETED', counts: counts() })).toBe(false);
  });

  it('retries only a finished run with failed rows, never one waiting for its approval', () => {
    expect(canRetry({ status: 'COMPLETED_WITH_ERRORS', counts: counts({ failed: 3 }) })).toBe(true);
    expect(canRetry({ status: 'FAILED', counts: counts({ failed: 195 }) })).toBe(true);
    expect(canRetry({ status: 'COMPLETED_WITH_ERRORS', counts: counts({ failed: 0 }) })).toBe(false);
    expect(canRetry({ status: 'AWAITING_APPROVAL', counts: counts({ failed: 3 }) })).toBe(false);
    expect(canRetry({ status: 'PROVISIONING', counts: counts({ failed: 3 }) })).toBe(false);
  });

  it('counts a run done by successes (earlier runs included) and failures, out of the valid rows', () => {
    expect(runProgress(counts({ succeeded: 150, failed: 5 }))).toEqual({ done: 155, total: 195 });
  });
});

describe('issues', () => {
  const issues = [
    issue(null, 'UNKNOWN_COLUMN', 'nickname'),
    issue(3, 'INVALID_EMAIL'),
    issue(7, 'REQUIRED', 'given_name'),
    issue(7, 'INVALID_EMAIL'),
    issue(12, 'DUPLICATE_IN_FILE'),
    issue(40, 'INVALID_EMAIL'),
  ];

  it('counts each code, most frequent first, ties by name', () => {
    expect(issueCodeCounts(issues)).toEqual([
      { code: 'INVALID_EMAIL', count: 3 },
      { code: 'DUPLICATE_IN_FILE', count: 1 },
      { code: 'REQUIRED', count: 1 },
      { code: 'UNKNOWN_COLUMN', count: 1 },
    ]);
  });

  it('filters by the chosen codes, keeping row order; no code chosen shows all', () => {
    expect(
      filterIssues(issues, new Set<ImportIssueCode>(['INVALID_EMAIL', 'REQUIRED'])).map((item) => item.row),
    ).toEqual([3, 7, 7, 40]);
    expect(filterIssues(issues, new Set())).toEqual(issues);
    expect(filterIssues(issues, new Set<ImportIssueCode>(['TOO_LONG']))).toEqual([]);
  });

  it('jumps to the row, or the next row with an issue, skipping file-level issues', () => {
    expect(firstIssueAtOrAfter(issues, 7)).toBe(2);
    expect(firstIssueAtOrAfter(issues, 8)).toBe(4);
    expect(firstIssueAtOrAfter(issues, 1)).toBe(1);
    expect(firstIssueAtOrAfter(issues, 41)).toBe(-1);
  });
});

describe('fileProblem', () => {
  it('accepts the template formats in any case', () => {
    expect(fileProblem({ name: 'users.csv', size: 10 })).toBeUndefined();
    expect(fileProblem({ name: 'USERS.XLSX', size: 10 })).toBeUndefined();
    expect(fileProblem({ name: 'users.txt', size: 10 })).toBeUndefined();
  });

  it('refuses macro workbooks, other types, empty and too large files, saying what to do', () => {
    expect(fileProblem({ name: 'users.xlsm', size: 10 })).toMatch(/macros/);
    expect(fileProblem({ name: 'users.pdf', size: 10 })).toMatch(/\.csv, \.txt or \.xlsx/);
    expect(fileProblem({ name: 'users.csv', size: 0 })).toMatch(/empty/);
    expect(fileProblem({ name: 'users.csv', size: 11 * 1024 * 1024 }, 10 * 1024 * 1024)).toBe(
      'The file is 11.0 MB; the limit is 10.0 MB.',
    );
  });
});
