import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import type { HostileFile, HostileOutcome } from '../../fixtures/hostile/manifest';
import { call, documentClient, errorCode, type Principal, TABLE_NAME } from '../support/api';
import { BASE, type TaskView, taskOf, upload, waitForStatus } from './import-support';

export const HOSTILE_DIR = join(import.meta.dirname, '../../fixtures/hostile');

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

const issuesPage = z.object({
  items: z.array(z.object({ row: z.number().nullable(), code: z.string(), severity: z.string() })),
  nextToken: z.string().optional(),
});

/** Sends the file through the presigned upload and starts its validation. */
export async function uploadHostile(
  admin: Principal,
  entry: HostileFile,
  path: string,
): Promise<{ fileId: string; taskId: string }> {
  const bytes = new Uint8Array(await readFile(path));
  const fileId = await upload(admin, entry.file, bytes, { declareSize: !entry.undeclaredSize });
  return { fileId, taskId: await taskOf(admin, fileId) };
}

/** `POST .../uploads` for the file by name, declaring its size: the refusal it must get, if any. */
export async function expectUploadRefused(
  admin: Principal,
  fileName: string,
  sizeBytes: number,
  refusal: { status: number; code: string; message?: RegExp },
): Promise<void> {
  const response = await call('POST', `${BASE}/uploads`, {
    token: admin.token,
    body: { fileName, sizeBytes },
  });
  expect(response.status, response.text).toBe(refusal.status);
  expect(errorCode(response)).toBe(refusal.code);
  if (refusal.message) {
    expect(z.object({ error: z.object({ message: z.string() }) }).parse(response.body).error.message).toMatch(
      refusal.message,
    );
  }
}

/** The emails of the tenant's users created from corpus rows (the admin is not one). */
export async function corpusUsers(tenantId: string): Promise<string[]> {
  const users = await directory.listAllUsers(tenantId);
  return users
    .map((user) => user.email)
    .filter((email) => email.endsWith('@hostile.test'))
    .sort();
}

async function issueTally(admin: Principal, taskId: string): Promise<Record<string, number>> {
  const tally: Record<string, number> = {};
  let nextToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '1000', ...(nextToken ? { nextToken } : {}) });
    const response = await call('GET', `${BASE}/${taskId}/errors?${query}`, { token: admin.token });
    expect(response.status, response.text).toBe(200);
    const page = issuesPage.parse(response.body);
    for (const found of page.items) tally[found.code] = (tally[found.code] ?? 0) + 1;
    nextToken = page.nextToken;
  } while (nextToken);
  return tally;
}

/**
 * The task of an uploaded corpus file ends as the manifest says, and committing it either is
 * refused (409, nothing provisioned) or provisions exactly the valid rows.
 */
export async function expectOutcome(
  admin: Principal,
  tenantId: string,
  taskId: string,
  outcome: Exclude<HostileOutcome, { kind: 'refused-at-upload' }>,
  timeoutMs = 60_000,
): Promise<TaskView> {
  const task = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED'], timeoutMs);
  if (outcome.kind === 'rejected') {
    expect(task.status).toBe('VALIDATION_FAILED');
    expect(task.failureReason).toMatch(outcome.message);
    expect(task.counts).toMatchObject({ total: 0, valid: 0, invalid: 0 });
    expect(await issueTally(admin, taskId)).toEqual({ [outcome.code]: 1 });
    const commit = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: false },
    });
    expect(commit.status, commit.text).toBe(409);
    expect(errorCode(commit)).toBe('TASK_STATE_CONFLICT');
    expect(await corpusUsers(tenantId)).toEqual([]);
    return task;
  }
  expect(task.status).toBe('VALIDATED');
  expect(task.counts).toMatchObject(outcome.counts);
  expect(await issueTally(admin, taskId)).toEqual(outcome.issues);
  const commit = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome: false },
  });
  expect(commit.status, commit.text).toBe(202);
  const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
  expect(done.status).toBe('COMPLETED');
  expect(done.counts).toMatchObject({ succeeded: outcome.counts.valid, failed: 0 });
  expect(await corpusUsers(tenantId)).toEqual([...outcome.users].sort());
  return done;
}
