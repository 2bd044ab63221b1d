import type { FlagSet } from '../../shared/flags';
import type { Caller } from '../caller';
import { toUserResource } from '../domain/user';

/** `GET /v1/me`: who the caller is, what they may do, and the flags that shape what they see. */
export function describeMe(caller: Caller, flags: FlagSet) {
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
