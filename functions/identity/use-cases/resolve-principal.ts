import { ForbiddenError } from '../../shared/errors';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { RoleCatalog } from '../adapters/role-catalog';
import type { Permission } from '../domain/permissions';
import { type EffectiveAccess, effectiveAccess } from '../domain/rbac';
import type { User } from '../domain/user';

/**
 * The caller as the authorizer settled them (use-cases/settle-identity.ts): their token's tenant
 * and, when the directory knows their identity, the user it belongs to.
 */
export interface SettledIdentity {
  readonly tenantId: string;
  readonly userId?: string;
}

/** The caller of a request, resolved from its verified identity to a directory user. */
export interface Principal {
  readonly user: User;
  readonly access: EffectiveAccess;
}

/** What a user's entitlements in force grant tenant-wide, now (the entitlements capability answers). */
export interface EntitlementGrants {
  inForce(
    tenantId: string,
    userId: string,
    now: Date,
  ): Promise<{ readonly roles: readonly string[]; readonly permissions: readonly Permission[] }>;
}

export interface ResolvePrincipalDeps {
  /** Reads only: a route may be granted no write (config/routes.ts), so first sign-in is the authorizer's. */
  readonly directory: Pick<DirectoryRepository, 'getUser' | 'getGroups'>;
  readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
  readonly grants: EntitlementGrants;
  readonly clock: () => Date;
}

/**
 * Loads the user the authorizer settled the caller as, within the token's own tenant, with what
 * they may do. An identity the directory does not know is refused, and so is a deactivated user,
 * whatever roles they still hold.
 */
export async function resolvePrincipal(
  deps: ResolvePrincipalDeps,
  identity: SettledIdentity,
): Promise<Principal> {
  const user = identity.userId ? await deps.directory.getUser(identity.tenantId, identity.userId) : undefined;
  if (!user) {
    throw new ForbiddenError(
      'PRINCIPAL_NOT_PROVISIONED',
      'Your identity is not linked to a user of this tenant. Ask a tenant administrator to invite you.',
    );
  }
  if (user.status === 'DEACTIVATED') {
    throw new ForbiddenError(
      'ACCOUNT_DEACTIVATED',
      'This account is deactivated. Ask a tenant administrator.',
    );
  }
  const [groups, catalog, granted] = await Promise.all([
    user.groups.length > 0 ? deps.directory.getGroups(identity.tenantId, user.groups) : Promise.resolve([]),
    deps.roleCatalog.roles(),
    deps.grants.inForce(identity.tenantId, user.userId, deps.clock()),
  ]);
  const access = effectiveAccess(
    {
      status: user.status,
      directRoles: user.roles,
      groupRoles: groups.flatMap((group) => group.roles),
      granted,
    },
    catalog,
  );
  return { user, access };
}

/** A resolver bound to one directory, with the role catalog cached per container. */
export function principalResolver(
  directory: ResolvePrincipalDeps['directory'] & ConstructorParameters<typeof RoleCatalog>[0],
  grants: EntitlementGrants,
): (identity: SettledIdentity) => Promise<Principal> {
  const roleCatalog = new RoleCatalog(directory);
  return (identity) =>
    resolvePrincipal({ directory, roleCatalog, grants, clock: () => new Date() }, identity);
}
