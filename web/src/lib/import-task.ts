import type { components, paths } from '../../../clients/muster-api';

const IMPORTS = '/internal/iam/users/bulk-import';
type JsonOf<TResponse> = TResponse extends { content: { 'application/json': infer TBody } } ? TBody : never;

/** The bulk import's task, issues and upload target, as the OpenAPI document declares them. */
export type ImportTask = components['schemas']['ImportTask'];
export type ImportStatus = ImportTask['status'];
export type ImportCounts = ImportTask['counts'];
export type ImportIssue = components['schemas']['ImportIssue'];
export type ImportIssueCode = ImportIssue['code'];
export type ImportUpload = components['schemas']['ImportUpload'];
export type ValidationStarted = JsonOf<paths[`${typeof IMPORTS}/validation`]['post']['responses'][202]>;

/** Every status, in the order a task lives them: a status the contract adds or drops fails the build here. */
const STATUS_ORDER = {
  VALIDATING: true,
  VALIDATED: true,
  VALIDATION_FAILED: true,
  PROVISIONING: true,
  AWAITING_APPROVAL: true,
  COMPLETED: true,
  COMPLETED_WITH_ERRORS: true,
  FAILED: true,
} as const satisfies Record<ImportStatus, true>;
export const IMPORT_STATUSES = Object.keys(STATUS_ORDER) as ImportStatus[];

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
export function issueCodeCounts(issues: readonly ImportIssue[]): { code: ImportIssueCode; count: number }[] {
  const counts = new Map<ImportIssueCode, number>();
  for (const issue of issues) counts.set(issue.code, (counts.get(issue.code) ?? 0) + 1);
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** The issues with one of the chosen codes (all of them when none is chosen), in their row order. */
export function filterIssues(
  issues: readonly ImportIssue[],
  codes: ReadonlySet<ImportIssueCode>,
): ImportIssue[] {
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
