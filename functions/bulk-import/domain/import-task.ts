import { z } from 'zod';

/** The life of an import task (DESIGN.md). */
export const TASK_STATUSES = [
  'VALIDATING',
  'VALIDATED',
  'VALIDATION_FAILED',
  'AWAITING_APPROVAL',
  'PROVISIONING',
  'COMPLETED',
  'COMPLETED_WITH_ERRORS',
  'FAILED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * Always: `valid + invalid = total`, and once provisioning is over `succeeded + failed = valid`.
 * `pendingApproval` counts created users with grants waiting for approval; `notified` counts
 * welcome emails sent. `grantsApproved` / `grantsRejected` count the sensitive role grants an
 * approval settled (stored tasks from before approvals read them as 0).
 */
export interface TaskCounts {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly pendingApproval: number;
  readonly notified: number;
  readonly grantsApproved?: number;
  readonly grantsRejected?: number;
}

export const EMPTY_COUNTS: TaskCounts = {
  total: 0,
  valid: 0,
  invalid: 0,
  succeeded: 0,
  failed: 0,
  pendingApproval: 0,
  notified: 0,
  grantsApproved: 0,
  grantsRejected: 0,
};

const count = z.number().int().min(0);

/** The counts a task view answers: every one present, grants settled by an approval included. */
export const taskCountsSchema = z.strictObject({
  total: count,
  valid: count,
  invalid: count,
  succeeded: count,
  failed: count,
  pendingApproval: count,
  notified: count,
  grantsApproved: count,
  grantsRejected: count,
}) satisfies z.ZodType<TaskCounts>;

/** The counts as stored: tasks from before approvals carry no grant counts. */
export const storedTaskCountsSchema = taskCountsSchema.partial({
  grantsApproved: true,
  grantsRejected: true,
}) satisfies z.ZodType<TaskCounts>;
