import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approvalViewSchema } from '../../../functions/approvals/domain/approval-view';
import { pageSchema } from '../../../functions/shared/http/page-token';
import { download, getTask, waitForStatus } from '../bulk-import/import-support';
import { startAssignment, tenantWithBundles } from '../entitlements/assign-support';
import { call, errorCode, principal, uniqueTenant } from '../support/api';
import {
  APPROVALS,
  approvalOfAssignment,
  approvalOfImport,
  decide,
  emailsTo,
  eventsOf,
  importAwaitingApproval,
  listApprovals,
  runApprovalSweep,
  wholeSecondAfter,
} from './approval-support';

const MINUTE = 60_000;

describe('who may decide an approval', () => {
  it('refuses the requester, even one holding the approver role, and lists it only to others', async () => {
    const tenantId = uniqueTenant('self');
    const requester = await principal(tenantId, `both@${tenantId}.test`, [
      'tenant_admin',
      'security_approver',
    ]);
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const taskId = await importAwaitingApproval(requester, tenantId);
    const approval = await approvalOfImport(approver, taskId);

    expect(await listApprovals(requester)).toEqual([]);
    const own = await decide(requester, approval.approvalId, { decision: 'APPROVE', justification: 'Mine.' });
    expect(own.status).toBe(403);
    expect(errorCode(own)).toBe('SELF_APPROVAL');
    expect(await emailsTo(`both@${tenantId}.test`)).not.toContainEqual(
      expect.objectContaining({ subject: expect.stringContaining('Approval needed') }),
    );
    expect((await getTask(requester, taskId)).status).toBe('AWAITING_APPROVAL');
  });

  it('refuses a caller without the approver role (403), who does not see it listed either', async () => {
    const tenantId = uniqueTenant('not-approver');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const otherAdmin = await principal(tenantId, `other@${tenantId}.test`, ['tenant_admin']);
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const taskId = await importAwaitingApproval(admin, tenantId);
    const approval = await approvalOfImport(approver, taskId);

    expect(await listApprovals(otherAdmin)).toEqual([]);
    const refused = await decide(otherAdmin, approval.approvalId, {
      decision: 'REJECT',
      justification: 'No.',
    });
    expect(refused.status).toBe(403);
    expect(errorCode(refused)).toBe('NOT_AN_APPROVER');
    // Another tenant's approver does not even find it.
    const stranger = await principal(uniqueTenant('stranger'), 'approver@elsewhere.test', [
      'security_approver',
    ]);
    const hidden = await decide(stranger, approval.approvalId, { decision: 'APPROVE', justification: 'x' });
    expect(hidden.status).toBe(404);
    expect(errorCode(hidden)).toBe('APPROVAL_NOT_FOUND');
  });

  it('answers bad input with a clear 4xx', async () => {
    const tenantId = uniqueTenant('bad-input');
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const badId = await decide(approver, 'not-an-id', { decision: 'APPROVE' });
    expect(badId.status).toBe(422);
    expect(errorCode(badId)).toBe('VALIDATION_FAILED');
    const badDecision = await decide(approver, `apr_${'0'.repeat(26)}`, { decision: 'MAYBE' });
    expect(badDecision.status).toBe(422);
    const tooLong = await decide(approver, `apr_${'0'.repeat(26)}`, {
      decision: 'APPROVE',
      justification: 'x'.repeat(2001),
    });
    expect(tooLong.status).toBe(422);
    const badStatus = await call('GET', `${APPROVALS}?status=MAYBE`, { token: approver.token });
    expect(badStatus.status).toBe(422);
    const badToken = await call('GET', `${APPROVALS}?nextToken=forged`, { token: approver.token });
    expect(badToken.status).toBe(400);
    expect(errorCode(badToken)).toBe('INVALID_NEXT_TOKEN');
  });
});

