import type { Permission } from './permissions';
import type { RoleDefinition } from './roles';

export type UserStatus = 'INVITED' | 'ACTIVE' | 'DEACTIVATED';

/** What RBAC needs to know about a principal: its status and every role it holds, however. */
export interface RoleHolder {
  readonly status: UserStatus;
  /** Roles bound to the user directly. */
  readonly directRoles: readonly string[];
  /** Roles the user holds through group membership. */
  readonly groupRoles: readonly string[];
  /** What the user's entitlements in force grant tenant-wide (permission bundles, seed 001). */
  readonly granted?: { readonly roles: readonly string[]; readonly permissions: readonly Permission[] };
}

export interface EffectiveAccess {
  readonly roles: readonly string[];
  readonly permissions: ReadonlySet<Permission>;
  /** The highest-ranked role held: what seed 003's session middleware calls `current_role`. */
  readonly currentRole: string | null;
}

const NO_ACCESS: EffectiveAccess = { roles: [], permissions: new Set(), currentRole: null };

/**
 * Effective access of a principal. A deactivated user has none, whatever roles they still hold
 * directly or through groups (seed 002, scenario 14). Roles no longer defined grant nothing.
 */
export function effectiveAccess(
  holder: RoleHolder,
  roleCatalog: ReadonlyMap<string, RoleDefinition>,
): EffectiveAccess {
  if (holder.status === 'DEACTIVATED') return NO_ACCESS;
  const held = [...new Set([...holder.directRoles, ...holder.groupRoles, ...(holder.granted?.roles ?? [])])]
    .map((name) => roleCatalog.get(name))
    .filter((role): role is RoleDefinition => role !== undefined)
    .sort((a, b) => b.rank - a.rank || a.name.localeCompare(b.name));
  return {
    roles: held.map((role) => role.name),
    permissions: new Set([
      ...held.flatMap((role) => role.permissions),
      ...(holder.granted?.permissions ?? []),
    ]),
    currentRole: held[0]?.name ?? null,
  };
}

export type AccessDecision =
  | { readonly outcome: 'allow' }
  /** Enforcement is on and the permission is missing. */
  | { readonly outcome: 'deny'; readonly permission: Permission }
  /** Enforcement is off (seed 003 Phase A/B): allowed, but the denial it would have been is reported. */
  | { readonly outcome: 'allow-unenforced'; readonly permission: Permission };

export function decideAccess(
  access: EffectiveAccess,
  permission: Permission,
  enforce: boolean,
): AccessDecision {
  if (access.permissions.has(permission)) return { outcome: 'allow' };
  return enforce ? { outcome: 'deny', permission } : { outcome: 'allow-unenforced', permission };
}
