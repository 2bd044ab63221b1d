import { type ExecutionListItem, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { LOCAL_BULK_IMPORT_STATE_MACHINE_ARN } from '../../../local/environment';
import {
  call,
  documentClient,
  engineClientConfig,
  errorCode,
  type Principal,
  principal,
  TABLE_NAME,
  uniqueTenant,
} from '../support/api';
import { BASE, csvOf, download, type TaskView, validatedTask, waitForStatus } from './import-support';

/*
 * Issue 7, concurrency: commits racing on one task, imports racing on the same emails in one
 * tenant, and the same emails imported into two tenants at once. Uniqueness comes from the
 * directory's transactions (the email claim), so each (tenant, email) ends up with one user.
 */

const documents = documentClient();
const directory = new DirectoryRepository(documents, TABLE_NAME);
const sfn = new SFNClient(engineClientConfig('sfn'));
const FINISHED = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'];

afterAll(() => {
  documents.destroy();
  sfn.destroy();
});

/** Uploads a one-column file of `emails` and waits until it is VALIDATED. */
function validatedImport(admin: Principal, emails: readonly string[]): Promise<string> {
  return validatedTask(
    admin,
    csvOf(
      ['email'],
      emails.map((email) => [email]),
    ),
  );
}

function commit(admin: Principal, taskId: string) {
  return call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
}

/** The BulkImport executions started for a task, whatever their run. */
async function executionsOf(taskId: string): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: LOCAL_BULK_IMPORT_STATE_MACHINE_ARN, nextToken }),
    );
    found.push(...(page.executions ?? []).filter((execution) => execution.name?.startsWith(`${taskId}-`)));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** Users of the tenant by email, the importing admin left out. */
async function usersByEmail(tenantId: string, admin: string): Promise<Map<string, string[]>> {
  const users = (await directory.listAllUsers(tenantId)).filter((user) => user.email !== admin);
  const byEmail = new Map<string, string[]>();
  for (const user of users) byEmail.set(user.email, [...(byEmail.get(user.email) ?? []), user.userId]);
  return byEmail;
}

const failedRowSchema = z.array(z.object({ row: z.string(), email: z.string(), code: z.string() }));

async function failedRows(task: TaskView) {
  if (!task.failedExportUrl) return [];
  return failedRowSchema.parse(parse(await download(task.failedExportUrl), { columns: true, bom: true }));
}

