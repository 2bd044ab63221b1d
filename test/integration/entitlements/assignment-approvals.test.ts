import { describe, expect, it } from 'vitest';
import { EntitlementRepository } from '../../../functions/entitlements/adapters/entitlement-repository';
import {
  approvalOfAssignment,
  decide,
  emailsTo,
  eventsOf,
  listApprovals,
  runApprovalSweep,
  wholeSecondAfter,
} from '../approvals/approval-support';
import { documentClient, errorCode, principal, TABLE_NAME } from '../support/api';
import { canManageBundles, startAssignment, tenantWithBundles, waitForStatus } from './assign-support';

const entitlements = new EntitlementRepository(documentClient(), TABLE_NAME);
const MINUTE = 60_000;
const DAY = 86_400_000;
const FINAL = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'REJECTED', 'FAILED'];

describe('the approval of a high-risk batch assignment', () => {
  it('refuses its requester, reminds after the SLA, and expires unanswered rejecting every grant', async () => {
    // The admin who asks holds security_approver too.
    const { tenantId, admin, email } = await tenantWithBundles('assignexpire');
    const members = [await principal(tenantId, email('ann')), await principal(tenantId, email('bob'))];
    const approver = await principal(tenantId, email('sec'), ['security_approver']);
    const { assignmentId } = await startAssignment(admin.token, {
      members: [email('ann'), email('bob')],
      bundles: ['bundle-admin-high'],
      validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
      justification: 'Migrating the bundle catalogue',
    });
    const waiting = await waitForStatus(admin.token, assignmentId, ['AWAITING_APPROVAL', ...FINAL]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');
    const approval = await approvalOfAssignment(approver, assignmentId);
    expect(approval).toMatchObject({
      risk: 'high',
      approverRole: 'security_approver',
      requestedBy: admin.userId,
      grants: 2,
    });

    const own = await decide(admin, approval.approvalId, { decision: 'APPROVE', justification: 'Mine.' });
    expect(own.status).toBe(403);
    expect(errorCode(own)).toBe('SELF_APPROVAL');
    expect(await listApprovals(admin)).not.toContainEqual(
      expect.objectContaining({ approvalId: approval.approvalId }),
    );

    const createdAt = new Date(approval.createdAt).getTime();
    expect((await runApprovalSweep(tenantId, new Date(createdAt + 29 * MINUTE))).reminded).toBe(0);
    expect((await runApprovalSweep(tenantId, wholeSecondAfter(createdAt + 31 * MINUTE))).reminded).toBe(1);
    expect((await runApprovalSweep(tenantId, new Date(createdAt + 40 * MINUTE))).reminded).toBe(0);
    const escalated = await eventsOf(tenantId, 'iam.approval.escalated');
    expect(escalated.map((event) => event.detail.data)).toEqual([
      expect.objectContaining({ approvalId: approval.approvalId, waitingMinutes: 31 }),
    ]);
    const reminders = (await emailsTo(email('sec'))).filter((mail) => mail.subject.startsWith('Reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain(approval.approvalId);

    const expiredAt = wholeSecondAfter(new Date(approval.expiresAt).getTime());
    expect((await runApprovalSweep(tenantId, expiredAt)).expired).toBe(1);
    const done = await waitForStatus(admin.token, assignmentId, FINAL);
    expect(done.status).toBe('REJECTED');
    expect(done.counts).toMatchObject({ grants: 2, rejected: 2, granted: 0 });
    expect(done.approvalChain).toEqual([
      expect.objectContaining({ approvalId: approval.approvalId, decision: 'EXPIRED' }),
    ]);
    for (const member of done.members) {
      expect(member.bundles).toEqual([
        expect.objectContaining({ outcome: 'rejected', reason: expect.stringContaining('maximum wait') }),
      ]);
    }
    for (const member of members) {
      expect(await entitlements.listForUser(tenantId, member.userId)).toEqual([
        expect.objectContaining({
          status: 'REJECTED',
          approvalChain: [expect.objectContaining({ decision: 'EXPIRED' })],
        }),
      ]);
      expect(await canManageBundles(member.token)).toBe(false);
    }
    const rejected = await eventsOf(tenantId, 'iam.permission.rejected');
    expect(rejected.map((event) => event.detail.data.userId).sort()).toEqual(
      members.map((member) => member.userId).sort(),
    );
    expect(rejected.map((event) => event.detail.data.reason)).toEqual([
      'approval_expired',
      'approval_expired',
    ]);
    expect((await eventsOf(tenantId, 'iam.approval.decided'))[0]?.detail.data).toMatchObject({
      approvalId: approval.approvalId,
      decision: 'EXPIRED',
    });
  });
});
