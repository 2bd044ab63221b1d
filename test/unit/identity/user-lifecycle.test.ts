import { describe, expect, it } from 'vitest';
import type { Permission } from '../../../functions/identity/domain/permissions';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import { roleGrantProblems, statusAfter } from '../../../functions/identity/domain/user-lifecycle';

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

describe('roleGrantProblems', () => {
  it('accepts roles within the caller’s permissions', () => {
    expect(roleGrantProblems(['member', 'operator'], catalog, permissionsOf('tenant_admin'))).toEqual({
      unknown: [],
      beyond: [],
    });
  });

  it('refuses superuser to a tenant admin, naming the permissions the admin lacks', () => {
    const { beyond, unknown } = roleGrantProblems(['superuser'], catalog, permissionsOf('tenant_admin'));
    expect(unknown).toEqual([]);
    expect(beyond).toHaveLength(1);
    expect(beyond[0]).toMatchObject({ path: 'body.roles', code: 'ROLE_BEYOND_OWN_PERMISSIONS' });
    expect(beyond[0]?.message).toContain('"superuser"');
    expect(beyond[0]?.message).toContain('"approvals.decide"');
  });

  it('lets a superuser grant every role', () => {
    const all = BUILT_IN_ROLES.map((role) => role.name);
    expect(roleGrantProblems(all, catalog, permissionsOf('superuser')).beyond).toEqual([]);
  });

  it('reports unknown roles once each, listing the known ones', () => {
    const { unknown, beyond } = roleGrantProblems(['ghost', 'ghost'], catalog, permissionsOf('superuser'));
    expect(beyond).toEqual([]);
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ path: 'body.roles', code: 'UNKNOWN_ROLE' });
    expect(unknown[0]?.message).toContain('tenant_admin');
  });

  it('refuses nothing when no role is asked', () => {
    expect(roleGrantProblems([], catalog, new Set())).toEqual({ unknown: [], beyond: [] });
  });
});
