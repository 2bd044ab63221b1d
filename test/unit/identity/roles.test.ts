import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../functions/identity/domain/permissions';
import { BUILT_IN_ROLES, roleDefinitionProblems } from '../../../functions/identity/domain/roles';

const role = (name: string) => BUILT_IN_ROLES.find((candidate) => candidate.name === name);

describe('built-in roles', () => {
  it('include every role the product relies on', () => {
    expect(BUILT_IN_ROLES.map((candidate) => candidate.name).sort()).toEqual(
      ['member', 'operator', 'security_approver', 'superuser', 'tenant_admin', 'workspace_owner'].sort(),
    );
  });

  it('are all valid definitions', () => {
    for (const definition of BUILT_IN_ROLES) expect(roleDefinitionProblems(definition)).toEqual([]);
  });

  it('give the superuser every permission', () => {
    expect([...(role('superuser')?.permissions ?? [])].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('never let a workspace owner mutate users tenant-wide (seed 002, scenario 12)', () => {
    expect(role('workspace_owner')?.scope).toBe('workspace');
    expect(role('workspace_owner')?.permissions).not.toContain('users.manage_all');
  });

  it('let only security approvers and superusers decide approvals', () => {
    const deciders = BUILT_IN_ROLES.filter((definition) =>
      definition.permissions.includes('approvals.decide'),
    );
    expect(deciders.map((definition) => definition.name).sort()).toEqual(['security_approver', 'superuser']);
  });
});

describe('roleDefinitionProblems', () => {
  it('refuses a workspace role holding a tenant-wide permission', () => {
    expect(
      roleDefinitionProblems({
        name: 'ws_admin',
        description: '',
        scope: 'workspace',
        permissions: ['workspace.manage', 'users.manage_all'],
        rank: 1,
      }),
    ).toEqual(['workspace role "ws_admin" cannot hold tenant-wide permission users.manage_all']);
  });

  it('refuses a malformed role name', () => {
    expect(
      roleDefinitionProblems({ name: 'Admin!', description: '', scope: 'global', permissions: [], rank: 1 }),
    ).toHaveLength(1);
  });
});
