import { PERMISSIONS, type Permission } from './permissions';

/**
 * `global` roles act across the whole tenant; `workspace` roles act only inside a workspace and so
 * can never carry tenant-wide user mutations (seed 002: a workspace owner cannot mutate users).
 */
export type RoleScope = 'global' | 'workspace';

export interface RoleDefinition {
  readonly name: string;
  readonly description: string;
  readonly scope: RoleScope;
  readonly permissions: readonly Permission[];
  /** Higher ranks win when one role must stand for the session (`current_role`). */
  readonly rank: number;
}

/** Permissions a workspace-scoped role may never hold. */
const TENANT_WIDE_PERMISSIONS: ReadonlySet<Permission> = new Set([
  'users.manage_all',
  'users.import',
  'roles.assign',
  'bundles.manage',
  'role_policies.manage',
]);

/** Built-in roles, seeded into every deployment by migration 0001 (the default operator role among them). */
export const BUILT_IN_ROLES: readonly RoleDefinition[] = [
  {
    name: 'superuser',
    description: 'Every permission within the tenant. Backfilled for the existing operator account.',
    scope: 'global',
    permissions: PERMISSIONS,
    rank: 100,
  },
  {
    name: 'tenant_admin',
    description: 'Administers the tenant: users, imports, roles, bundles, default role policy, audit.',
    scope: 'global',
    permissions: [
      'users.read',
      'users.manage_all',
      'users.import',
      'roles.assign',
      'bundles.manage',
      'role_policies.manage',
      'audit.read',
      'profile.manage_own',
    ],
    rank: 80,
  },
  {
    name: 'security_approver',
    description: 'Decides approvals for sensitive and high-risk grants; reads the audit trail.',
    scope: 'global',
    permissions: ['users.read', 'approvals.decide', 'audit.read', 'profile.manage_own'],
    rank: 70,
  },
  {
    name: 'operator',
    description:
      'The default operator role: runs imports and reads users and audit, as operators did before RBAC.',
    scope: 'global',
    permissions: ['users.read', 'users.import', 'audit.read', 'profile.manage_own'],
    rank: 60,
  },
  {
    name: 'workspace_owner',
    description: 'Manages one workspace; never mutates users tenant-wide.',
    scope: 'workspace',
    permissions: ['workspace.manage', 'profile.manage_own'],
    rank: 40,
  },
  {
    name: 'member',
    description: 'A regular member: manages their own profile.',
    scope: 'global',
    permissions: ['profile.manage_own'],
    rank: 10,
  },
];

/** Returns why a role definition is unacceptable, or nothing when it is fine. */
export function roleDefinitionProblems(role: RoleDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9_]{1,63}$/.test(role.name)) {
    problems.push(`role name "${role.name}" must be 2-64 lower-case letters, digits or _`);
  }
  if (role.scope === 'workspace') {
    for (const permission of role.permissions) {
      if (TENANT_WIDE_PERMISSIONS.has(permission)) {
        problems.push(`workspace role "${role.name}" cannot hold tenant-wide permission ${permission}`);
      }
    }
  }
  return problems;
}
