import { describe, expect, it } from 'vitest';
import { EntitlementRepository } from '../../../functions/entitlements/adapters/entitlement-repository';
import type { Entitlement } from '../../../functions/entitlements/domain/entitlement';
import { call, documentClient, principal, TABLE_NAME, uniqueTenant } from '../support/api';

const entitlements = new EntitlementRepository(documentClient(), TABLE_NAME);
const HOUR = 3_600_000;

describe('RBAC and entitlements', () => {
  it('counts an entitlement only while it is ACTIVE and inside its window', async () => {
    const tenantId = uniqueTenant('rbac');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const created = await call('POST', '/internal/iam/bundles', {
      token: admin.token,
      body: {
        bundleId: 'bundle-admin',
        name: 'Bundle admin',
        permissions: ['bundles.manage', 'roles.assign'],
        risk: 'medium',
      },
    });
    expect(created.status, created.text).toBe(201);
    const ann = await principal(tenantId, 'ann@acme.test');
    const canList = async () => (await call('GET', '/internal/iam/bundles', { token: ann.token })).status;
    expect(await canList()).toBe(403);

    const now = Date.now();
    const grant = (overrides: Partial<Entitlement>): Entitlement => ({
      tenantId,
      entitlementId: 'e_rbac',
      userId: ann.userId,
      bundleId: 'bundle-admin',
      scope: 'tenant',
      risk: 'medium',
      validFrom: new Date(now - HOUR).toISOString(),
      validUntil: new Date(now + HOUR).toISOString(),
      source: { type: 'direct' },
      status: 'ACTIVE',
      approvalChain: [],
      grantedBy: admin.userId,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      ...overrides,
    });

    await entitlements.putAll([grant({ status: 'PENDING_APPROVAL' })]);
    expect(await canList()).toBe(403);
    await entitlements.putAll([grant({})]);
    expect(await canList()).toBe(200);
    await entitlements.putAll([grant({ validUntil: new Date(now - 1000).toISOString() })]);
    expect(await canList()).toBe(403);

    // A grant in a project scope gives nothing tenant-wide, even in force.
    const bob = await principal(tenantId, 'bob@acme.test');
    await entitlements.putAll([grant({ userId: bob.userId, scope: 'project:atlas' })]);
    expect((await call('GET', '/internal/iam/bundles', { token: bob.token })).status).toBe(403);
  });
});
