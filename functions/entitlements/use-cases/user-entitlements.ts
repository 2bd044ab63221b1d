import { getTenantUser, type UserPages } from '../../identity/use-cases/admin-users';
import type { BundleRepository } from '../adapters/bundle-repository';
import type { EntitlementRepository } from '../adapters/entitlement-repository';
import { describeEntitlements, type UserEntitlements } from '../domain/entitlement-view';

/**
 * `GET /v1/admin/users/{userId}/entitlements`: every bundle grant of a user of the caller's tenant
 * with its validity; a user of another tenant, or none, is not found (USER_NOT_FOUND).
 */
export async function listUserEntitlements(
  deps: {
    readonly directory: Pick<UserPages, 'getUser'>;
    readonly entitlements: Pick<EntitlementRepository, 'listForUser'>;
    readonly bundles: Pick<BundleRepository, 'list'>;
    readonly now: () => Date;
  },
  tenantId: string,
  userId: string,
): Promise<UserEntitlements> {
  // All three are keyed by the tenant, so reading them side by side reveals nothing of another's.
  const [, entitlements, bundles] = await Promise.all([
    getTenantUser(deps, tenantId, userId),
    deps.entitlements.listForUser(tenantId, userId),
    deps.bundles.list(tenantId),
  ]);
  const names = new Map(bundles.map((bundle) => [bundle.bundleId, bundle.name]));
  return { userId, items: describeEntitlements(entitlements, names, deps.now()) };
}
