import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { rolePolicySchema } from '../../../functions/bulk-import/domain/role-policy';
import { importRunSchema } from '../../../functions/bulk-import/use-cases/provisioning-runs';
import {
  importIssuesPageSchema,
  importTaskViewSchema,
} from '../../../functions/bulk-import/use-cases/task-view';
import {
  importUploadSchema,
  validationStartedSchema,
} from '../../../functions/bulk-import/use-cases/uploads';
import { importAwaitingApproval } from '../approvals/approval-support';
import { armChaos, BASE, csvOf, people } from '../bulk-import/import-support';
import { call, type Principal, principal, uniqueTenant } from '../support/api';

/**
 * The bulk import's responses as they really come, checked against the schemas their handlers
 * publish in the OpenAPI document (strict: a field the document does not declare fails too).
 */

type ImportTaskView = z.infer<typeof importTaskViewSchema>;

function expectFits(schema: z.ZodType, body: unknown, what: string): void {
  const checked = schema.safeParse(body);
  expect(checked.error, `${what}: ${JSON.stringify(body)}`).toBeUndefined();
}

/** Uploads the CSV through the presigned POST, checking the upload and validation answers on the way. */
async function uploadAndValidate(admin: Principal, csv: string): Promise<string> {
  const created = await call('POST', `${BASE}/uploads`, {
    token: admin.token,
    body: { fileName: 'people.csv', sizeBytes: new TextEncoder().encode(csv).byteLength },
  });
  expect(created.status, created.text).toBe(201);
  expectFits(importUploadSchema, created.body, 'upload');
  const target = importUploadSchema.parse(created.body);
  const form = new FormData();
  for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
  form.append('file', new Blob([csv]), 'people.csv');
  const sent = await fetch(target.uploadUrl, { method: 'POST', body: form });
  expect(sent.status, await sent.text()).toBeLessThan(300);
  const started = await call('POST', `${BASE}/validation`, {
    token: admin.token,
    body: { fileId: target.fileId },
  });
  expect(started.status, started.text).toBe(202);
  expectFits(validationStartedSchema, started.body, 'validation');
  return validationStartedSchema.parse(started.body).taskId;
}

/** Reads the task until its status is one of `until`, checking every answer read on the way; the statuses seen. */
async function follow(admin: Principal, taskId: string, until: string[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  for (;;) {
    const response = await call('GET', `${BASE}/${taskId}`, { token: admin.token });
    expect(response.status, response.text).toBe(200);
    expectFits(importTaskViewSchema, response.body, 'task');
    const task: ImportTaskView = importTaskViewSchema.parse(response.body);
    seen.add(task.status);
    if (until.includes(task.status)) return { task, seen };
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} stayed ${task.status}, wanted ${until.join('|')}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function expectIssuesFit(admin: Principal, taskId: string): Promise<number> {
  const issues = await call('GET', `${BASE}/${taskId}/errors?limit=1`, { token: admin.token });
  expect(issues.status, issues.text).toBe(200);
  expectFits(importIssuesPageSchema, issues.body, 'issues');
  return importIssuesPageSchema.parse(issues.body).items.length;
}

async function commit(admin: Principal, taskId: string): Promise<void> {
  const committed = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome: false },
  });
  expect(committed.status, committed.text).toBe(202);
  expectFits(importRunSchema, committed.body, 'commit');
}

const ENDED = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'AWAITING_APPROVAL'];

describe.concurrent('the bulk import answers what its OpenAPI schemas declare', () => {
  it('uploads, validation, issues, and every read of a task from VALIDATED through its run to COMPLETED_WITH_ERRORS, and its retry', async () => {
    const tenantId = uniqueTenant('oas-import');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const rows = [...people(tenantId, 3), ['not-an-email', 'Bad']];
    const taskId = await uploadAndValidate(admin, csvOf(['email', 'given_name'], rows));
    const validated = await follow(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(validated.task).toMatchObject({ status: 'VALIDATED', run: 0, counts: { valid: 3, invalid: 1 } });
    expect(await expectIssuesFit(admin, taskId)).toBe(1);

    // A person gets an account between validation and commit: their row fails, so the run has errors.
    await principal(tenantId, `p1@${tenantId}.test`);
    await commit(admin, taskId);
    const first = await follow(admin, taskId, ENDED);
    expect(first.task).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      counts: { succeeded: 2, failed: 1 },
    });
    expect(first.task.failedExportUrl).toEqual(expect.any(String));

    const retried = await call('POST', `${BASE}/${taskId}/retry`, { token: admin.token });
    expect(retried.status, retried.text).toBe(202);
    expectFits(importRunSchema, retried.body, 'retry');
    expect(retried.body).toMatchObject({ taskId, run: 2 });
    const second = await follow(admin, taskId, ENDED);
    expect(second.task).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', run: 2 });
  });

  it('a task VALIDATION_FAILED, with its file-level issue', async () => {
    const tenantId = uniqueTenant('oas-invalid');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const taskId = await uploadAndValidate(admin, csvOf(['given_name'], [['Nobody']]));
    const { task } = await follow(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(task.status).toBe('VALIDATION_FAILED');
    expect(await expectIssuesFit(admin, taskId)).toBe(1);
  });

  it('a task COMPLETED', async () => {
    const tenantId = uniqueTenant('oas-clean');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const taskId = await uploadAndValidate(admin, csvOf(['email', 'given_name'], people(tenantId, 2)));
    await follow(admin, taskId, ['VALIDATED']);
    await commit(admin, taskId);
    const { task } = await follow(admin, taskId, ENDED);
    expect(task).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 2, failed: 0 } });
    expect(task.successExportUrl).toEqual(expect.any(String));
  });

  it('a task AWAITING_APPROVAL', async () => {
    const tenantId = uniqueTenant('oas-approval');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const taskId = await importAwaitingApproval(admin, tenantId);
    const { task } = await follow(admin, taskId, ENDED);
    expect(task).toMatchObject({ status: 'AWAITING_APPROVAL', counts: { pendingApproval: 1 } });
  });

  it('a task FAILED (its run crashed past its retries), and its redrive', async () => {
    const tenantId = uniqueTenant('oas-crash');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const taskId = await uploadAndValidate(admin, csvOf(['email', 'given_name'], people(tenantId, 2)));
    await follow(admin, taskId, ['VALIDATED']);
    await armChaos({ point: 'provision-batch', tenantId, afterRow: 0, times: 5000 });
    try {
      await commit(admin, taskId);
      const { task } = await follow(admin, taskId, ENDED, 120_000);
      expect(task.status).toBe('FAILED');
    } finally {
      await armChaos({ tenantId });
    }
    const redriven = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(redriven.status, redriven.text).toBe(202);
    expectFits(importRunSchema, redriven.body, 'redrive');
    const { task } = await follow(admin, taskId, ENDED);
    expect(task).toMatchObject({ status: 'COMPLETED', run: 1 });
  }, 180_000);

  it('the default role policy, read and replaced', async () => {
    const tenantId = uniqueTenant('oas-policy');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const read = await call('GET', '/internal/iam/role-policies/default', { token: admin.token });
    expect(read.status, read.text).toBe(200);
    expectFits(rolePolicySchema, read.body, 'role policy');
    const policy = { rules: [{ department: 'Sales', roles: ['operator'] }], fallbackRoles: ['member'] };
    const replaced = await call('PUT', '/internal/iam/role-policies/default', {
      token: admin.token,
      body: policy,
    });
    expect(replaced.status, replaced.text).toBe(200);
    expectFits(rolePolicySchema, replaced.body, 'role policy');
    expect(replaced.body).toEqual(policy);
  });
});
