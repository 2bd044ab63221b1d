import { describe, expect, it } from 'vitest';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import type { User } from '../../../functions/identity/domain/user';
import {
  type AuthenticatedIdentity,
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

/** An in-memory directory holding one user of tenant `acme`, its subject links and the groups given. */
function directoryWith(stored: User, groups: Record<string, string[]> = {}, links = [stored.userId]) {
  const linked = new Map(links.map((subject) => [`${ISSUER}|${subject}`, stored.userId]));
  const deps: ResolvePrincipalDeps = {
    directory: {
      findUserIdBySubject: async (tenantId, issuer, subject) =>
        tenantId === stored.tenantId ? linked.get(`${issuer}|${subject}`) : undefined,
      findUserIdByEmail: async (tenantId, email) =>
        tenantId === stored.tenantId && email === stored.email ? stored.userId : undefined,
      linkSubject: async (_tenantId, issuer, subject, userId) => {
        linked.set(`${issuer}|${subject}`, userId);
      },
      getUser: async (tenantId, userId) =>
        tenantId === stored.tenantId && userId === stored.userId ? stored : undefined,
      getGroups: async (_tenantId, names) =>
        names.filter((name) => groups[name]).map((name) => ({ name, roles: groups[name] ?? [] })),
    },
    roleCatalog: { roles: async () => new Map(BUILT_IN_ROLES.map((role) => [role.name, role])) },
    grants: { inForce: async () => ({ roles: [], permissions: [] }) },
    clock: () => new Date('2026-11-22T10:00:00Z'),
  };
  return { deps, linked };
}

const identity = (overrides: Partial<AuthenticatedIdentity> = {}): AuthenticatedIdentity => ({
  tenantId: 'acme',
  issuer: ISSUER,
  subject: 'u_1',
  ...overrides,
});

async function refusal(deps: ResolvePrincipalDeps, who: AuthenticatedIdentity): Promise<string> {
  const error = await resolvePrincipal(deps, who).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return error instanceof AppError ? `${error.kind}:${error.code}` : 'resolved';
}

describe('resolvePrincipal', () => {
  it('resolves a linked user with direct and group roles', async () => {
    const { deps } = directoryWith(user({ roles: ['member'], groups: ['approvers'] }), {
      approvers: ['security_approver'],
    });
    const principal = await resolvePrincipal(deps, identity());
    expect(principal.user.userId).toBe('u_1');
    expect(principal.access.roles).toEqual(['security_approver', 'member']);
    expect(principal.access.permissions.has('approvals.decide')).toBe(true);
  });

  it("adds what entitlements in force grant, asked for the user at the clock's time", async () => {
    const { deps } = directoryWith(user({ roles: ['member'] }));
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
    const { deps } = directoryWith(user({}));
    expect(await refusal(deps, identity({ tenantId: 'globex', verifiedEmail: 'ann@acme.test' }))).toBe(
      'FORBIDDEN:PRINCIPAL_NOT_PROVISIONED',
    );
  });

  it('refuses an unknown subject without a verified email', async () => {
    const { deps, linked } = directoryWith(user({}));
    expect(await refusal(deps, identity({ subject: 'idp|42' }))).toBe('FORBIDDEN:PRINCIPAL_NOT_PROVISIONED');
    expect(linked.has(`${ISSUER}|idp|42`)).toBe(false);
  });

  it('links a new subject to the user whose email the provider verified, once', async () => {
    const { deps, linked } = directoryWith(user({ status: 'INVITED', roles: ['member'] }), {}, []);
    const principal = await resolvePrincipal(
      deps,
      identity({ subject: 'idp|42', verifiedEmail: ' Ann@Acme.test ' }),
    );
    expect(principal.user.userId).toBe('u_1');
    expect(linked.get(`${ISSUER}|idp|42`)).toBe('u_1');
  });

  it('does not link an email nobody in the tenant has', async () => {
    const { deps, linked } = directoryWith(user({}), {}, []);
    expect(await refusal(deps, identity({ subject: 'idp|42', verifiedEmail: 'bob@acme.test' }))).toBe(
      'FORBIDDEN:PRINCIPAL_NOT_PROVISIONED',
    );
    expect(linked.size).toBe(0);
  });

  it('refuses a deactivated user even with direct and group roles (seed 002, 14)', async () => {
    const { deps } = directoryWith(
      user({ status: 'DEACTIVATED', roles: ['superuser'], groups: ['admins'] }),
      {
        admins: ['tenant_admin'],
      },
    );
    expect(await refusal(deps, identity())).toBe('FORBIDDEN:ACCOUNT_DEACTIVATED');
  });

  it('gives a deactivated user no new link through their email', async () => {
    const { deps, linked } = directoryWith(user({ status: 'DEACTIVATED' }), {}, []);
    expect(await refusal(deps, identity({ subject: 'idp|42', verifiedEmail: 'ann@acme.test' }))).toBe(
      'FORBIDDEN:ACCOUNT_DEACTIVATED',
    );
    expect(linked.size).toBe(0);
  });
});
