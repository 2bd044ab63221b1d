import { describe, expect, it } from 'vitest';
import type { Bundle } from '../../../../functions/entitlements/domain/bundle';
import type { Entitlement } from '../../../../functions/entitlements/domain/entitlement';
import { entitlementGrants } from '../../../../functions/entitlements/use-cases/grants-in-force';

import { entitlementOf } from '../support/entitlement';

const NOW = new Date('2026-11-22T10:00:00Z');

const bundle = (bundleId: string, roles: string[], permissions: Bundle['permissions'] = []): Bundle => ({
  tenantId: 'acme',
  bundleId,
  name: bundleId,
  description: '',
  roles,
  permissions,
  risk: 'low',
  incompatibleWith: [],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  version: 1,
});

function grantsOf(entitlements: Entitlement[], bundles: Bundle[], clock = () => 0) {
  let bundleReads = 0;
  const grants = entitlementGrants({
    entitlements: { listForUser: async () => entitlements },
    bundles: {
      list: async () => {
        bundleReads += 1;
        return bundles;
      },
    },
    clock,
  });
  return { grants, bundleReads: () => bundleReads };
}

describe('entitlementGrants', () => {
  it('grants the roles and permissions of ACTIVE tenant-scope entitlements inside their window only', async () => {
    const { grants } = grantsOf(
      [
        entitlementOf('ops'),
        entitlementOf('pending', { status: 'PENDING_APPROVAL' }),
        entitlementOf('revoked', { status: 'REVOKED' }),
        entitlementOf('expired', { validUntil: '2026-11-22T09:59:59Z' }),
        entitlementOf('future', { validFrom: '2026-11-23T00:00:00Z' }),
        entitlementOf('project', { scope: 'project:atlas' }),
        entitlementOf('deleted-bundle'),
        entitlementOf('unreadable-start', { validFrom: 'soon' }),
      ],
      [
        bundle('ops', ['operator'], ['bundles.manage']),
        bundle('pending', ['tenant_admin']),
        bundle('revoked', ['tenant_admin']),
        bundle('expired', ['tenant_admin']),
        bundle('future', ['tenant_admin']),
        bundle('project', ['tenant_admin']),
        bundle('unreadable-start', ['tenant_admin']),
      ],
    );
    expect(await grants.inForce('acme', 'u_1', NOW)).toEqual({
      roles: ['operator'],
      permissions: ['bundles.manage'],
    });
  });

  it('reads no bundles for a user without entitlements in force, and caches them briefly per tenant', async () => {
    let now = 0;
    const none = grantsOf([entitlementOf('ops', { status: 'EXPIRED' })], [bundle('ops', ['operator'])]);
    expect(await none.grants.inForce('acme', 'u_1', NOW)).toEqual({ roles: [], permissions: [] });
    expect(none.bundleReads()).toBe(0);

    const some = grantsOf([entitlementOf('ops')], [bundle('ops', ['operator'])], () => now);
    await some.grants.inForce('acme', 'u_1', NOW);
    await some.grants.inForce('acme', 'u_1', NOW);
    expect(some.bundleReads()).toBe(1);
    now = 30_000;
    await some.grants.inForce('acme', 'u_1', NOW);
    expect(some.bundleReads()).toBe(2);
  });
});
