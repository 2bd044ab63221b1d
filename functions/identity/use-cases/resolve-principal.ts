import { ForbiddenError } from '../../shared/errors';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { RoleCatalog } from '../adapters/role-catalog';
import type { Permission } from '../domain/permissions';
import { type EffectiveAccess, effectiveAccess } from '../domain/rbac';
import { normalizeEmail, type User } from '../domain/user';

export interface AuthenticatedIdentity {
  readonly tenantId: string;
  readonly issuer: string;
  readonly subject: string;
  /** The email the identity provider vouches for, when it has verified it. */
  readonly verifiedEmail?: string;
  /** The request's correlation id, for the events a first sign-in may publish. */
  readonly correlationId?: string;
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
  readonly directory: Pick<
    DirectoryRepository,
    'findUserIdBySubject' | 'findUserIdByEmail' | 'linkSubject' | 'getUser' | 'getGroups'
  >;
  readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
  readonly grants: EntitlementGrants;
  readonly clock: () => Date;
  /** OIDC auto-provisioning; undefined from it (flags off) leaves only the plain email link. */
  readonly autoProvision?: (identity: AuthenticatedIdentity) => Promise<string | undefined>;
}

/**
 * Finds the directory user behind a verified token within the token's own tenant. A subject
 * linked in another tenant is simply not found here, so a token can never reach across tenants.
 * On a user's first sign-in through an identity provider, their subject is linked to the user
 * whose email the provider has verified (invited or imported users have no subject yet).
 * A deactivated user is refused outright, whatever roles they still hold.
 */
export async function resolvePrincipal(
  deps: ResolvePrincipalDeps,
  identity: AuthenticatedIdentity,
): Promise<Principal> {
  const linkedUserId = await deps.directory.findUserIdBySubject(
    identity.tenantId,
    identity.issuer,
    identity.subject,
  );
  const userId =
    linkedUserId ?? (await deps.autoProvision?.(identity)) ?? (await linkOnFirstSignIn(deps, identity));
  const user = userId ? await deps.directory.getUser(identity.tenantId, userId) : undefined;
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

async function linkOnFirstSignIn(
  deps: ResolvePrincipalDeps,
  identity: AuthenticatedIdentity,
): Promise<string | undefined> {
  if (!identity.verifiedEmail) return undefined;
  const userId = await deps.directory.findUserIdByEmail(
    identity.tenantId,
    normalizeEmail(identity.verifiedEmail),
  );
  if (!userId) return undefined;
  const user = await deps.directory.getUser(identity.tenantId, userId);
  // A deactivated account gains no new way in.
  if (!user || user.status === 'DEACTIVATED') return userId;
  await deps.directory.linkSubject(
    identity.tenantId,
    identity.issuer,
    identity.subject,
    userId,
    deps.clock().toISOString(),
  );
  return userId;
}

/** A resolver bound to one directory, with the role catalog cached per container. */
export function principalResolver(
  directory: ResolvePrincipalDeps['directory'] & ConstructorParameters<typeof RoleCatalog>[0],
  grants: EntitlementGrants,
  autoProvision?: ResolvePrincipalDeps['autoProvision'],
): (identity: AuthenticatedIdentity) => Promise<Principal> {
  const roleCatalog = new RoleCatalog(directory);
  return (identity) =>
    resolvePrincipal(
      {
        directory,
        roleCatalog,
        grants,
        clock: () => new Date(),
        ...(autoProvision ? { autoProvision } : {}),
      },
      identity,
    );
}
