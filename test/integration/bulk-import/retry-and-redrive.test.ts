import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { importedUserId } from '../../../functions/bulk-import/use-cases/provision-batch';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { directoryKeys } from '../../../functions/identity/adapters/keys';
import { muster } from '../cli/cli-support';
import {
  call,
  documentClient,
  engineClientConfig,
  type Principal,
  principal,
  TABLE_NAME,
  uniqueTenant,
} from '../support/api';
import {
  armChaos,
  BASE,
  csvOf,
  download,
  firstRunExecutionArn,
  people,
  type TaskView,
  tenantUsers,
  validatedImport,
  validatedTask,
  waitForStatus,
} from './import-support';

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const sfn = new SFNClient(engineClientConfig('sfn'));
const emailsSchema = z.array(z.object({ to: z.unknown(), subject: z.string() }));
const statusChangesSchema = z.array(
  z.object({
    detail: z.object({ executionArn: z.string(), status: z.string() }),
    deliveries: z.array(z.object({ rule: z.string(), status: z.string() })),
  }),
);
const eventsSchema = z.array(
  z.object({ 'detail-type': z.string(), detail: z.object({ eventId: z.string(), tenantId: z.string() }) }),
);

/**
 * Commits with provisioning armed to crash from `afterRow` on, past every retry, waits for the run
 * to fail, and disarms the crash so what follows can recover.
 */
async function crashedRun(run: {
  admin: Principal;
  tenantId: string;
  taskId: string;
  afterRow: number;
  sendWelcome: boolean;
}): Promise<TaskView> {
  await armChaos({ point: 'provision-batch', tenantId: run.tenantId, afterRow: run.afterRow, times: 5000 });
  await call('POST', `${BASE}/commit`, {
    token: run.admin.token,
    body: { taskId: run.taskId, sendWelcome: run.sendWelcome },
  });
  const crashed = await waitForStatus(
    run.admin,
    run.taskId,
    ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'],
    120_000,
  );
  expect(crashed.status).toBe('FAILED');
  await armChaos({ tenantId: run.tenantId });
  return crashed;
}

/**
 * Every row's email belongs to exactly the user that row creates, and the tenant holds no other
 * user than those and its admin: nothing was created twice.
 */
async function expectEachRowOnce(tenantId: string, taskId: string, rows: string[][]) {
  expect(await tenantUsers(tenantId)).toHaveLength(rows.length + 1);
  for (const [index, [email]] of rows.entries()) {
    expect(await directory.findUserIdByEmail(tenantId, email ?? '')).toBe(
      importedUserId(tenantId, taskId, index + 2),
    );
  }
}

describe('retrying failed rows', () => {
  it('replays only the failed rows, never touching the created ones, and the counts stay true', async () => {
    const tenantId = uniqueTenant('retry');
    const rows = people(tenantId, 10);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    // Two people get accounts some other way between validation and commit.
    await principal(tenantId, `p3@${tenantId}.test`);
    await principal(tenantId, `p7@${tenantId}.test`);

    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const first = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(first.status).toBe('COMPLETED_WITH_ERRORS');
    expect(first.counts).toMatchObject({ valid: 10, succeeded: 8, failed: 2 });
    const failedRows = await download(first.failedExportUrl ?? '');
    expect(failedRows).toContain('ALREADY_EXISTS');
    expect(failedRows.trim().split(/\r?\n/)).toHaveLength(3);

    const created = await directory.getUser(tenantId, importedUserId(tenantId, taskId, 2));
    const retried = await call('POST', `${BASE}/${taskId}/retry`, { token: admin.token });
    expect(retried.status, retried.text).toBe(202);
    const second = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(second).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', run: 2 });
    expect(second.counts).toMatchObject({ valid: 10, succeeded: 8, failed: 2 });
    expect(await directory.getUser(tenantId, importedUserId(tenantId, taskId, 2))).toEqual(created);
  });

  it('recovers a run that crashed: the retry provisions the rest, once each', async () => {
    const tenantId = uniqueTenant('recover');
    const rows = people(tenantId, 300);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    const crashed = await crashedRun({ admin, tenantId, taskId, afterRow: 150, sendWelcome: false });
    expect(crashed.counts.succeeded + crashed.counts.failed).toBe(300);

    await call('POST', `${BASE}/${taskId}/retry`, { token: admin.token });
    const recovered = await waitForStatus(
      admin,
      taskId,
      ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'],
      120_000,
    );
    expect(recovered.status).toBe('COMPLETED');
    expect(recovered.counts).toMatchObject({ total: 300, valid: 300, succeeded: 300, failed: 0 });
    await expectEachRowOnce(tenantId, taskId, rows);
  }, 240_000);
});

