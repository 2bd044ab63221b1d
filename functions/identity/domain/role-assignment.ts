import { type ErrorDetail, ForbiddenError, ValidationError } from '../../shared/errors';
import type { Permission } from './permissions';
import type { RoleDefinition } from './roles';

export interface RoleReplacement {
  readonly before: readonly string[];
  readonly after: readonly string[];
}

/**
 * Replacing a user's direct roles: every role must exist, and the caller must hold every
 * permission of each role they add or take away. Adding such a role would escalate past the
 * caller; taking it away would let a lesser admin strip a greater one.
 */
export function planRoleReplacement(
  current: readonly string[],
  requested: readonly string[],
  catalog: ReadonlyMap<string, RoleDefinition>,
  callerPermissions: ReadonlySet<Permission>,
): RoleReplacement {
  const after = [...new Set(requested)].sort();
  const unknown = after.filter((role) => !catalog.has(role));
  if (unknown.length > 0) {
    const known = [...catalog.keys()].sort().join(', ');
    const details: ErrorDetail[] = unknown.map((role) => ({
      path: 'body.roles',
      code: 'UNKNOWN_ROLE',
      message: `Role "${role}" does not exist. Known roles: ${known}.`,
    }));
    throw new ValidationError('UNKNOWN_ROLE', details[0]?.message ?? 'Unknown role.', details);
  }
  const before = [...current].sort();
  const changed = [
    ...after.filter((role) => !before.includes(role)),
    ...before.filter((role) => !after.includes(role)),
  ];
  const beyond = changed.flatMap((role) =>
    (catalog.get(role)?.permissions ?? [])
      .filter((permission) => !callerPermissions.has(permission))
      .map((permission) => ({ role, permission })),
  );
  const [first] = beyond;
  if (first) {
    throw new ForbiddenError(
      'BEYOND_OWN_PERMISSIONS',
      `Role "${first.role}" holds "${first.permission}", which you do not hold; you may only assign or remove roles within your own permissions.`,
      beyond.map(({ role, permission }) => ({
        path: 'body.roles',
        code: 'BEYOND_OWN_PERMISSIONS',
        message: `Role "${role}" holds "${permission}", which you do not hold.`,
      })),
    );
  }
  return { before, after };
}
