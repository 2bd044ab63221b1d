import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EntitlementRepository } from '../../../functions/entitlements/adapters/entitlement-repository';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { newId } from '../../../functions/identity/domain/ids';
import { call, documentClient, principal, TABLE_NAME, uniqueTenant } from '../support/api';

const VALIDATE = '/internal/iam/roles/batch-assign/validate';
const entitlements = new EntitlementRepository(documentClient(), TABLE_NAME);
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const assessmentSchema = z.object({
  risk: z.enum(['low', 'medium', 'high']),
  requiresApproval: z.boolean(),
  approverRole: z.enum(['security_approver', 'tenant_admin']),
  allowed: z.boolean(),
  findings: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['blocking', 'warning', 'merged']),
      member: z.string().optional(),
      bundleId: z.string().optional(),
      message: z.string().min(1),
      suggestion: z.string().min(1),
    }),
  ),
  grants: z.array(z.object({ userId: z.string(), member: z.string(), bundleId: z.string() })),
  merged: z.array(z.object({ code: z.string() })),
  suggestions: z.array(z.string()),
});

async function tenantWithBundles() {
  const tenantId = uniqueTenant('assign');
  // Holds what the high-risk bundle grants: nobody defines a bundle beyond their own permissions.
  const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin', 'security_approver']);
  const bundles = [
    { bundleId: 'viewer', name: 'Viewer', roles: ['member'], risk: 'low' },
    { bundleId: 'payments-create', name: 'Create payments', roles: ['operator'], risk: 'medium' },
    {
      bundleId: 'payments-approve',
      name: 'Approve payments',
      roles: ['security_approver'],
      risk: 'high',
      maxDurationDays: 30,
      incompatibleWith: ['payments-create'],
    },
  ];
  for (const bundle of bundles) {
    const created = await call('POST', '/internal/iam/bundles', { token: admin.token, body: bundle });
    expect(created.status, created.text).toBe(201);
  }
  const ann = await principal(tenantId, 'ann@acme.test');
  const bob = await principal(tenantId, 'bob@acme.test');
  return { tenantId, admin, ann, bob };
}

async function validate(token: string, body: unknown) {
  const response = await call('POST', VALIDATE, { token, body });
  expect(response.status, response.text).toBe(200);
  return assessmentSchema.parse(response.body);
}

const codes = (assessment: z.infer<typeof assessmentSchema>) =>
  assessment.findings.map((finding) => [finding.code, finding.member ?? null, finding.bundleId ?? null]);

describe('POST /internal/iam/roles/batch-assign/validate', () => {
  it('merges duplicates and grants already held, and plans each remaining grant once', async () => {
    const { tenantId, admin, ann, bob } = await tenantWithBundles();
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
    const assessment = await validate(admin.token, {
      members: [ann.userId, 'ANN@acme.test', 'bob@acme.test'],
      bundles: ['viewer', 'viewer'],
    });
    expect(assessment).toMatchObject({ risk: 'low', requiresApproval: false, allowed: true });
    expect(assessment.grants).toEqual([{ userId: ann.userId, member: ann.userId, bundleId: 'viewer' }]);
    expect(assessment.merged.map((finding) => finding.code).sort()).toEqual([
      'ALREADY_HELD',
      'DUPLICATE_BUNDLE',
      'DUPLICATE_MEMBER',
    ]);
  });

  it('reports a separation-of-duties conflict, a missing end date, unknown members and a self grant', async () => {
    const { admin, ann } = await tenantWithBundles();
    const assessment = await validate(admin.token, {
      members: [ann.userId, 'ghost@acme.test', admin.userId],
      bundles: ['payments-create', 'payments-approve'],
      justification: 'Quarter-end close',
    });
    expect(assessment).toMatchObject({ risk: 'high', approverRole: 'security_approver', allowed: false });
    const found = codes(assessment);
    expect(found).toContainEqual(['SOD_CONFLICT', ann.userId, 'payments-create']);
    expect(found).toContainEqual(['NO_END_DATE', null, 'payments-approve']);
    expect(found).toContainEqual(['UNKNOWN_MEMBER', 'ghost@acme.test', null]);
    expect(found).toContainEqual(['SELF_GRANT', admin.userId, null]);
    for (const finding of assessment.findings) expect(finding.suggestion).not.toBe('');
  });

  it('asks a security approver for a high-risk grant within its bounds', async () => {
    const { admin, ann } = await tenantWithBundles();
    const validUntil = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const assessment = await validate(admin.token, {
      members: [ann.userId],
      bundles: ['payments-approve'],
      validUntil,
      justification: 'Covering for the finance lead',
    });
    expect(assessment).toMatchObject({
      risk: 'high',
      requiresApproval: true,
      approverRole: 'security_approver',
      allowed: true,
    });
    expect(assessment.grants).toEqual([
      { userId: ann.userId, member: ann.userId, bundleId: 'payments-approve' },
    ]);
  });

  it("flags a grant few of the member's peers hold, and sends it to an approver", async () => {
    const { tenantId, admin } = await tenantWithBundles();
    const now = new Date().toISOString();
    const team = Array.from({ length: 6 }, (_, index) => ({
      tenantId,
      userId: newId('u'),
      email: `sales${index}@acme.test`,
      department: 'Sales',
      jobFamily: 'Account executive',
      status: 'ACTIVE' as const,
      roles: ['member'],
      groups: [],
      createdAt: now,
      updatedAt: now,
      version: 1,
    }));
    for (const user of team) await directory.createUser(user);
    const assessment = await validate(admin.token, {
      members: ['sales0@acme.test'],
      bundles: ['payments-create'],
    });
    expect(codes(assessment)).toContainEqual(['WIDER_THAN_PEERS', 'sales0@acme.test', 'payments-create']);
    expect(assessment).toMatchObject({
      risk: 'medium',
      requiresApproval: true,
      approverRole: 'tenant_admin',
    });
  });

  it('refuses callers who may not assign roles, and malformed requests', async () => {
    const { ann, admin } = await tenantWithBundles();
    const forbidden = await call('POST', VALIDATE, {
      token: ann.token,
      body: { members: [ann.userId], bundles: ['viewer'] },
    });
    expect(forbidden.status).toBe(403);
    const malformed = await call('POST', VALIDATE, {
      token: admin.token,
      body: { members: [], bundles: ['viewer'] },
    });
    expect(malformed.status).toBe(422);
  });
});
