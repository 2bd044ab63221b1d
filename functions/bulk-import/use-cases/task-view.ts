import { z } from 'zod';
import type { ObjectStore } from '../../shared/aws/object-store';
import { BadRequestError, NotFoundError } from '../../shared/errors';
import { pageSchema } from '../../shared/http/page-token';
import type { ImportTask, ImportTaskRepository } from '../adapters/import-task-repository';
import { issueLineSchema, parseIssueLine } from '../adapters/issue-codec';
import { requireTenantKey } from '../domain/artifact-keys';
import { TASK_STATUSES, taskCountsSchema } from '../domain/import-task';
import type { ImportIssue } from '../domain/issues';
import { progressCounts } from '../domain/row-outcome';

export interface TaskViewDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'listBatchSummaries'>;
  readonly reports: Pick<ObjectStore, 'presignDownload' | 'readRange' | 'size'>;
}

const DOWNLOAD_URL_TTL_SECONDS = 900;

const downloadLink = (what: string) =>
  z.string().optional().describe(`A signed link to ${what}, valid for 15 minutes; absent until it exists.`);

/** `GET .../:taskId`, the task as the API shows it (docs/api.md). */
export const importTaskViewSchema = z.strictObject({
  taskId: z.string(),
  fileId: z.string(),
  fileName: z.string(),
  status: z.enum(TASK_STATUSES),
  counts: taskCountsSchema.describe("While PROVISIONING, the current run's progress."),
  run: z.number().int().min(0).describe('Provisioning runs so far: 0 before commit, +1 per retry.'),
  failureReason: z.string().optional(),
  reportUrl: downloadLink('the validation report (CSV)'),
  reportXlsxUrl: downloadLink('the validation report (XLSX)'),
  successExportUrl: downloadLink('the rows created (CSV)'),
  failedExportUrl: downloadLink('the rows that failed (CSV)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ImportTaskView = z.infer<typeof importTaskViewSchema>;

/** `GET .../:taskId/errors`: validation issues in row order, file-level ones (`row: null`) first. */
export const importIssuesPageSchema = pageSchema(issueLineSchema).strict();

export async function findTask(
  deps: { readonly tasks: Pick<ImportTaskRepository, 'getTask'> },
  tenantId: string,
  taskId: string,
): Promise<ImportTask> {
  const task = await deps.tasks.getTask(tenantId, taskId);
  // Another tenant's task is simply not found: its existence is not ours to reveal.
  if (!task) throw new NotFoundError('TASK_NOT_FOUND', `No import task ${taskId} in this tenant.`);
  return task;
}

/** `GET .../:taskId`: status, counts (live while provisioning), and download links. */
export async function describeTask(
  deps: TaskViewDeps,
  tenantId: string,
  taskId: string,
): Promise<ImportTaskView> {
  const task = await findTask(deps, tenantId, taskId);
  const counts =
    task.status === 'PROVISIONING'
      ? progressCounts(task.counts, task.run, await deps.tasks.listBatchSummaries(tenantId, taskId, task.run))
      : task.counts;
  // A link is a bearer credential: it is only ever made for a key under the caller's own prefix.
  const link = (key: string | undefined, fileName: string) =>
    key
      ? deps.reports.presignDownload(requireTenantKey(tenantId, key), fileName, DOWNLOAD_URL_TTL_SECONDS)
      : Promise.resolve(undefined);
  const [reportUrl, reportXlsxUrl, successExportUrl, failedExportUrl] = await Promise.all([
    link(task.artifacts.reportCsv, `${taskId}-report.csv`),
    link(task.artifacts.reportXlsx, `${taskId}-report.xlsx`),
    link(task.artifacts.succeededExport, `${taskId}-succeeded.csv`),
    link(task.artifacts.failedExport, `${taskId}-failed.csv`),
  ]);
  return {
    taskId: task.taskId,
    fileId: task.fileId,
    fileName: task.fileName,
    status: task.status,
    // Tasks stored before approvals existed have no grant counts: none of their grants were settled.
    counts: { grantsApproved: 0, grantsRejected: 0, ...counts },
    run: task.run,
    ...(task.failureReason ? { failureReason: task.failureReason } : {}),
    ...(reportUrl ? { reportUrl } : {}),
    ...(reportXlsxUrl ? { reportXlsxUrl } : {}),
    ...(successExportUrl ? { successExportUrl } : {}),
    ...(failedExportUrl ? { failedExportUrl } : {}),
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}

/** Bytes read per page; a page holds whole lines only, so it ends at the last newline read. */
const PAGE_WINDOW_BYTES = 256 * 1024;

/**
 * `GET .../:taskId/errors`: the validation issues in row order, a page at a time, read from the
 * issues file with a byte range. `nextToken` is the byte offset of the next line.
 */
export async function listIssues(
  deps: TaskViewDeps,
  tenantId: string,
  taskId: string,
  page: { limit: number; nextToken?: string },
): Promise<{ items: ImportIssue[]; nextToken?: string }> {
  const task = await findTask(deps, tenantId, taskId);
  if (!task.artifacts.issues) return { items: [] };
  const key = requireTenantKey(tenantId, task.artifacts.issues);
  const size = (await deps.reports.size(key)) ?? 0;
  const offset = page.nextToken ? decodeOffset(page.nextToken) : 0;
  if (offset >= size) return { items: [] };
  const text = await deps.reports.readRange(key, offset, Math.min(size, offset + PAGE_WINDOW_BYTES) - 1);
  const lines = text.split('\n');
  // The last piece may be a line cut by the window; it is read again on the next page.
  const complete = offset + Buffer.byteLength(text) >= size ? lines : lines.slice(0, -1);
  const taken = complete.filter(Boolean).slice(0, page.limit);
  const consumed = taken.reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0);
  const items = taken.map((line) => parseIssueLine(line));
  const next = offset + consumed;
  return next < size ? { items, nextToken: encodeOffset(next) } : { items };
}

function encodeOffset(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeOffset(token: string): number {
  const match = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!match?.[1]) throw new BadRequestError('INVALID_NEXT_TOKEN', 'nextToken is not one this API returned.');
  return Number(match[1]);
}
