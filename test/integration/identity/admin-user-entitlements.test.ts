import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startAssignment, tenantWithBundles, waitForStatus } from '../entitlements/assign-support';
import { call, errorCode, type Principal, principal, uniqueTenant } from '../support/api';

const DAY = 86_400_000;
const FINAL = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'REJECTED', 'FAILED'];
const entitlementsOf = (userId: string) => `/v1/admin/users/${encodeURIComponent(userId)}/entitlements`;

const viewSchema = z.strictObject({
  entitlementId: z.string(),
  bundleId: z.string(),
  bundleName: z.string().optional(),
  scope: z.string(),
  status: z.enum(['PENDING_APPROVAL', 'ACTIVE', 'EXPIRED', 'REVOKED', 'REJECTED']),
  inForce: z.boolean(),
  risk: z.enum(['low', 'medium', 'high']),
  validFrom: z.string(),
  validUntil: z.string().optional(),
  source: z.union([
    z.strictObject({ type: z.literal('batch_assign'), assignmentId: z.string() }),
    z.strictObject({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number() }),
    z.strictObject({ type: z.literal('direct') }),
  ]),
  grantedBy: z.string(),
  approvalChain: z.array(z.unknown()),
  grantedAt: z.string(),
  updatedAt: z.string(),
});
const listingSchema = z.strictObject({ userId: z.string(), items: z.array(viewSchema) });

describe('GET /v1/admin/users/{userId}/entitlements', () => {
  let admin: Principal;
  let member: Principal;
  let tenantId: string;
  let activeAssignment: string;
  let pendingAssignment: string;
  let activeUntil: string;
  let pendingUntil: string;

  beforeAll(async () => {
    const tenant = await tenantWithBundles('userents');
    ({ tenantId, admin } = tenant);
    member = await principal(tenantId, tenant.email('ann'));
    activeUntil = new Date(Date.now() + 12 * DAY).toISOString();
    const active = await startAssignment(admin.token, {
      members: [tenant.email('ann')],
      bundles: ['viewer'],
      validUntil: activeUntil,
    });
    activeAssignment = active.assignmentId;
    expect((await waitForStatus(admin.token, activeAssignment, FINAL)).status).toBe('COMPLETED');
    pendingUntil = new Date(Date.now() + 20 * DAY).toISOString();
    const pending = await startAssignment(admin.token, {
      members: [tenant.email('ann')],
      bundles: ['bundle-admin-high'],
      validUntil: pendingUntil,
      justification: 'Covering the catalogue migration',
    });
    pendingAssignment = pending.assignmentId;
    const waiting = await waitForStatus(admin.token, pendingAssignment, ['AWAITING_APPROVAL', ...FINAL]);
    expect(waiting.status).toBe('AWAITING_APPROVAL');
  }, 60_000);

  it('shows a grant of a batch assignment with its expiry, and a grant awaiting approval as pending', async () => {
    const response = await call('GET', entitlementsOf(member.userId), { token: admin.token });
    expect(response.status, response.text).toBe(200);
    const listing = listingSchema.parse(response.body);
    expect(listing.userId).toBe(member.userId);
    expect(listing.items).toEqual([
      expect.objectContaining({
        bundleId: 'viewer',
        bundleName: 'Viewer',
        scope: 'tenant',
        status: 'ACTIVE',
        inForce: true,
        risk: 'low',
        source: { type: 'batch_assign', assignmentId: activeAssignment },
        grantedBy: admin.userId,
      }),
      expect.objectContaining({
        bundleId: 'bundle-admin-high',
        bundleName: 'Bundle admin (high)',
        status: 'PENDING_APPROVAL',
        inForce: false,
        risk: 'high',
        source: { type: 'batch_assign', assignmentId: pendingAssignment },
      }),
    ]);
    expect(Date.parse(listing.items[0]?.validUntil ?? '')).toBe(Date.parse(activeUntil));
    expect(Date.parse(listing.items[1]?.validUntil ?? '')).toBe(Date.parse(pendingUntil));
  });

  it('answers an empty list for a user holding no grant', async () => {
    const response = await call('GET', entitlementsOf(admin.userId), { token: admin.token });
    expect(response.status, response.text).toBe(200);
    expect(listingSchema.parse(response.body)).toEqual({ userId: admin.userId, items: [] });
  });

  it('answers 404 USER_NOT_FOUND for an unknown user and for a user of another tenant', async () => {
    const unknown = await call('GET', entitlementsOf('u_no_such_user'), { token: admin.token });
    expect(unknown.status).toBe(404);
    expect(errorCode(unknown)).toBe('USER_NOT_FOUND');

    const stranger = await principal(uniqueTenant('userents-b'), 'admin@b.test', ['tenant_admin']);
    const across = await call('GET', entitlementsOf(member.userId), { token: stranger.token });
    expect(across.status).toBe(404);
    expect(errorCode(across)).toBe('USER_NOT_FOUND');
  });

  it('refuses a caller without users.read, and answers 422 for an over-long id', async () => {
    const denied = await call('GET', entitlementsOf(admin.userId), { token: member.token });
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe('PERMISSION_DENIED');
    const bad = await call('GET', entitlementsOf('u'.repeat(129)), { token: admin.token });
    expect(bad.status).toBe(422);
  });

  it('answers the same through $batch as called directly', async () => {
    const direct = await call('GET', entitlementsOf(member.userId), { token: admin.token });
    const batched = await call('POST', '/api/v1/$batch', {
      token: admin.token,
      body: { requests: [{ id: 'ents', method: 'GET', url: entitlementsOf(member.userId) }] },
    });
    expect(batched.status, batched.text).toBe(200);
    const answers = z
      .object({ responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown() })) })
      .parse(batched.body).responses;
    expect(answers).toEqual([{ id: 'ents', status: 200, body: direct.body }]);
  });
});
