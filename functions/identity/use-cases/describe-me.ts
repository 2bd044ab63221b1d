import { z } from 'zod';
import { FLAG_NAMES, type FlagSet } from '../../shared/flags';
import type { Caller } from '../caller';
import { PERMISSIONS } from '../domain/permissions';
import { toUserResource, userResourceSchema } from '../domain/user';

const roleNames = z.array(z.string()).readonly();

/** The body of `GET /v1/me`. */
export const meSchema = z.object({
  user: userResourceSchema,
  tenant: z.object({ tenantId: z.string() }),
  authMethod: z.enum(['bearer', 'session']),
  currentRole: z.string().nullable().describe('The highest-ranked role held (seed 003 `current_role`).'),
  roles: roleNames.describe('Every role held: direct, through groups, or granted by a bundle.'),
  directRoles: roleNames,
  groups: roleNames,
  permissions: z.array(z.enum(PERMISSIONS)),
  flags: z.record(z.enum(FLAG_NAMES), z.boolean()),
  rbacEnforced: z.boolean().describe('`user_mgmt_enforce`: off, a missing permission is only reported.'),
});

export type Me = z.infer<typeof meSchema>;

/** `GET /v1/me`: who the caller is, what they may do, and the flags that shape what they see. */
export function describeMe(caller: Caller, flags: FlagSet): Me {
  return {
    user: toUserResource(caller.user),
    tenant: { tenantId: caller.tenantId },
    authMethod: caller.authMethod,
    currentRole: caller.currentRole,
    roles: caller.access.roles,
    directRoles: caller.user.roles,
    groups: caller.user.groups,
    permissions: [...caller.access.permissions].sort(),
    flags,
    rbacEnforced: flags.user_mgmt_enforce,
  };
}
