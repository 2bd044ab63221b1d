import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { call, documentClient, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { BASE, csvOf, taskOf, upload, waitForStatus } from './import-support';

const client = documentClient();
const directory = new DirectoryRepository(client, TABLE_NAME);

describe('rows asking for a role that needs approval', () => {
  it('create the user with the rest of its roles and hold the sensitive one as a pending grant', async () => {
    const tenantId = uniqueTenant('sensitive');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const csv = csvOf(
      ['email', 'roles'],
      [
        [`boss@${tenantId}.test`, 'tenant_admin;operator'],
        [`plain@${tenantId}.test`, ''],
      ],
    );
    const taskId = await taskOf(admin, await upload(admin, 'roles.csv', csv));
    const validated = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(validated.counts).toMatchObject({ total: 2, valid: 2 });
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 0, pendingApproval: 1 });

    const bossId = (await directory.findUserIdByEmail(tenantId, `boss@${tenantId}.test`)) ?? '';
    const boss = await directory.getUser(tenantId, bossId);
    expect(boss?.roles).toEqual(['member', 'operator']);
    expect(boss?.roles).not.toContain('tenant_admin');
    const grant = await client.send(
      new GetCommand({
        TableName: TABLE_NAME,
        Key: { PK: `TENANT#${tenantId}#USER#${bossId}`, SK: 'PENDING_GRANT#tenant_admin' },
      }),
    );
    expect(grant.Item).toMatchObject({
      status: 'PENDING_APPROVAL',
      role: 'tenant_admin',
      source: { type: 'bulk_import', taskId, row: 2 },
    });
  });
});
