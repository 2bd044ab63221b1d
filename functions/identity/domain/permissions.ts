/** Every permission a role can carry. Checks name a permission, never a role. */
export const PERMISSIONS = [
  'users.read',
  'users.manage_all',
  'users.import',
  'roles.assign',
  'bundles.manage',
  'role_policies.manage',
  'approvals.decide',
  'audit.read',
  'workspace.manage',
  'profile.manage_own',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}