describe('a group deleted between validation and commit', () => {
  it('creates the users all the same, in the groups that remain, and says which group was missing', async () => {
    const tenantId = uniqueTenant('groups');
    const now = new Date().toISOString();
    await directory.putGroup(tenantId, { name: 'eng', roles: [] }, now);
    await directory.putGroup(tenantId, { name: 'gone', roles: [] }, now);
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const rows = [
      [`a@${tenantId}.test`, 'eng;gone'],
      [`b@${tenantId}.test`, 'eng'],
    ];
    const taskId = await validatedTask(admin, csvOf(['email', 'groups'], rows));
    await documentClient().send(
      new DeleteCommand({ TableName: TABLE_NAME, Key: directoryKeys.group(tenantId, 'gone') }),
    );

    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 0 });
    expect((await directory.getUser(tenantId, importedUserId(tenantId, taskId, 2)))?.groups).toEqual(['eng']);
    expect((await directory.getUser(tenantId, importedUserId(tenantId, taskId, 3)))?.groups).toEqual(['eng']);
    expect(await download(done.successExportUrl ?? '')).toContain('GROUP_NOT_FOUND');
  });
});

describe('redriving a failed execution', () => {
  it('resumes a crashed run with muster redrive: the execution failed at its step, the rule marked the task FAILED, every row once', async () => {
    const tenantId = uniqueTenant('redrive');
    const rows = people(tenantId, 500);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    // Crash in the middle of batch 3 (rows 202-301), and in every later row, past all retries.
    const crashed = await crashedRun({ admin, tenantId, taskId, afterRow: 250, sendWelcome: true });
    // Rows before the crash point in the crashed batch already have their users.
    expect(await directory.getUser(tenantId, importedUserId(tenantId, taskId, 240))).toBeDefined();

    // The execution failed with the provisioning step's own error, not in a Fail state: that is where
    // AWS resumes it (the local engine runs the Map inline, so the batch's error is the execution's).
    const executionArn = firstRunExecutionArn(taskId);
    const failed = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'InjectedFault' });
    // The status change went to the default bus, and its rule's target marked the task FAILED.
    const changes = statusChangesSchema
      .parse((await call('GET', '/_local/events?bus=default')).body)
      .filter((change) => change.detail.executionArn === executionArn);
    expect(changes).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({ status: 'FAILED' }),
        deliveries: [expect.objectContaining({ rule: 'BulkImportExecutionEnded', status: 'delivered' })],
      }),
    ]);
    expect(crashed.failureReason).toMatch(/^InjectedFault: .*Chaos: provision-batch failed/);

    const redriven = await muster(['redrive', taskId, '--watch', '--json', '--token', admin.token]);
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stderr).toContain(`task ${taskId}: run 1 resumes where it failed`);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done).toMatchObject({ status: 'COMPLETED', run: 1 });
    expect(done.failureReason).toBeUndefined();
    expect(done.counts).toMatchObject({ total: 500, valid: 500, succeeded: 500, failed: 0, notified: 500 });
    await expectEachRowOnce(tenantId, taskId, rows);

    const emails = emailsSchema.parse((await call('GET', '/_local/emails')).body);
    const welcomes = emails.filter((email) => JSON.stringify(email.to).includes(`@${tenantId}.test`));
    expect(welcomes).toHaveLength(500);
    const events = eventsSchema
      .parse((await call('GET', '/_local/events')).body)
      .filter((event) => event['detail-type'] === 'iam.user.created' && event.detail.tenantId === tenantId);
    expect(new Set(events.map((event) => event.detail.eventId)).size).toBe(500);

    // A run that ran to its end is not redriven: its failed rows are for retry.
    const again = await muster(['redrive', taskId, '--token', admin.token]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('EXECUTION_SUCCEEDED');
    const refused = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(refused.status, refused.text).toBe(409);
  }, 240_000);

  it('refuses to redrive a run still going, and a task never committed', async () => {
    const tenantId = uniqueTenant('redrive-running');
    const { admin, taskId } = await validatedImport(tenantId, people(tenantId, 3));
    const uncommitted = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(uncommitted.status, uncommitted.text).toBe(409);
    expect(uncommitted.body).toMatchObject({ error: { code: 'NOTHING_TO_REDRIVE' } });
    // The import waits at provisioning, so its execution is RUNNING when asked.
    await armChaos({ point: 'provision-batch', tenantId, afterRow: 0, times: 1 });
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const running = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(running.status, running.text).toBe(409);
    expect(running.body).toMatchObject({ error: { code: 'EXECUTION_RUNNING' } });
    expect(
      (await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'])).status,
    ).toBe('COMPLETED');
  });
});
