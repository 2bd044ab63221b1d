import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import type { User } from '../../../functions/identity/domain/user';
import {
  type ResolvePrincipalDeps,
  resolvePrincipal,
  type SettledIdentity,
} from '../../../functions/identity/use-cases/resolve-principal';
import { AppError } from '../../../functions/shared/errors';

const user = (overrides: Partial<User>): User => ({
  tenantId: 'acme',
  userId: 'u_1',
  email: 'ann@acme.test',
  status: 'ACTIVE',
  roles: [],
  groups: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
  ...overrides,
});

/**
 * An in-memory directory holding one user and the groups given. It can only be read: the type of
 * `directory` offers no write, which is what lets a route run with `table:read` alone.
 */
function directoryWith(stored: User, groups: Record<string, string[]> = {}): ResolvePrincipalDeps {
  return {
    directory: {
      getUser: async (tenantId, userId) =>
        tenantId === stored.tenantId && userId === stored.userId ? stored : undefined,
      getGroups: async (_tenantId, names) =>
        names.filter((name) => groups[name]).map((name) => ({ name, roles: groups[name] ?? [] })),
    },
    roleCatalog: { roles: async () => new Map(BUILT_IN_ROLES.map((role) => [role.name, role])) },
    grants: { inForce: async () => ({ roles: [], permissions: [] }) },
    clock: () => new Date('2026-11-22T10:00:00Z'),
  };
}

const identity = (overrides: Partial<SettledIdentity> = {}): SettledIdentity => ({
  tenantId: 'acme',
  userId: 'u_1',
  ...overrides,
});

async function refusal(deps: ResolvePrincipalDeps, who: SettledIdentity): Promise<string> {
  const error = await resolvePrincipal(deps, who).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? `${error.kind}:${error.code}` : 'resolved';
}

describe('resolvePrincipal', () => {
  it('resolves the settled user with direct and group roles', async () => {
    const deps = directoryWith(user({ roles: ['member'], groups: ['approvers'] }), {
      approvers: ['security_approver'],
    });
    const principal = await resolvePrincipal(deps, identity());
    expect(principal.user.userId).toBe('u_1');
    expect(principal.access.roles).toEqual(['security_approver', 'member']);
    expect(principal.access.permissions.has('approvals.decide')).toBe(true);
  });

  it("adds what entitlements in force grant, asked for the user at the clock's time", async () => {
    const deps = directoryWith(user({ roles: ['member'] }));
    const asked: string[] = [];
    const principal = await resolvePrincipal(
      {
        ...deps,
        grants: {
          inForce: async (tenantId, userId, now) => {
            asked.push(`${tenantId}/${userId}@${now.toISOString()}`);
            return { roles: ['operator'], permissions: ['bundles.manage'] };
          },
        },
      },
      identity(),
    );
    expect(asked).toEqual(['acme/u_1@2026-11-22T10:00:00.000Z']);
    expect(principal.access.roles).toEqual(['operator', 'member']);
    expect(principal.access.permissions.has('bundles.manage')).toBe(true);
  });

  it('does not find a user of another tenant: a token cannot cross tenants', async () => {
    const deps = directoryWith(user({}));
    expect(await refusal(deps, identity({ tenantId: 'globex' }))).toBe('FORBIDDEN:PRINCIPAL_NOT_PROVISIONED');
  });

  it('refuses an identity the authorizer found no user for', async () => {
    const deps = directoryWith(user({}));
    expect(await refusal(deps, { tenantId: 'acme' })).toBe('FORBIDDEN:PRINCIPAL_NOT_PROVISIONED');
  });

  it('refuses a user id the directory does not hold (deleted since)', async () => {
    const deps = directoryWith(user({}));
    expect(await refusal(deps, identity({ userId: 'u_gone' }))).toBe('FORBIDDEN:PRINCIPAL_NOT_PROVISIONED');
  });

  it('refuses a deactivated user even with direct and group roles (seed 002, 14)', async () => {
    const deps = directoryWith(user({ status: 'DEACTIVATED', roles: ['superuser'], groups: ['admins'] }), {
      admins: ['tenant_admin'],
    });
    expect(await refusal(deps, identity())).toBe('FORBIDDEN:ACCOUNT_DEACTIVATED');
  });

  it('resolves an invited user the authorizer linked, as invited', async () => {
    const deps = directoryWith(user({ status: 'INVITED', roles: ['member'] }));
    const principal = await resolvePrincipal(deps, identity());
    expect(principal.user.status).toBe('INVITED');
  });
});
