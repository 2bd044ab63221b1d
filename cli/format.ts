import { neutraliseFormula } from '../functions/shared/spreadsheet-cells';
import type { ApiError, ApprovalView, ImportIssue, TaskView } from './api-client';

/** Left-aligned columns, two spaces apart, a rule under the header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** What an operator reads about a task: status, run, the counts that matter, links, reason. */
export function taskSummary(task: TaskView): string {
  const { counts } = task;
  const lines = [
    `task ${task.taskId}${task.fileName ? ` (${task.fileName})` : ''}: ${task.status}${task.run > 0 ? `, run ${task.run}` : ''}`,
    table(
      ['total', 'valid', 'invalid', 'succeeded', 'failed', 'pending approval', 'notified'],
      [
        [
          counts.total,
          counts.valid,
          counts.invalid,
          counts.succeeded,
          counts.failed,
          counts.pendingApproval,
          counts.notified,
        ].map(String),
      ],
    ),
  ];
  if (counts.grantsApproved > 0 || counts.grantsRejected > 0) {
    lines.push(`grants approved ${counts.grantsApproved}, rejected ${counts.grantsRejected}`);
  }
  if (task.failureReason) lines.push(`failure: ${task.failureReason}`);
  // The links are long and short-lived: shown only when there is something in them to look at.
  if (task.reportUrl && (counts.invalid > 0 || task.status === 'VALIDATION_FAILED'))
    lines.push(`validation report: ${task.reportUrl}`);
  if (task.failedExportUrl && counts.failed > 0) lines.push(`failed rows: ${task.failedExportUrl}`);
  return lines.join('\n');
}

export function issuesTable(issues: readonly ImportIssue[]): string {
  return table(
    ['row', 'column', 'severity', 'code', 'message'],
    issues.map((issue) => [
      issue.row === null ? 'file' : String(issue.row),
      issue.column ?? '',
      issue.severity,
      issue.code,
      issue.message,
    ]),
  );
}

const ISSUE_COLUMNS = ['row', 'column', 'code', 'severity', 'message', 'suggestion'] as const;

/**
 * The issues as CSV for a spreadsheet: quoted where needed, and a cell a spreadsheet would run as a
 * formula (messages quote the file's own values) prefixed with `'`, as the API's own report does.
 */
export function issuesCsv(issues: readonly ImportIssue[]): string {
  const cell = (value: string) => {
    const safe = neutraliseFormula(value);
    return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  const rows = issues.map((issue) =>
    ISSUE_COLUMNS.map((column) => cell(issue[column] === null ? '' : String(issue[column]))).join(','),
  );
  return [ISSUE_COLUMNS.join(','), ...rows].join('\r\n');
}

export function approvalsTable(approvals: readonly ApprovalView[]): string {
  return table(
    ['approval', 'subject', 'risk', 'approver role', 'grants', 'requested by', 'status', 'due'],
    approvals.map((approval) => [
      approval.approvalId,
      subjectOf(approval.subject),
      approval.risk,
      approval.approverRole,
      String(approval.grants),
      approval.requestedBy,
      approval.status,
      approval.slaDueAt,
    ]),
  );
}

function subjectOf(subject: ApprovalView['subject']): string {
  if (subject.taskId) return `${subject.type} ${subject.taskId} run ${subject.run ?? '?'}`;
  if (subject.assignmentId) return `${subject.type} ${subject.assignmentId}`;
  return subject.type;
}

/** One line an operator can paste into a ticket: the code, what it means, and the id to trace. */
export function errorLine(error: ApiError): string {
  const facts = [
    error.status > 0 ? `HTTP ${error.status}` : undefined,
    error.correlationId ? `correlation id ${error.correlationId}` : undefined,
  ].filter((fact) => fact !== undefined);
  return `muster: ${error.code}: ${error.message}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
}
