import { PreconditionFailedError } from '../../shared/errors';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import type { DirectoryRepository } from '../adapters/directory-repository';
import type { RoleCatalog } from '../adapters/role-catalog';
import { type Caller, callerEventContext } from '../caller';
import { newId } from '../domain/ids';
import { planRoleReplacement } from '../domain/role-assignment';
import { normalizeEmail, type User } from '../domain/user';
import { type LifecycleAction, statusAfter } from '../domain/user-lifecycle';
import type { userProfileSchema } from '../domain/user-profile';
import { getTenantUser } from './admin-users';

export interface AdminUserLifecycleDeps {
  readonly directory: Pick<DirectoryRepository, 'createUser' | 'getUser' | 'updateUser'>;
  readonly roleCatalog: Pick<RoleCatalog, 'roles'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly clock: () => Date;
}

export type NewUser = Partial<Record<keyof typeof userProfileSchema.shape, string>> & {
  readonly email: string;
  readonly status: 'ACTIVE' | 'INVITED';
  readonly roles: readonly string[];
};

/**
 * `POST /v1/admin/users`: creates a user of the caller's tenant. The email is claimed in the same
 * transaction as the user (a duplicate is EMAIL_TAKEN); the roles must exist and stay within the
 * caller's own permissions.
 */
export async function createTenantUser(
  deps: AdminUserLifecycleDeps,
  caller: Caller,
  input: NewUser,
): Promise<User> {
  // A new user's roles are a replacement of none: the same rules as PUT roles (exist, within the
  // caller's own permissions).
  planRoleReplacement([], input.roles, await deps.roleCatalog.roles(), caller.access.permissions);

  const now = deps.clock();
  const user: User = {
    ...input,
    tenantId: caller.tenantId,
    userId: newId('u'),
    email: normalizeEmail(input.email),
    roles: [...new Set(input.roles)].sort(),
    groups: [],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  await deps.directory.createUser(user);
  await deps.publish([
    domainEvent(
      'iam.user.created',
      callerEventContext(caller, now),
      {
        userId: user.userId,
        status: input.status,
        roles: [...user.roles],
        rolesPendingApproval: [],
        source: { type: 'admin_api' },
      },
      `evt_${user.userId.slice(2)}`,
    ),
  ]);
  return user;
}

/** Two concurrent edits of one user are rare; a few fresh reads settle them. */
const MAX_ATTEMPTS = 3;

/**
 * `POST /v1/admin/users/{userId}/deactivate` and `/reactivate`. Repeating the action answers the
 * user as it stands and writes nothing. The write is conditional on the version read, so a
 * concurrent change is read again rather than overwritten.
 */
export async function changeUserStatus(
  deps: AdminUserLifecycleDeps,
  caller: Caller,
  userId: string,
  action: LifecycleAction,
): Promise<User> {
  for (let attempt = 1; ; attempt += 1) {
    const user = await getTenantUser(deps, caller.tenantId, userId);
    const status = statusAfter(user.status, action);
    if (status === 'unchanged') return user;
    const now = deps.clock();
    let updated: User;
    try {
      updated = await deps.directory.updateUser(
        caller.tenantId,
        userId,
        { status },
        user.version,
        now.toISOString(),
      );
    } catch (error) {
      if (error instanceof PreconditionFailedError && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
    // The version names this very transition, so a republished event is recognisably the same one.
    const eventId = `evt_${userId.slice(2)}_v${updated.version}`;
    const context = callerEventContext(caller, now);
    await deps.publish([
      user.status === 'DEACTIVATED'
        ? domainEvent('iam.user.reactivated', context, { userId, version: updated.version }, eventId)
        : domainEvent(
            'iam.user.deactivated',
            context,
            { userId, previousStatus: user.status, version: updated.version },
            eventId,
          ),
    ]);
    return updated;
  }
}
