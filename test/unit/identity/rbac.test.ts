import { describe, expect, it } from 'vitest';
import { decideAccess, effectiveAccess, type RoleHolder } from '../../../functions/identity/domain/rbac';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';

const catalog = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));
const holder = (overrides: Partial<RoleHolder>): RoleHolder => ({
  status: 'ACTIVE',
  directRoles: [],
  groupRoles: [],
  ...overrides,
});

describe('effectiveAccess', () => {
  it('unites direct and group roles, without duplicates', () => {
    const access = effectiveAccess(
      holder({ directRoles: ['member'], groupRoles: ['operator', 'member'] }),
      catalog,
    );
    expect(access.roles).toEqual(['operator', 'member']);
    expect(access.permissions.has('users.import')).toBe(true);
    expect(access.permissions.has('profile.manage_own')).toBe(true);
  });

  it('names the highest-ranked role as the current role', () => {
    expect(effectiveAccess(holder({ directRoles: ['member', 'tenant_admin'] }), catalog).currentRole).toBe(
      'tenant_admin',
    );
    expect(effectiveAccess(holder({}), catalog).currentRole).toBeNull();
  });

  it('gives a deactivated user nothing, whatever they hold directly or through groups (seed 002, 14)', () => {
    const access = effectiveAccess(
      holder({ status: 'DEACTIVATED', directRoles: ['superuser'], groupRoles: ['tenant_admin'] }),
      catalog,
    );
    expect(access.roles).toEqual([]);
    expect(access.permissions.size).toBe(0);
  });

  it('ignores roles that are no longer defined', () => {
    expect(effectiveAccess(holder({ directRoles: ['retired_role'] }), catalog).permissions.size).toBe(0);
  });
});

describe('decideAccess', () => {
  const member = effectiveAccess(holder({ directRoles: ['member'] }), catalog);

  it('allows a held permission whether or not enforcement is on', () => {
    expect(decideAccess(member, 'profile.manage_own', true)).toEqual({ outcome: 'allow' });
    expect(decideAccess(member, 'profile.manage_own', false)).toEqual({ outcome: 'allow' });
  });

  it('denies a missing permission when enforcement is on', () => {
    expect(decideAccess(member, 'users.manage_all', true)).toEqual({
      outcome: 'deny',
      permission: 'users.manage_all',
    });
  });

  it('lets a missing permission through, flagged, when enforcement is off', () => {
    expect(decideAccess(member, 'users.manage_all', false)).toEqual({
      outcome: 'allow-unenforced',
      permission: 'users.manage_all',
    });
  });
});
