/**
 * The bulk import's task and issues as docs/api.md describes them. The OpenAPI document has no
 * response schemas for these routes yet (they are "a JSON object"), so the console names them here.
 */
export const IMPORT_STATUSES = [
  'VALIDATING',
  'VALIDATED',
  'VALIDATION_FAILED',
  'PROVISIONING',
  'AWAITING_APPROVAL',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface ImportCounts {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly pendingApproval: number;
  readonly notified: number;
  readonly grantsApproved: number;
  readonly grantsRejected: number;
}

export interface ImportTask {
  readonly taskId: string;
  readonly fileId: string;
  readonly fileName: string;
  readonly status: ImportStatus;
  readonly counts: ImportCounts;
  readonly run: number;
  readonly failureReason?: string;
  readonly reportUrl?: string;
  readonly reportXlsxUrl?: string;
  readonly successExportUrl?: string;
  readonly failedExportUrl?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ImportIssue {
  /** `null` for a file-level issue. */
  readonly row: number | null;
  readonly column: string | null;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly suggestion?: string | null;
}

export interface ImportUpload {
  readonly fileId: string;
  readonly uploadUrl: string;
  readonly method: 'POST';
  readonly fields: Record<string, string>;
  readonly maxBytes: number;
  readonly expiresAt: string;
}

/** The wizard's step for a task's status: where the page goes back to after a reload or a poll. */
export type WizardStage = 'validating' | 'review' | 'provisioning' | 'finished';

export function stageOf(status: ImportStatus): WizardStage {
  switch (status) {
    case 'VALIDATING':
      return 'validating';
    case 'VALIDATED':
    case 'VALIDATION_FAILED':
      return 'review';
    case 'PROVISIONING':
      return 'provisioning';
    case 'AWAITING_APPROVAL':
    case 'COMPLETED':
    case 'COMPLETED_WITH_ERRORS':
    case 'FAILED':
      return 'finished';
  }
}

/** Whether polling may stop: nothing will change the task until someone acts. */
export function isSettled(status: ImportStatus): boolean {
  return status !== 'VALIDATING' && status !== 'PROVISIONING';
}

/** A commit needs a validated task with rows to import (docs/api.md: 409 NOTHING_TO_IMPORT otherwise). */
export function canCommit(task: Pick<ImportTask, 'status' | 'counts'>): boolean {
  return task.status === 'VALIDATED' && task.counts.valid > 0;
}

/** Retry replays the failed rows of a finished run; a run waiting for its approval cannot be retried. */
export function canRetry(task: Pick<ImportTask, 'status' | 'counts'>): boolean {
  return (task.status === 'COMPLETED_WITH_ERRORS' || task.status === 'FAILED') && task.counts.failed > 0;
}

/** Rows the run has dealt with (earlier runs' successes included) out of the rows to import. */
export function runProgress(counts: Pick<ImportCounts, 'succeeded' | 'failed' | 'valid'>): {
  done: number;
  total: number;
} {
  return { done: counts.succeeded + counts.failed, total: counts.valid };
}

/** The codes among the issues with how many of each, most frequent first, for the filter. */
export function issueCodeCounts(issues: readonly ImportIssue[]): { code: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const issue of issues) counts.set(issue.code, (counts.get(issue.code) ?? 0) + 1);
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** The issues with one of the chosen codes (all of them when none is chosen), in their row order. */
export function filterIssues(issues: readonly ImportIssue[], codes: ReadonlySet<string>): ImportIssue[] {
  return codes.size === 0 ? [...issues] : issues.filter((issue) => codes.has(issue.code));
}

/** Index of the first issue on that row or after it, for "jump to row"; -1 when none follows. */
export function firstIssueAtOrAfter(issues: readonly ImportIssue[], row: number): number {
  return issues.findIndex((issue) => issue.row !== null && issue.row >= row);
}

/** File types the upload route accepts (docs/api.md: anything else is refused with a 422). */
export const ACCEPTED_EXTENSIONS = ['.csv', '.txt', '.xlsx'] as const;

/** Why a picked file cannot be sent, before asking the server: the same rules as the upload route. */
export function fileProblem(file: { name: string; size: number }, maxBytes?: number): string | undefined {
  const name = file.name.toLowerCase();
  if (/\.(xlsm|xltm|xlam)$/.test(name)) {
    return 'Workbooks with macros are refused: save the file as .xlsx without macros.';
  }
  if (!ACCEPTED_EXTENSIONS.some((extension) => name.endsWith(extension))) {
    return 'Choose a .csv, .txt or .xlsx file (download the template above).';
  }
  if (file.size === 0) return 'The file is empty.';
  if (maxBytes !== undefined && file.size > maxBytes) {
    return `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`;
  }
  return undefined;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
