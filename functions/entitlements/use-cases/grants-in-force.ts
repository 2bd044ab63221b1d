import type { EntitlementGrants } from '../../identity/use-cases/resolve-principal';
import type { BundleRepository } from '../adapters/bundle-repository';
import type { EntitlementRepository } from '../adapters/entitlement-repository';
import { isInForce } from '../domain/entitlement';

/** Bundle definitions change rarely; every request of a tenant reads them from memory for this long. */
const BUNDLES_TTL_MS = 30_000;

/**
 * What a user's entitlements grant tenant-wide right now: the roles and permissions of the
 * bundles of their ACTIVE entitlements in the `tenant` scope whose window holds `now`. An
 * entitlement pending approval, expired, revoked or rejected grants nothing; so does one of a
 * bundle deleted since (its grants went with it).
 */
export function entitlementGrants(deps: {
  readonly entitlements: Pick<EntitlementRepository, 'listForUser'>;
  readonly bundles: Pick<BundleRepository, 'list'>;
  readonly clock?: () => number;
}): EntitlementGrants {
  const clock = deps.clock ?? Date.now;
  const bundlesByTenant = new Map<
    string,
    { readonly loadedAt: number; readonly bundles: ReturnType<BundleRepository['list']> }
  >();
  const bundlesOf = (tenantId: string) => {
    const cached = bundlesByTenant.get(tenantId);
    if (cached && clock() - cached.loadedAt < BUNDLES_TTL_MS) return cached.bundles;
    const bundles = deps.bundles.list(tenantId);
    bundlesByTenant.set(tenantId, { loadedAt: clock(), bundles });
    bundles.catch(() => bundlesByTenant.delete(tenantId));
    return bundles;
  };
  return {
    async inForce(tenantId, userId, now) {
      const entitlements = await deps.entitlements.listForUser(tenantId, userId);
      const bundleIds = new Set(
        entitlements
          .filter((entitlement) => entitlement.scope === 'tenant' && isInForce(entitlement, now))
          .map((entitlement) => entitlement.bundleId),
      );
      if (bundleIds.size === 0) return { roles: [], permissions: [] };
      const granted = (await bundlesOf(tenantId)).filter((bundle) => bundleIds.has(bundle.bundleId));
      return {
        roles: [...new Set(granted.flatMap((bundle) => bundle.roles))],
        permissions: [...new Set(granted.flatMap((bundle) => bundle.permissions))],
      };
    },
  };
}
