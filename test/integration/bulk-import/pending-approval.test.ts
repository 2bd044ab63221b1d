import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import {
  approvalOfImport,
  decide,
  emailsTo,
  eventsOf,
  importAwaitingApproval,
  listApprovals,
} from '../approvals/approval-support';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { download, getTask, waitForStatus } from './import-support';

const client = documentClient();
const directory = new DirectoryRepository(client, TABLE_NAME);

async function grantOf(tenantId: string, userId: string, role: string) {
  const result = await client.send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: { PK: `TENANT#${tenantId}#USER#${userId}`, SK: `PENDING_GRANT#${role}` },
    }),
  );
  return result.Item;
}

async function setUp(label: string) {
  const tenantId = uniqueTenant(label);
  const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
  const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
  const taskId = await importAwaitingApproval(admin, tenantId);
  const bossId = (await directory.findUserIdByEmail(tenantId, `boss@${tenantId}.test`)) ?? '';
  return { tenantId, admin, approver, taskId, bossId };
}

describe('an import whose rows ask for a sensitive role', () => {
  it('provisions every row at once, holds the sensitive grant, and activates it once approved', async () => {
    const { tenantId, admin, approver, taskId, bossId } = await setUp('sensitive');
    const waiting = await getTask(admin, taskId);
    expect(waiting.counts).toMatchObject({ succeeded: 2, failed: 0, pendingApproval: 1 });
    expect((await directory.getUser(tenantId, bossId))?.roles).toEqual(['member', 'operator']);
    expect(await grantOf(tenantId, bossId, 'tenant_admin')).toMatchObject({
      status: 'PENDING_APPROVAL',
      source: { type: 'bulk_import', taskId, row: 2 },
    });

    const approval = await approvalOfImport(approver, taskId);
    expect(approval).toMatchObject({
      subject: { type: 'bulk_import', taskId, run: 1 },
      risk: 'high',
      approverRole: 'security_approver',
      requestedBy: admin.userId,
      grants: 1,
      status: 'PENDING',
    });
    expect(await emailsTo(`approver@${tenantId}.test`)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: expect.stringContaining('Approval needed') }),
      ]),
    );
    // A high-risk decision needs a justification.
    const bare = await decide(approver, approval.approvalId, { decision: 'APPROVE' });
    expect(bare.status).toBe(422);
    expect(errorCode(bare)).toBe('JUSTIFICATION_REQUIRED');
    expect((await getTask(admin, taskId)).status).toBe('AWAITING_APPROVAL');

    const approved = await decide(approver, approval.approvalId, {
      decision: 'APPROVE',
      justification: '  Replaces the departing admin.  ',
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'APPROVED',
      decision: { decidedBy: approver.userId, justification: 'Replaces the departing admin.' },
    });
    expect(approved.text).not.toContain('taskToken');
    const again = await decide(approver, approval.approvalId, { decision: 'REJECT', justification: 'No.' });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe('ALREADY_DECIDED');

    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({
      succeeded: 2,
      pendingApproval: 0,
      grantsApproved: 1,
      grantsRejected: 0,
    });
    expect((await directory.getUser(tenantId, bossId))?.roles).toEqual(
      expect.arrayContaining(['member', 'operator', 'tenant_admin']),
    );
    expect(await grantOf(tenantId, bossId, 'tenant_admin')).toMatchObject({
      status: 'ACTIVE',
      approval: { approvalId: approval.approvalId, decision: 'APPROVED', decidedBy: approver.userId },
    });
    const exported = await download(done.successExportUrl ?? '');
    expect(exported).toContain('sensitive_roles');
    expect(exported).toMatch(new RegExp(`boss@${tenantId}\\.test,${bossId},approved`));
    expect(exported).toMatch(/plain@[^,]+,u_[a-z2-7]+,none/);
    expect(await listApprovals(approver)).not.toContainEqual(
      expect.objectContaining({ approvalId: approval.approvalId }),
    );
    expect(await listApprovals(approver, 'APPROVED')).toContainEqual(
      expect.objectContaining({ approvalId: approval.approvalId }),
    );

    const granted = await eventsOf(tenantId, 'iam.permission.granted');
    expect(granted.map((event) => event.detail.data)).toEqual([
      expect.objectContaining({
        userId: bossId,
        grant: { type: 'role', role: 'tenant_admin' },
        source: { type: 'bulk_import', taskId, row: 2 },
        approvalChain: [expect.objectContaining({ approvalId: approval.approvalId, decision: 'APPROVED' })],
      }),
    ]);
    expect(await eventsOf(tenantId, 'iam.approval.requested')).toHaveLength(1);
    expect((await eventsOf(tenantId, 'iam.approval.decided'))[0]?.detail.data).toMatchObject({
      decision: 'APPROVED',
      decidedBy: approver.userId,
      justification: 'Replaces the departing admin.',
    });
    expect((await eventsOf(tenantId, 'iam.user.bulk_imported'))[0]?.detail.data).toMatchObject({
      taskId,
      status: 'COMPLETED',
    });
  });

  it('rejects the sensitive grant with the justification, and keeps the users it created', async () => {
    const { tenantId, admin, approver, taskId, bossId } = await setUp('rejected');
    const approval = await approvalOfImport(approver, taskId);
    const rejected = await decide(approver, approval.approvalId, {
      decision: 'REJECT',
      justification: 'Admins are appointed, not imported.',
    });
    expect(rejected.status, rejected.text).toBe(200);

    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({
      succeeded: 2,
      pendingApproval: 0,
      grantsApproved: 0,
      grantsRejected: 1,
    });
    expect((await directory.getUser(tenantId, bossId))?.roles).toEqual(['member', 'operator']);
    expect(await grantOf(tenantId, bossId, 'tenant_admin')).toMatchObject({
      status: 'REJECTED',
      approval: { decision: 'REJECTED', justification: 'Admins are appointed, not imported.' },
    });
    expect(await download(done.successExportUrl ?? '')).toMatch(new RegExp(`${bossId},rejected`));
    expect((await eventsOf(tenantId, 'iam.permission.rejected'))[0]?.detail.data).toMatchObject({
      userId: bossId,
      reason: 'rejected',
      approvalChain: [expect.objectContaining({ justification: 'Admins are appointed, not imported.' })],
    });
    expect(await eventsOf(tenantId, 'iam.permission.granted')).toEqual([]);
  });

  it('refuses to retry the failed rows of an import while it waits for its approval', async () => {
    const { admin, taskId } = await setUp('retry-wait');
    const retry = await call('POST', `/internal/iam/users/bulk-import/${taskId}/retry`, {
      token: admin.token,
    });
    expect(retry.status).toBe(409);
    expect(errorCode(retry)).toBe('AWAITING_APPROVAL');
  });
});
