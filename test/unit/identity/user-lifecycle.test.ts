import { describe, expect, it } from 'vitest';
import type { Permission } from '../../../functions/identity/domain/permissions';
import { planRoleReplacement } from '../../../functions/identity/domain/role-assignment';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import { statusAfter } from '../../../functions/identity/domain/user-lifecycle';

const catalog = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));
const permissionsOf = (name: string): ReadonlySet<Permission> =>
  new Set(catalog.get(name)?.permissions ?? []);

describe('statusAfter', () => {
  it.each([
    ['ACTIVE', 'deactivate', 'DEACTIVATED'],
    ['INVITED', 'deactivate', 'DEACTIVATED'],
    ['DEACTIVATED', 'deactivate', 'unchanged'],
    ['DEACTIVATED', 'reactivate', 'ACTIVE'],
    ['ACTIVE', 'reactivate', 'unchanged'],
    ['INVITED', 'reactivate', 'unchanged'],
  ] as const)('%s, %s → %s', (current, action, expected) => {
    expect(statusAfter(current, action)).toBe(expected);
  });
});

describe('the roles of a new user (planRoleReplacement from none, as POST /v1/admin/users uses it)', () => {
  it('accepts roles within the caller’s permissions', () => {
    expect(planRoleReplacement([], ['member', 'operator'], catalog, permissionsOf('tenant_admin'))).toEqual({
      before: [],
      after: ['member', 'operator'],
    });
  });

  it('refuses superuser to a tenant admin, naming the permission the admin lacks', () => {
    const refused = () => planRoleReplacement([], ['superuser'], catalog, permissionsOf('tenant_admin'));
    expect(refused).toThrow(expect.objectContaining({ code: 'BEYOND_OWN_PERMISSIONS' }));
    expect(refused).toThrow(/"superuser" holds "[a-z_.]+"/);
  });

  it('lets a superuser grant every role', () => {
    const all = BUILT_IN_ROLES.map((role) => role.name);
    expect(planRoleReplacement([], all, catalog, permissionsOf('superuser')).after).toHaveLength(all.length);
  });

  it('reports an unknown role, listing the known ones', () => {
    const unknown = () => planRoleReplacement([], ['ghost', 'ghost'], catalog, permissionsOf('superuser'));
    expect(unknown).toThrow(expect.objectContaining({ code: 'UNKNOWN_ROLE' }));
    expect(unknown).toThrow(/tenant_admin/);
  });

  it('refuses nothing when no role is asked', () => {
    expect(planRoleReplacement([], [], catalog, new Set())).toEqual({ before: [], after: [] });
  });
});