describe('what an approver is shown', () => {
  /** The pending list as the route answers it, held to the published schema with no field beyond it. */
  async function publishedList(token: string) {
    const response = await call('GET', APPROVALS, { token });
    expect(response.status, response.text).toBe(200);
    const page = pageSchema(z.strictObject(approvalViewSchema.shape)).strict().safeParse(response.body);
    expect(page.error).toBeUndefined();
    return page.data?.items ?? [];
  }

  it("an import's approval note reaches the approver, in the published shape", async () => {
    const tenantId = uniqueTenant('note');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const note = 'Boss starts Monday; HR ticket 4711.';
    const taskId = await importAwaitingApproval(admin, tenantId, note);
    const approval = await approvalOfImport(approver, taskId);

    expect(approval).toMatchObject({ note, findings: [], findingCount: 0 });
    expect(await publishedList(approver.token)).toEqual([
      expect.objectContaining({ approvalId: approval.approvalId, note }),
    ]);
  });

  it("a batch assignment's justification and findings reach the approver", async () => {
    const { tenantId, admin, email } = await tenantWithBundles('assignnote');
    await principal(tenantId, email('ann'));
    const approver = await principal(tenantId, email('sec'), ['security_approver']);
    const { assignmentId } = await startAssignment(admin.token, {
      members: [email('ann'), email('ann')],
      bundles: ['bundle-admin-high'],
      validUntil: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      justification: 'Ann migrates the bundle catalogue',
    });
    const approval = await approvalOfAssignment(approver, assignmentId);

    expect(approval).toMatchObject({
      risk: 'high',
      grants: 1,
      note: 'Ann migrates the bundle catalogue',
      findingCount: 1,
      findings: [{ code: 'DUPLICATE_MEMBER', severity: 'merged', message: expect.stringContaining('once') }],
    });
    expect(approval.summary).toContain('bundle-admin-high');
    expect(await publishedList(approver.token)).toEqual([
      expect.objectContaining({ approvalId: approval.approvalId }),
    ]);
  });
});

describe('POST /internal/approvals/start', () => {
  it('needs the permission of the subject, a subject of this tenant, and one that waits', async () => {
    const tenantId = uniqueTenant('start');
    const member = await principal(tenantId, `member@${tenantId}.test`, ['member']);
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const subject = { type: 'bulk_import', taskId: `t_${'0'.repeat(26)}`, run: 1 };
    const forbidden = await call('POST', `${APPROVALS}/start`, {
      token: member.token,
      body: { subject, taskToken: 'token' },
    });
    expect(forbidden.status).toBe(403);
    expect(errorCode(forbidden)).toBe('PERMISSION_DENIED');
    const unknown = await call('POST', `${APPROVALS}/start`, {
      token: admin.token,
      body: { subject, taskToken: 'token' },
    });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('SUBJECT_NOT_FOUND');
    const malformed = await call('POST', `${APPROVALS}/start`, {
      token: admin.token,
      body: { subject: { type: 'payroll' }, taskToken: 'token' },
    });
    expect(malformed.status).toBe(422);
  });

  it('refuses another token for a subject that has an approval (409); the real workflow still resumes', async () => {
    const tenantId = uniqueTenant('handover');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const taskId = await importAwaitingApproval(admin, tenantId);
    const approval = await approvalOfImport(approver, taskId);
    const again = await call('POST', `${APPROVALS}/start`, {
      token: admin.token,
      body: { subject: { type: 'bulk_import', taskId, run: 1 }, taskToken: 'a-token-from-elsewhere' },
    });
    expect(again.status, again.text).toBe(409);
    expect(errorCode(again)).toBe('APPROVAL_EXISTS');
    expect(again.text).toContain(approval.approvalId);
    expect(await eventsOf(tenantId, 'iam.approval.requested')).toHaveLength(1);

    const decided = await decide(approver, approval.approvalId, { decision: 'APPROVE', justification: 'ok' });
    expect(decided.status, decided.text).toBe(200);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ grantsApproved: 1, grantsRejected: 0 });
    // Decided, it still hands its outcome to no one else's token.
    const late = await call('POST', `${APPROVALS}/start`, {
      token: admin.token,
      body: { subject: { type: 'bulk_import', taskId, run: 1 }, taskToken: 'a-token-from-elsewhere' },
    });
    expect(late.status, late.text).toBe(409);
    expect(errorCode(late)).toBe('APPROVAL_EXISTS');
  });
});

