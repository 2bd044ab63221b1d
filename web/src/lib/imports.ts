import type { paths } from '../../../clients/muster-api';
import { formatDuration } from './progress';

type ListImports = paths['/internal/iam/users/bulk-import']['get'];
/** A page of the imports list and one of its rows, as the OpenAPI document declares them. */
type ImportsPage = ListImports['responses'][200]['content']['application/json'];
export type ListedImport = ImportsPage['items'][number];
export type ListedStatus = ListedImport['status'];
export type ImportsQuery = NonNullable<ListImports['parameters']['query']>;

export const IMPORTS_PAGE_SIZE = 25;

/** The query of one page: the status filter ('' for every status) and the token of the page before. */
export function importsQuery(status: ListedStatus | '', nextToken: string | undefined): ImportsQuery {
  return {
    limit: IMPORTS_PAGE_SIZE,
    ...(status ? { status } : {}),
    ...(nextToken ? { nextToken } : {}),
  };
}

/** `COMPLETED_WITH_ERRORS` → `Completed with errors`. */
export function statusLabel(status: ListedStatus): string {
  const words = status.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How long the latest run took; what it is doing when it has not ended; a dash before any run. */
export function importDuration(item: Pick<ListedImport, 'status' | 'startedAt' | 'durationSeconds'>): string {
  if (item.durationSeconds !== undefined) {
    return item.durationSeconds < 1 ? 'under 1 s' : formatDuration(item.durationSeconds);
  }
  if (item.startedAt === undefined) return '—';
  return item.status === 'AWAITING_APPROVAL' ? 'waiting for approval' : 'running';
}

/** Who to name for an import: the email, or the user id of an operator the directory no longer has. */
export function operatorLabel(operator: ListedImport['operator']): string {
  return operator.email ?? operator.userId;
}

/** The query parameter that names the wizard's task, so a reload or a link reopens it. */
export const TASK_PARAM = 'task';

/** The query that names a task to the wizard, which reopens the task of `?task=`. */
export function taskSearchOf(taskId: string): string {
  return `?${new URLSearchParams({ [TASK_PARAM]: taskId })}`;
}
