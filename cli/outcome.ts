import type { TaskView } from './api-client';

const FAILED_STATUSES = new Set(['FAILED', 'VALIDATION_FAILED']);

/**
 * The exit code a task's state warrants: 1 when the task failed or any row did (invalid in the
 * file, or failed to provision), so a script notices rows that were left out; 0 otherwise.
 */
export function exitCodeOf(task: TaskView): 0 | 1 {
  if (FAILED_STATUSES.has(task.status)) return 1;
  return task.counts.invalid > 0 || task.counts.failed > 0 ? 1 : 0;
}
