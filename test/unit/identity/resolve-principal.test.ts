import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import type { User } from '../../../functions/identity/domain/user';
import {
  type ResolvePrincipalDeps,
  resolvePrincipal,
} from '../../../functions/identity/use-cases/resolve-principal';
import { AppError } from '../../../functions/shared/errors';

const ISSUER = 'https://issuer.test';
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

/** A directory holding one linked user in tenant `acme`, and the groups given. */
function directoryWith(stored: User, groups: Record<string, string[]> = {}): ResolvePrincipalDeps {
  return {
    directory: {
      findUserIdBySubject: async (tenantId, issuer, subject) =>
        tenantId === stored.tenantId && issuer === ISSUER && subject === stored.userId
          ? stored.userId
          : undefined,
      getUser: async (tenantId, userId) =>
        tenantId === stored.tenantId && userId === stored.userId ? stored : undefined,
      getGroups: async (_tenantId, names) =>
        names.filter((name) => groups[name]).map((name) => ({ name, roles: groups[name] ?? [] })),
    },
    roleCatalog: { roles: async () => new Map(BUILT_IN_ROLES.map((role) => [role.name, role])) },
  };
}

async function refusal(deps: ResolvePrincipalDeps, tenantId: string, subject = 'u_1'): Promise<string> {
  const error = await resolvePrincipal(deps, { tenantId, issuer: ISSUER, subject }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? `${error.kind}:${error.code}` : 'resolved';
}

describe('resolvePrincipal', () => {
  it('resolves a linked user with direct and group roles', async () => {
    const deps = directoryWith(user({ roles: ['member'], groups: ['approvers'] }), {
      approvers: ['security_approver'],
    });
    const principal = await resolvePrincipal(deps, { tenantId: 'acme', issuer: ISSUER, subject: 'u_1' });
    expect(principal.user.userId).toBe('u_1');
    expect(principal.access.roles).toEqual(['security_approver', 'member']);
    expect(principal.access.permissions.has('approvals.decide')).toBe(true);
  });

  it('does not find a user of another tenant: a token cannot cross tenants', async () => {
    expect(await refusal(directoryWith(user({})), 'globex')).toBe('FORBIDDEN:PRINCIPAL_NOT_PROVISIONED');
  });

  it('refuses an unknown subject', async () => {
    expect(await refusal(directoryWith(user({})), 'acme', 'u_unknown')).toBe(
      'FORBIDDEN:PRINCIPAL_NOT_PROVISIONED',
    );
  });

  it('refuses a deactivated user even with direct and group roles (seed 002, 14)', async () => {
    const deps = directoryWith(user({ status: 'DEACTIVATED', roles: ['superuser'], groups: ['admins'] }), {
      admins: ['tenant_admin'],
    });
    expect(await refusal(deps, 'acme')).toBe('FORBIDDEN:ACCOUNT_DEACTIVATED');
  });
});
