import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EntitlementRepository } from '../../../functions/entitlements/adapters/entitlement-repository';
import { call, documentClient, errorCode, principal, TABLE_NAME } from '../support/api';
import {
  ASSIGN,
  canManageBundles,
  emailsArrivedTo,
  startAssignment,
  tenantEvents,
  tenantWithBundles,
  waitForStatus,
} from './assign-support';

const entitlements = new EntitlementRepository(documentClient(), TABLE_NAME);
const DAY = 86_400_000;
const FINAL = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'REJECTED', 'FAILED'];

async function pendingApprovalOf(token: string, assignmentId: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await call('GET', '/internal/approvals?status=PENDING', { token });
    expect(response.status, response.text).toBe(200);
    const { items } = z
      .object({
        items: z.array(
          z.object({ approvalId: z.string(), subject: z.object({ assignmentId: z.string().optional() }) }),
        ),
      })
      .parse(response.body);
    const approval = items.find((item) => item.subject.assignmentId === assignmentId);
    if (approval) return approval.approvalId;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no pending approval for ${assignmentId}`);
}

describe('POST /internal/iam/roles/batch-assign', () => {
  it('grants a low-risk bundle to 100 members without an approval, with events and emails', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('assign100');
    const members = await Promise.all(
      Array.from({ length: 100 }, (_, index) => principal(tenantId, email(`m${index}`))),
    );
    expect(await canManageBundles(members[0]?.token ?? '')).toBe(false);

    const started = await startAssignment(admin.token, {
      members: members.map((_, index) => email(`m${index}`)),
      bundles: ['bundle-admin'],
    });
    expect(started).toMatchObject({ assignmentId: expect.stringMatching(/^asg_/), status: 'QUEUED' });
    const done = await waitForStatus(admin.token, started.assignmentId, FINAL);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      requiresApproval: false,
      risk: 'medium',
      approvalChain: [],
    });
    expect(done.counts).toMatchObject({ members: 100, grants: 100, granted: 100, failed: 0, merged: 0 });
    expect(done.members.every((member) => member.outcome === 'granted')).toBe(true);

    const held = await entitlements.listForUser(tenantId, members[7]?.userId ?? '');
    expect(held).toEqual([
      expect.objectContaining({
        status: 'ACTIVE',
        bundleId: 'bundle-admin',
        source: { type: 'batch_assign', assignmentId: started.assignmentId },
        grantedBy: admin.userId,
      }),
    ]);
    expect(await canManageBundles(members[7]?.token ?? '')).toBe(true);

    const granted = await tenantEvents(tenantId, 'iam.permission.granted');
    expect(granted).toHaveLength(100);
    expect(granted[0]?.detail.data).toMatchObject({
      grant: { type: 'bundle', bundleId: 'bundle-admin', scope: 'tenant' },
      source: { type: 'batch_assign', assignmentId: started.assignmentId },
      approvalChain: [],
      validFrom: expect.any(String),
    });
    expect(await emailsArrivedTo(email('m42'), 1)).toHaveLength(1);
    const summaries = await emailsArrivedTo(email('admin'), 1, started.assignmentId);
    expect(summaries).toHaveLength(1);
  }, 120_000);

  it('merges duplicate members, duplicate bundles and grants already held; a repeated POST is the same assignment', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('assigndup');
    const ann = await principal(tenantId, email('ann'));
    const bob = await principal(tenantId, email('bob'));
    const now = new Date().toISOString();
    await entitlements.putAll([
      {
        tenantId,
        entitlementId: 'e_held',
        userId: bob.userId,
        bundleId: 'viewer',
        scope: 'tenant',
        risk: 'low',
        validFrom: now,
        source: { type: 'direct' },
        status: 'ACTIVE',
        approvalChain: [],
        grantedBy: admin.userId,
        createdAt: now,
        updatedAt: now,
      },
    ]);
    const body = { members: [email('ann'), ann.userId, email('bob')], bundles: ['viewer', 'viewer'] };
    const headers = { 'idempotency-key': `dup-${tenantId}` };
    const started = await startAssignment(admin.token, body, headers);
    expect(await startAssignment(admin.token, body, headers)).toMatchObject({
      assignmentId: started.assignmentId,
    });
    const reused = await call('POST', ASSIGN, {
      token: admin.token,
      body: { ...body, bundles: ['viewer'] },
      headers,
    });
    expect(reused.status).toBe(409);
    expect(errorCode(reused)).toBe('IDEMPOTENCY_KEY_REUSED');

    const done = await waitForStatus(admin.token, started.assignmentId, FINAL);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ members: 3, grants: 1, granted: 1, merged: 2 });
    expect(done.members.map((member) => [member.member, member.outcome])).toEqual([
      [email('ann'), 'granted'],
      [ann.userId, 'merged'],
      [email('bob'), 'merged'],
    ]);
    expect(done.members[2]?.bundles[0]?.reason).toMatch(/already holds/);
    expect(done.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['DUPLICATE_BUNDLE', 'DUPLICATE_MEMBER', 'ALREADY_HELD']),
    );
    expect(await entitlements.listForUser(tenantId, ann.userId)).toHaveLength(1);
    expect(await entitlements.listForUser(tenantId, bob.userId)).toEqual([
      expect.objectContaining({ entitlementId: 'e_held', source: { type: 'direct' } }),
    ]);
  });

  it('refuses a separation-of-duties conflict that validate reports: 422 with the findings', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('assignsod');
    await principal(tenantId, email('ann'));
    const body = {
      members: [email('ann')],
      bundles: ['payments-create', 'bundle-admin-high'],
      validUntil: new Date(Date.now() + 10 * DAY).toISOString(),
      justification: 'Quarter close',
    };
    const validated = await call('POST', `${ASSIGN}/validate`, { token: admin.token, body });
    expect(validated.status).toBe(200);
    expect(JSON.stringify(validated.body)).toContain('SOD_CONFLICT');

    const refused = await call('POST', ASSIGN, { token: admin.token, body });
    expect(refused.status, refused.text).toBe(422);
    expect(errorCode(refused)).toBe('ASSIGNMENT_REFUSED');
    expect(refused.body).toMatchObject({
      error: { details: [expect.objectContaining({ code: 'SOD_CONFLICT', path: 'body.members' })] },
    });
    expect(
      await entitlements.listForUser(tenantId, (await principal(tenantId, email('ann'))).userId),
    ).toEqual([]);
  });

  it('answers 404 for an assignment of another tenant, and 422 for a bad body', async () => {
    const { admin, email } = await tenantWithBundles('assign404');
    const other = await tenantWithBundles('assign404b');
    await principal(other.tenantId, other.email('ann'));
    const started = await startAssignment(other.admin.token, {
      members: [other.email('ann')],
      bundles: ['viewer'],
    });
    const foreign = await call('GET', `${ASSIGN}/${started.assignmentId}`, { token: admin.token });
    expect(foreign.status).toBe(404);
    expect(errorCode(foreign)).toBe('ASSIGNMENT_NOT_FOUND');
    const bad = await call('POST', ASSIGN, {
      token: admin.token,
      body: { members: [email('x')], approval: 'skip' },
    });
    expect(bad.status).toBe(422);
  });
});

describe('batch assignment with an approval', () => {
  async function highRiskAssignment(label: string) {
    const setup = await tenantWithBundles(label);
    const ann = await principal(setup.tenantId, setup.email('ann'));
    const approver = await principal(setup.tenantId, setup.email('sec'), ['security_approver']);
    const started = await startAssignment(setup.admin.token, {
      members: [setup.email('ann')],
      bundles: ['bundle-admin-high'],
      validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
      justification: 'Migrating the bundle catalogue',
    });
    const waiting = await waitForStatus(setup.admin.token, started.assignmentId, [
      'AWAITING_APPROVAL',
      ...FINAL,
    ]);
    expect(waiting).toMatchObject({
      status: 'AWAITING_APPROVAL',
      risk: 'high',
      approverRole: 'security_approver',
    });
    expect(await entitlements.listForUser(setup.tenantId, ann.userId)).toEqual([
      expect.objectContaining({ status: 'PENDING_APPROVAL' }),
    ]);
    expect(await canManageBundles(ann.token)).toBe(false);
    expect(await tenantEvents(setup.tenantId, 'iam.permission.pending_approval')).toHaveLength(1);
    const approvalId = await pendingApprovalOf(approver.token, started.assignmentId);
    return { ...setup, ann, approver, assignmentId: started.assignmentId, approvalId };
  }

  it('waits for a security approver, then activates with the justification in the chain', async () => {
    const { tenantId, admin, ann, approver, assignmentId, approvalId } =
      await highRiskAssignment('assignhigh');
    const decided = await call('POST', `/internal/approvals/${approvalId}/decision`, {
      token: approver.token,
      body: { decision: 'APPROVE', justification: 'Approved for the migration' },
    });
    expect(decided.status, decided.text).toBe(200);

    const done = await waitForStatus(admin.token, assignmentId, FINAL);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvalChain).toEqual([
      expect.objectContaining({
        approvalId,
        decision: 'APPROVED',
        decidedBy: approver.userId,
        justification: 'Approved for the migration',
      }),
    ]);
    const [grant] = await entitlements.listForUser(tenantId, ann.userId);
    expect(grant).toMatchObject({
      status: 'ACTIVE',
      approvalChain: [expect.objectContaining({ approvalId })],
    });
    expect(await canManageBundles(ann.token)).toBe(true);
    const [granted] = await tenantEvents(tenantId, 'iam.permission.granted');
    expect(granted?.detail.data).toMatchObject({
      approvalChain: [expect.objectContaining({ decision: 'APPROVED' })],
      validUntil: expect.any(String),
    });
  });

  it('records a rejection on each grant with the justification; RBAC gives nothing', async () => {
    const { tenantId, admin, ann, approver, assignmentId, approvalId } =
      await highRiskAssignment('assignrej');
    const decided = await call('POST', `/internal/approvals/${approvalId}/decision`, {
      token: approver.token,
      body: { decision: 'REJECT', justification: 'Not needed for this role' },
    });
    expect(decided.status, decided.text).toBe(200);

    const done = await waitForStatus(admin.token, assignmentId, FINAL);
    expect(done.status).toBe('REJECTED');
    expect(done.counts).toMatchObject({ rejected: 1, granted: 0 });
    expect(done.members[0]?.bundles[0]).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringContaining('Not needed for this role'),
    });
    expect(await entitlements.listForUser(tenantId, ann.userId)).toEqual([
      expect.objectContaining({
        status: 'REJECTED',
        approvalChain: [
          expect.objectContaining({ decision: 'REJECTED', justification: 'Not needed for this role' }),
        ],
      }),
    ]);
    expect(await canManageBundles(ann.token)).toBe(false);
    const rejected = await tenantEvents(tenantId, 'iam.permission.rejected');
    expect(rejected.map((event) => event.detail.data.reason)).toEqual(['rejected']);
  });
});
