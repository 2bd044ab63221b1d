import { describe, expect, it } from 'vitest';
import { planRoleReplacement } from '../../../functions/identity/domain/role-assignment';
import { BUILT_IN_ROLES } from '../../../functions/identity/domain/roles';
import { AppError } from '../../../functions/shared/errors';

const catalog = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));
const permissionsOf = (name: string) => new Set(catalog.get(name)?.permissions ?? []);
const tenantAdmin = permissionsOf('tenant_admin');

function failure(run: () => unknown): { kind: string; code: string; details: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { kind: error.kind, code: error.code, details: error.details };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('planRoleReplacement', () => {
  it('answers the sorted lists before and after, without duplicates', () => {
    expect(planRoleReplacement(['member'], ['operator', 'member', 'operator'], catalog, tenantAdmin)).toEqual(
      {
        before: ['member'],
        after: ['member', 'operator'],
      },
    );
  });

  it('allows removing every role', () => {
    expect(planRoleReplacement(['operator', 'member'], [], catalog, tenantAdmin)).toEqual({
      before: ['member', 'operator'],
      after: [],
    });
  });

  it('refuses unknown roles with 422 UNKNOWN_ROLE naming each and the known roles', () => {
    const refusal = failure(() =>
      planRoleReplacement([], ['member', 'wizard', 'ghost'], catalog, tenantAdmin),
    );
    expect(refusal).toMatchObject({ kind: 'VALIDATION', code: 'UNKNOWN_ROLE' });
    expect(refusal.details).toEqual([
      expect.objectContaining({ path: 'body.roles', message: expect.stringMatching(/"ghost".*superuser/) }),
      expect.objectContaining({ message: expect.stringContaining('"wizard"') }),
    ]);
  });

  it('refuses adding a role holding a permission the caller lacks (superuser)', () => {
    const refusal = failure(() => planRoleReplacement(['member'], ['superuser'], catalog, tenantAdmin));
    expect(refusal).toMatchObject({ kind: 'FORBIDDEN', code: 'BEYOND_OWN_PERMISSIONS' });
  });

  it('refuses removing a role holding a permission the caller lacks', () => {
    const refusal = failure(() => planRoleReplacement(['superuser'], ['member'], catalog, tenantAdmin));
    expect(refusal).toMatchObject({ kind: 'FORBIDDEN', code: 'BEYOND_OWN_PERMISSIONS' });
  });

  it('lets a role the caller lacks stay while others change', () => {
    expect(planRoleReplacement(['superuser'], ['superuser', 'operator'], catalog, tenantAdmin).after).toEqual(
      ['operator', 'superuser'],
    );
  });

  it('lets a superuser assign superuser', () => {
    expect(planRoleReplacement([], ['superuser'], catalog, permissionsOf('superuser')).after).toEqual([
      'superuser',
    ]);
  });

  it('refuses a caller granting a role beyond a lesser role they hold', () => {
    const refusal = failure(() =>
      planRoleReplacement([], ['tenant_admin'], catalog, permissionsOf('operator')),
    );
    expect(refusal.code).toBe('BEYOND_OWN_PERMISSIONS');
  });
});