const emailsOf = (tenantId: string, label: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${label}${index}@${tenantId}.test`);

describe('concurrent imports', () => {
  it('8 commits of the same task at once: one run, one execution, one user per row', async () => {
    const tenantId = uniqueTenant('race-commit');
    const adminEmail = `admin@${tenantId}.test`;
    const admin = await principal(tenantId, adminEmail, ['tenant_admin']);
    const emails = emailsOf(tenantId, 'person', 30);
    const taskId = await validatedImport(admin, emails);

    const answers = await Promise.all(Array.from({ length: 8 }, () => commit(admin, taskId)));

    const statuses = answers.map((answer) => answer.status);
    expect(statuses, answers.map((answer) => answer.text).join('\n')).toEqual(Array(8).fill(202));
    for (const answer of answers) expect(answer.body).toMatchObject({ taskId, run: 1 });
    const done = await waitForStatus(admin, taskId, FINISHED, 60_000);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      run: 1,
      counts: { valid: 30, succeeded: 30, failed: 0 },
    });
    expect((await executionsOf(taskId)).map((execution) => execution.name)).toEqual([`${taskId}-run-1`]);
    const users = await usersByEmail(tenantId, adminEmail);
    expect([...users.keys()].sort()).toEqual([...emails].sort());
    expect([...users.values()].every((ids) => ids.length === 1)).toBe(true);
  });

  it('two imports sharing 50 emails committed at once: one user per email, the losing rows ALREADY_EXISTS, counts add up', async () => {
    const tenantId = uniqueTenant('race-overlap');
    const adminEmail = `admin@${tenantId}.test`;
    const admin = await principal(tenantId, adminEmail, ['tenant_admin']);
    const shared = emailsOf(tenantId, 'shared', 50);
    const onlyFirst = emailsOf(tenantId, 'first', 10);
    const onlySecond = emailsOf(tenantId, 'second', 10);
    // Interleaved so both runs reach the shared emails while the other is still creating them.
    const [first, second] = await Promise.all([
      validatedImport(admin, [...shared, ...onlyFirst]),
      validatedImport(admin, [...onlySecond, ...[...shared].reverse()]),
    ]);

    const committed = await Promise.all([commit(admin, first), commit(admin, second)]);
    expect(committed.map((answer) => answer.status)).toEqual([202, 202]);
    const tasks = await Promise.all(
      [first, second].map((taskId) => waitForStatus(admin, taskId, FINISHED, 60_000)),
    );

    for (const task of tasks) {
      expect(task.counts.valid).toBe(60);
      expect(task.counts.succeeded + task.counts.failed).toBe(task.counts.valid);
    }
    const succeeded = tasks.reduce((sum, task) => sum + task.counts.succeeded, 0);
    const failed = tasks.reduce((sum, task) => sum + task.counts.failed, 0);
    expect({ succeeded, failed }).toEqual({ succeeded: 70, failed: 50 });

    const losers = (await Promise.all(tasks.map(failedRows))).flat();
    expect(losers).toHaveLength(50);
    expect(new Set(losers.map((row) => row.code))).toEqual(new Set(['ALREADY_EXISTS']));
    expect(losers.map((row) => row.email).sort()).toEqual([...shared].sort());

    const users = await usersByEmail(tenantId, adminEmail);
    expect(users.size).toBe(70);
    expect([...users.values()].filter((ids) => ids.length !== 1)).toEqual([]);
    expect([...users.keys()].sort()).toEqual([...shared, ...onlyFirst, ...onlySecond].sort());
  }, 90_000);

  it('the same emails imported into two tenants at the same time: one user in each, both tenants served', async () => {
    const tenants = [uniqueTenant('race-left'), uniqueTenant('race-right')];
    const emails = Array.from({ length: 25 }, (_, index) => `same${index}@shared-${tenants[0]}.test`);
    const admins = await Promise.all(
      tenants.map((tenantId) => principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin'])),
    );
    const taskIds = await Promise.all(admins.map((admin) => validatedImport(admin, emails)));

    const committed = await Promise.all(admins.map((admin, index) => commit(admin, taskIds[index] ?? '')));
    expect(committed.map((answer) => answer.status)).toEqual([202, 202]);
    const done = await Promise.all(
      admins.map((admin, index) => waitForStatus(admin, taskIds[index] ?? '', FINISHED, 60_000)),
    );

    for (const [index, tenantId] of tenants.entries()) {
      expect(done[index]).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 25, failed: 0 } });
      const users = await usersByEmail(tenantId, `admin@${tenantId}.test`);
      expect([...users.keys()].sort()).toEqual([...emails].sort());
      expect([...users.values()].every((ids) => ids.length === 1)).toBe(true);
    }
    const [left, right] = await Promise.all(tenants.map((tenantId) => directory.listAllUsers(tenantId)));
    const leftIds = new Set(left?.map((user) => user.userId));
    expect(right?.filter((user) => leftIds.has(user.userId))).toEqual([]);
  }, 90_000);

  it('concurrent POST /v1/admin/users with the same email: one 201, the others 409 EMAIL_TAKEN', async () => {
    const tenantId = uniqueTenant('race-create');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const email = `twin@${tenantId}.test`;

    const answers = await Promise.all(
      ['twin', 'Twin', 'TWIN', 'twin'].map((local) =>
        call('POST', '/v1/admin/users', {
          token: admin.token,
          body: { email: email.replace('twin', local), roles: ['member'] },
        }),
      ),
    );

    const created = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status !== 201);
    expect(created).toHaveLength(1);
    expect(refused.map((answer) => [answer.status, errorCode(answer)])).toEqual(
      Array(3).fill([409, 'EMAIL_TAKEN']),
    );
    const userId = await directory.findUserIdByEmail(tenantId, email);
    expect(z.object({ userId: z.string() }).parse(created[0]?.body).userId).toBe(userId);
    expect((await usersByEmail(tenantId, `admin@${tenantId}.test`)).get(email)).toEqual([userId]);
  });
});
