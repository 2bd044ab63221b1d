import { expect, inject } from 'vitest';
import { z } from 'zod';
import { call, type Principal, principal, queryAll, TABLE_NAME } from '../support/api';

export const BASE = '/internal/iam/users/bulk-import';

/** A task's row counts, as the task view and the imports list answer them. */
export const rowCountsSchema = z.strictObject({
  total: z.number(),
  valid: z.number(),
  invalid: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  pendingApproval: z.number(),
  notified: z.number(),
});

export const taskSchema = z.object({
  taskId: z.string(),
  status: z.string(),
  counts: rowCountsSchema.extend({ grantsApproved: z.number(), grantsRejected: z.number() }),
  reportUrl: z.string().optional(),
  successExportUrl: z.string().optional(),
  failedExportUrl: z.string().optional(),
  failureReason: z.string().optional(),
  run: z.number(),
});
export type TaskView = z.infer<typeof taskSchema>;

const uploadSchema = z.object({
  fileId: z.string(),
  uploadUrl: z.string(),
  method: z.literal('POST'),
  fields: z.record(z.string(), z.string()),
});

/** Uploads a file the way a browser does: ask for a presigned POST, then send the form to S3. */
export async function upload(
  admin: Principal,
  fileName: string,
  content: Uint8Array | string,
  options: { declareSize?: boolean } = {},
): Promise<string> {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const declared = options.declareSize === false ? {} : { sizeBytes: bytes.byteLength };
  const created = await call('POST', `${BASE}/uploads`, {
    token: admin.token,
    body: { fileName, ...declared },
  });
  expect(created.status, created.text).toBe(201);
  const presigned = uploadSchema.parse(created.body);
  const form = new FormData();
  for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), fileName);
  const sent = await fetch(presigned.uploadUrl, { method: 'POST', body: form });
  expect(sent.status, await sent.text()).toBeLessThan(300);
  return presigned.fileId;
}

export async function taskOf(admin: Principal, fileId: string): Promise<string> {
  const started = await call('POST', `${BASE}/validation`, { token: admin.token, body: { fileId } });
  expect(started.status, started.text).toBe(202);
  return z.object({ taskId: z.string() }).parse(started.body).taskId;
}

export async function getTask(admin: Principal, taskId: string): Promise<TaskView> {
  const response = await call('GET', `${BASE}/${taskId}`, { token: admin.token });
  expect(response.status, response.text).toBe(200);
  return taskSchema.parse(response.body);
}

/** Polls the task until its status is one of `statuses` (the local workflow runs in the background). */
export async function waitForStatus(
  admin: Principal,
  taskId: string,
  statuses: string[],
  timeoutMs = 60_000,
): Promise<TaskView> {
  const deadline = Date.now() + timeoutMs;
  let task = await getTask(admin, taskId);
  while (!statuses.includes(task.status)) {
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} stayed ${task.status}, wanted ${statuses.join('|')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    task = await getTask(admin, taskId);
  }
  return task;
}

/** Uploads `csv` as a file named `fileName`, starts its validation and waits until it is VALIDATED; its task id. */
export async function validatedTask(
  admin: Principal,
  csv: string,
  options: { readonly fileName?: string; readonly timeoutMs?: number } = {},
): Promise<string> {
  const fileId = await upload(admin, options.fileName ?? 'people.csv', csv);
  const taskId = await taskOf(admin, fileId);
  const validated = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED'], options.timeoutMs);
  expect(validated.status).toBe('VALIDATED');
  return taskId;
}

/** `count` people of the tenant, as rows of email and given name. */
export function people(tenantId: string, count: number): string[][] {
  return Array.from({ length: count }, (_, index) => [`p${index}@${tenantId}.test`, `Given${index}`]);
}

/**
 * A tenant admin of `tenantId` and the task of their validated import of `rows` (email, given
 * name); validation gets two minutes, enough for the few thousand rows the fault tests import.
 */
export async function validatedImport(tenantId: string, rows: string[][]) {
  const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  const taskId = await validatedTask(admin, csvOf(['email', 'given_name'], rows), { timeoutMs: 120_000 });
  return { admin, taskId };
}

/** Arms the local stack's chaos hook (`{}` disarms it). */
export async function armChaos(chaos: Record<string, unknown>): Promise<void> {
  const response = await call('PUT', '/_local/chaos', { body: chaos });
  expect(response.status, response.text).toBe(200);
}

const stateMachineArn = z.string().parse(inject('env').BULK_IMPORT_STATE_MACHINE_ARN);

/** The ARN of the BulkImport execution of a task's first run. */
export function firstRunExecutionArn(taskId: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${taskId}-run-1`;
}

export function csvOf(header: string[], rows: string[][]): string {
  const cell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n');
}

export async function download(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * An import of two rows whose second fails provisioning: its person gets an account some other way
 * between validation and commit (ALREADY_EXISTS). Commits it under `correlationId` and waits for
 * the run to end COMPLETED_WITH_ERRORS, one row created and one failed.
 */
export async function commitWithOneTakenRow(
  admin: Principal,
  tenantId: string,
  options: { readonly correlationId: string; readonly sendWelcome: boolean; readonly takenEmail: string },
): Promise<string> {
  const taskId = await validatedTask(
    admin,
    csvOf(
      ['email', 'given_name'],
      [
        [`fresh@${tenantId}.test`, 'Fresh'],
        [options.takenEmail, 'Taken'],
      ],
    ),
  );
  await principal(tenantId, options.takenEmail);

  const committed = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome: options.sendWelcome },
    headers: { 'x-correlation-id': options.correlationId },
  });
  expect(committed.status, committed.text).toBe(202);
  const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
  expect(done).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', counts: { succeeded: 1, failed: 1 } });
  return taskId;
}

const listedUserSchema = z.object({ userId: z.string(), email: z.string() });

/** Every user of the tenant as the table holds them (its email listing, GSI1), to count what an import created. */
export async function tenantUsers(tenantId: string): Promise<z.infer<typeof listedUserSchema>[]> {
  const items = await queryAll({
    TableName: TABLE_NAME,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :users',
    ExpressionAttributeValues: { ':users': `TENANT#${tenantId}#USERS` },
  });
  return items.map((item) => listedUserSchema.parse(item));
}
