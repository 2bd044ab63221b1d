import type { Entitlement } from '../../../../functions/entitlements/domain/entitlement';

/** An ACTIVE direct grant of a bundle to u_1 of tenant acme, valid through November 2026. */
export function entitlementOf(bundleId: string, overrides: Partial<Entitlement> = {}): Entitlement {
  return {
    tenantId: 'acme',
    entitlementId: `e_${bundleId}`,
    userId: 'u_1',
    bundleId,
    scope: 'tenant',
    risk: 'low',
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2026-12-01T00:00:00Z',
    source: { type: 'direct' },
    status: 'ACTIVE',
    approvalChain: [],
    grantedBy: 'u_admin',
    createdAt: '2026-11-01T00:00:00Z',
    updatedAt: '2026-11-01T00:00:00Z',
    ...overrides,
  };
}
