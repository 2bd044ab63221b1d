import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { ApiError, type ApprovalView, type ImportIssue, type TaskView } from '../../../cli/api-client';
import { approvalsTable, errorLine, issuesCsv, issuesTable, table, taskSummary } from '../../../cli/format';
import { exitCodeOf } from '../../../cli/outcome';

const task = (overrides: Partial<TaskView> = {}, counts: Partial<TaskView['counts']> = {}): TaskView => ({
  taskId: 't_1',
  fileName: 'people.csv',
  status: 'COMPLETED',
  run: 1,
  counts: {
    total: 3,
    valid: 3,
    invalid: 0,
    succeeded: 3,
    failed: 0,
    pendingApproval: 0,
    notified: 3,
    grantsApproved: 0,
    grantsRejected: 0,
    ...counts,
  },
  ...overrides,
});

const issue = (overrides: Partial<ImportIssue>): ImportIssue => ({
  row: 3,
  column: 'email',
  code: 'INVALID_EMAIL',
  severity: 'error',
  message: '"x" is not a valid email address.',
  suggestion: 'Fix the address.',
  ...overrides,
});

describe('table', () => {
  it('pads every column to its widest cell under a rule, without trailing spaces', () => {
    expect(table(['a', 'long header'], [['wide cell', 'x']]).split('\n')).toEqual([
      'a          long header',
      '---------  -----------',
      'wide cell  x',
    ]);
  });
});

describe('taskSummary', () => {
  it('says status, run and counts, and no links when nothing failed', () => {
    const text = taskSummary(task({ reportUrl: 'http://r', failedExportUrl: 'http://f' }));
    expect(text.split('\n')[0]).toBe('task t_1 (people.csv): COMPLETED, run 1');
    expect(text).toMatch(/^3\s+3\s+0\s+3\s+0\s+0\s+3$/m);
    expect(text).not.toContain('http://');
  });

  it('leaves out the run before any commit', () => {
    expect(taskSummary(task({ status: 'VALIDATED', run: 0 })).split('\n')[0]).toBe(
      'task t_1 (people.csv): VALIDATED',
    );
  });

  it('links the report when rows are invalid, the failed rows when some failed, and says why a run failed', () => {
    const text = taskSummary(
      task(
        {
          status: 'FAILED',
          failureReason: 'States.TaskFailed',
          reportUrl: 'http://r',
          failedExportUrl: 'http://f',
        },
        { invalid: 1, failed: 2, grantsRejected: 1 },
      ),
    );
    expect(text).toContain('validation report: http://r');
    expect(text).toContain('failed rows: http://f');
    expect(text).toContain('failure: States.TaskFailed');
    expect(text).toContain('grants approved 0, rejected 1');
  });
});

describe('issues', () => {
  it('shows file-level issues as "file" in the table', () => {
    const text = issuesTable([
      issue({ row: null, column: null, code: 'UNKNOWN_COLUMN', severity: 'warning' }),
    ]);
    expect(text.split('\n')[2]).toMatch(/^file\s+warning\s+UNKNOWN_COLUMN/);
  });

  it('exports CSV a spreadsheet reads back unchanged, and never as a formula', () => {
    const issues = [
      issue({ message: 'has "quotes", commas\nand a newline' }),
      issue({ row: null, column: null, message: '=HYPERLINK("http://evil.test")', suggestion: '-2+3' }),
    ];
    const rows = parse(issuesCsv(issues), { columns: true });
    expect(rows).toEqual([
      {
        row: '3',
        column: 'email',
        code: 'INVALID_EMAIL',
        severity: 'error',
        message: 'has "quotes", commas\nand a newline',
        suggestion: 'Fix the address.',
      },
      {
        row: '',
        column: '',
        code: 'INVALID_EMAIL',
        severity: 'error',
        message: `'=HYPERLINK("http://evil.test")`,
        suggestion: "'-2+3",
      },
    ]);
  });

  it('exports only the header when there is no issue', () => {
    expect(issuesCsv([])).toBe('row,column,code,severity,message,suggestion');
  });
});

describe('approvalsTable', () => {
  it('names each approval by its subject', () => {
    const approval = (subject: ApprovalView['subject']): ApprovalView => ({
      approvalId: 'ap_1',
      subject,
      risk: 'high',
      approverRole: 'security_approver',
      requestedBy: 'u_1',
      grants: 2,
      summary: 'two grants',
      status: 'PENDING',
      createdAt: '2026-01-01T00:00:00.000Z',
      slaDueAt: '2026-01-01T00:30:00.000Z',
    });
    const text = approvalsTable([
      approval({ type: 'bulk_import', taskId: 't_1', run: 2 }),
      approval({ type: 'batch_assign', assignmentId: 'as_1' }),
    ]);
    expect(text).toContain('bulk_import t_1 run 2');
    expect(text).toMatch(/ap_1\s+batch_assign as_1\s+high\s+security_approver\s+2\s+u_1\s+PENDING/);
  });
});

describe('errorLine', () => {
  it('quotes the code, the message, the status and the correlation id on one line', () => {
    expect(errorLine(new ApiError(404, 'TASK_NOT_FOUND', 'No import task t_1 in this tenant.', 'c-1'))).toBe(
      'muster: TASK_NOT_FOUND: No import task t_1 in this tenant. (HTTP 404, correlation id c-1)',
    );
  });

  it('says what it knows when no answer came back', () => {
    expect(errorLine(new ApiError(0, 'API_UNREACHABLE', 'Cannot reach it.', ''))).toBe(
      'muster: API_UNREACHABLE: Cannot reach it.',
    );
  });
});

describe('exitCodeOf', () => {
  it.each([
    ['a clean run', task(), 0],
    ['a task waiting for its approval', task({ status: 'AWAITING_APPROVAL' }, { pendingApproval: 1 }), 0],
    ['a validated file without problems', task({ status: 'VALIDATED', run: 0 }, { succeeded: 0 }), 0],
    ['invalid rows left out', task({}, { invalid: 1, valid: 2, succeeded: 2 }), 1],
    ['failed rows', task({ status: 'COMPLETED_WITH_ERRORS' }, { succeeded: 2, failed: 1 }), 1],
    ['a failed run', task({ status: 'FAILED' }), 1],
    ['a file that failed validation', task({ status: 'VALIDATION_FAILED', run: 0 }), 1],
  ])('%s: %s', (_label, view, code) => {
    expect(exitCodeOf(view)).toBe(code);
  });
});
