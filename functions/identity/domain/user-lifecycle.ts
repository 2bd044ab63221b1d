import type { ErrorDetail } from '../../shared/errors';
import type { Permission } from './permissions';
import type { UserStatus } from './rbac';
import type { RoleDefinition } from './roles';

export type LifecycleAction = 'deactivate' | 'reactivate';

/**
 * The status a lifecycle action leads to, or `unchanged` when the user is already there: a repeated
 * deactivation is the same answer, not an error, so a client may retry it safely. Reactivating only
 * undoes a deactivation; an invited user stays invited until they sign in.
 */
export function statusAfter(current: UserStatus, action: LifecycleAction): UserStatus | 'unchanged' {
  if (action === 'deactivate') return current === 'DEACTIVATED' ? 'unchanged' : 'DEACTIVATED';
  return current === 'DEACTIVATED' ? 'ACTIVE' : 'unchanged';
}

/**
 * Why the roles asked for a new user may not be granted by this caller, each at `body.roles`: a role
 * must exist, and may hold only permissions the caller holds, so nobody escalates past their own
 * rights by creating a user. Unknown roles are listed first: they are a typo, not a refusal.
 */
export function roleGrantProblems(
  roles: readonly string[],
  catalog: ReadonlyMap<string, RoleDefinition>,
  held: ReadonlySet<Permission>,
): { unknown: ErrorDetail[]; beyond: ErrorDetail[] } {
  const known = [...catalog.keys()].sort().join(', ');
  const unknown: ErrorDetail[] = [];
  const beyond: ErrorDetail[] = [];
  for (const name of new Set(roles)) {
    const role = catalog.get(name);
    if (!role) {
      unknown.push({
        path: 'body.roles',
        code: 'UNKNOWN_ROLE',
        message: `Role "${name}" does not exist. Known roles: ${known}.`,
      });
      continue;
    }
    const missing = role.permissions.filter((permission) => !held.has(permission)).sort();
    if (missing.length > 0) {
      beyond.push({
        path: 'body.roles',
        code: 'ROLE_BEYOND_OWN_PERMISSIONS',
        message: `Role "${name}" holds ${missing.map((permission) => `"${permission}"`).join(', ')}, which you do not hold; you may grant only roles within your own permissions.`,
      });
    }
  }
  return { unknown, beyond };
}