describe('the approval sweep (fake clock)', () => {
  it('reminds and escalates once past the SLA, then expires the approval and rejects its grants', async () => {
    const tenantId = uniqueTenant('sweep');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
    const taskId = await importAwaitingApproval(admin, tenantId);
    const approval = await approvalOfImport(approver, taskId);
    const createdAt = new Date(approval.createdAt);
    expect(new Date(approval.slaDueAt).getTime() - createdAt.getTime()).toBe(30 * MINUTE);

    // Not yet due: nothing happens to it.
    await runApprovalSweep(tenantId, new Date(createdAt.getTime() + 29 * MINUTE));
    expect(await eventsOf(tenantId, 'iam.approval.escalated')).toEqual([]);
    // A run narrowed to another tenant, even past the SLA, leaves this tenant's approval alone.
    const elsewhere = await runApprovalSweep(
      uniqueTenant('other'),
      new Date(createdAt.getTime() + 31 * MINUTE),
    );
    expect(elsewhere.reminded).toBe(0);
    expect(await eventsOf(tenantId, 'iam.approval.escalated')).toEqual([]);

    const sweptAt = wholeSecondAfter(createdAt.getTime() + 31 * MINUTE);
    expect((await runApprovalSweep(tenantId, sweptAt)).reminded).toBe(1);
    await runApprovalSweep(tenantId, new Date(createdAt.getTime() + 40 * MINUTE));
    const escalated = await eventsOf(tenantId, 'iam.approval.escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]?.detail.data).toMatchObject({ approvalId: approval.approvalId, waitingMinutes: 31 });
    const reminders = (await emailsTo(`approver@${tenantId}.test`)).filter((email) =>
      email.subject.startsWith('Reminder'),
    );
    expect(reminders).toHaveLength(1);
    expect(
      (await emailsTo(`approver@${tenantId}.test`)).filter((email) => email.subject.startsWith('Escalation')),
    ).toHaveLength(1);
    expect((await approvalOfImport(approver, taskId)).remindedAt).toBe(sweptAt.toISOString());

    expect(new Date(approval.expiresAt).getTime() - createdAt.getTime()).toBe(72 * 60 * MINUTE);
    const expiredAt = wholeSecondAfter(new Date(approval.expiresAt).getTime());
    expect((await runApprovalSweep(tenantId, expiredAt)).expired).toBe(1);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ succeeded: 2, pendingApproval: 0, grantsRejected: 1 });
    expect(await download(done.successExportUrl ?? '')).toMatch(/,rejected,/);
    expect(await listApprovals(approver, 'EXPIRED')).toContainEqual(
      expect.objectContaining({ approvalId: approval.approvalId, status: 'EXPIRED' }),
    );
    const decided = (await eventsOf(tenantId, 'iam.approval.decided'))[0]?.detail.data;
    expect(decided).toMatchObject({ decision: 'EXPIRED' });
    expect(decided?.durationSeconds).toBeGreaterThanOrEqual(72 * 3600);
    expect(decided?.durationSeconds).toBeLessThan(72 * 3600 + 1);
    expect((await eventsOf(tenantId, 'iam.permission.rejected'))[0]?.detail.data).toMatchObject({
      reason: 'approval_expired',
    });
    const late = await decide(approver, approval.approvalId, { decision: 'APPROVE', justification: 'Late.' });
    expect(late.status).toBe(409);
    expect(errorCode(late)).toBe('APPROVAL_EXPIRED');
  });
});
