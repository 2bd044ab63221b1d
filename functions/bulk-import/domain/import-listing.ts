import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../../shared/errors';
import { pageToken } from '../../shared/http/page-token';
import { TASK_STATUSES, type TaskCounts, type TaskStatus, taskCountsSchema } from './import-task';

/** What the imports listing reads of a task. */
export interface ListedTask {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly fileName: string;
  readonly counts: TaskCounts;
  readonly createdBy: string;
  readonly committedBy?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly run: number;
  readonly runStartedAt?: string;
}

/** What `GET /internal/iam/users/bulk-import` narrows the listing by. */
export interface ImportFilter {
  readonly status?: TaskStatus;
}

export function matchesImportFilter(task: Pick<ListedTask, 'status'>, filter: ImportFilter): boolean {
  return filter.status === undefined || task.status === filter.status;
}

/** Where a page ended: the listing is newest first by creation time, the task id keys the item. */
export interface ImportPosition {
  readonly createdAt: string;
  readonly taskId: string;
}

export function positionOf(task: Pick<ListedTask, 'createdAt' | 'taskId'>): ImportPosition {
  return { createdAt: task.createdAt, taskId: task.taskId };
}

const cursorSchema = z.strictObject({
  createdAt: z.iso.datetime(),
  taskId: z.string().regex(/^t_[0-9a-z]{26}$/),
  /** Whose listing made the token: a digest, so the token does not spell out the tenant. */
  listing: z.string(),
});

const importCursor = pageToken(cursorSchema);

function listingOf(tenantId: string): string {
  return createHash('sha256').update(`imports:${tenantId}`).digest('base64url').slice(0, 12);
}

export function encodeImportCursor(tenantId: string, position: ImportPosition): string {
  return importCursor.encode({ ...position, listing: listingOf(tenantId) });
}

/**
 * The position a `nextToken` holds; INVALID_NEXT_TOKEN (400) for one this listing did not make,
 * another tenant's included: it would read nothing of theirs, but it is a mistake worth naming.
 */
export function decodeImportCursor(tenantId: string, token: string): ImportPosition {
  const { listing, ...position } = importCursor.decode(token);
  if (listing !== listingOf(tenantId)) {
    throw new BadRequestError(
      'INVALID_NEXT_TOKEN',
      "nextToken belongs to another tenant's listing; leave it out to start over.",
    );
  }
  return position;
}

const RUN_ENDED: ReadonlySet<TaskStatus> = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);

export interface RunTiming {
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationSeconds?: number;
}

/**
 * When the task's latest provisioning run started and ended. A run being provisioned started when
 * the task last changed (its move to PROVISIONING); a finalized run records its start in
 * `runStartedAt`, and an ended one ended when the task last changed. Before commit there is no run.
 */
export function runTimingOf(
  task: Pick<ListedTask, 'status' | 'run' | 'runStartedAt' | 'updatedAt'>,
): RunTiming {
  if (task.run === 0) return {};
  if (task.status === 'PROVISIONING') return { startedAt: task.updatedAt };
  if (task.runStartedAt === undefined) return {};
  if (!RUN_ENDED.has(task.status)) return { startedAt: task.runStartedAt };
  const durationMs = Date.parse(task.updatedAt) - Date.parse(task.runStartedAt);
  return {
    startedAt: task.runStartedAt,
    finishedAt: task.updatedAt,
    durationSeconds: Math.max(0, Math.round(durationMs / 100) / 10),
  };
}

/** Whoever acted on the task last: who committed it, or before that who uploaded it. */
export function operatorIdOf(task: Pick<ListedTask, 'createdBy' | 'committedBy'>): string {
  return task.committedBy ?? task.createdBy;
}

export const listedImportSchema = z.object({
  taskId: z.string(),
  status: z.enum(TASK_STATUSES),
  fileName: z.string(),
  counts: taskCountsSchema.omit({ grantsApproved: true, grantsRejected: true }),
  operator: z
    .object({
      userId: z.string(),
      email: z.string().optional().describe('Absent when the user is no longer in the directory.'),
    })
    .describe('Who committed the import, or who uploaded it when it is not committed yet.'),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z
    .string()
    .optional()
    .describe('When the latest provisioning run started; absent before commit.'),
  finishedAt: z.string().optional().describe('When the latest run ended; absent while it runs.'),
  durationSeconds: z.number().optional().describe('finishedAt - startedAt, to a tenth of a second.'),
});
export type ListedImport = z.infer<typeof listedImportSchema>;

/** A task as the listing shows it; `operatorEmail` is the operator's email, if the directory still has them. */
export function listedImportOf(task: ListedTask, operatorEmail: string | undefined): ListedImport {
  const { total, valid, invalid, succeeded, failed, pendingApproval, notified } = task.counts;
  return {
    taskId: task.taskId,
    status: task.status,
    fileName: task.fileName,
    counts: { total, valid, invalid, succeeded, failed, pendingApproval, notified },
    operator: {
      userId: operatorIdOf(task),
      ...(operatorEmail !== undefined ? { email: operatorEmail } : {}),
    },
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
    ...runTimingOf(task),
  };
}
