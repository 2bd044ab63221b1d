import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { type Caller, callerEventContext } from '../caller';
import type { AdminProfileChanges } from '../domain/profile-changes';
import { planRoleReplacement } from '../domain/role-assignment';
import type { RoleDefinition } from '../domain/roles';
import type { User } from '../domain/user';
import { getTenantUser } from './admin-users';

export interface AdminUserUpdateDeps {
  readonly directory: Pick<DirectoryRepository, 'getUser' | 'updateUser' | 'replaceRoles'>;
  readonly roles: () => Promise<ReadonlyMap<string, RoleDefinition>>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly clock: () => Date;
}

/**
 * `PATCH /v1/admin/users/{userId}`: an administrator changes a user's profile, guarded by the
 * version the user was read at. The event names the changed fields, never their values.
 */
export async function updateUserProfile(
  deps: Pick<AdminUserUpdateDeps, 'directory' | 'publish' | 'clock'>,
  caller: Caller,
  userId: string,
  changes: AdminProfileChanges,
  expectedVersion: number,
): Promise<User> {
  const now = deps.clock();
  const updated = await deps.directory.updateUser(
    caller.tenantId,
    userId,
    changes,
    expectedVersion,
    now.toISOString(),
  );
  const changedFields = Object.keys(changes)
    .filter((field) => changes[field as keyof AdminProfileChanges] !== undefined)
    .sort();
  await deps.publish([
    domainEvent('iam.user.profile_updated', callerEventContext(caller, now), {
      userId,
      changedFields,
      version: updated.version,
    }),
  ]);
  return updated;
}

/**
 * `PUT /v1/admin/users/{userId}/roles`: replaces the user's direct roles. Sending the roles the
 * user already holds at the expected version changes nothing, so a retried PUT is harmless.
 */
export async function replaceUserRoles(
  deps: AdminUserUpdateDeps,
  caller: Caller,
  userId: string,
  roles: readonly string[],
  expectedVersion: number,
): Promise<User> {
  const [user, catalog] = await Promise.all([getTenantUser(deps, caller.tenantId, userId), deps.roles()]);
  const { before, after } = planRoleReplacement(user.roles, roles, catalog, caller.access.permissions);
  const unchanged = before.length === after.length && before.every((role, index) => role === after[index]);
  if (unchanged && user.version === expectedVersion) return user;
  const now = deps.clock();
  const updated = await deps.directory.replaceRoles(
    caller.tenantId,
    userId,
    after,
    expectedVersion,
    now.toISOString(),
  );
  await deps.publish([
    domainEvent('iam.user.roles_changed', callerEventContext(caller, now), {
      userId,
      before: [...before],
      after: [...updated.roles],
      version: updated.version,
    }),
  ]);
  return updated;
}
