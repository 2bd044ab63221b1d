import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import type { DirectoryRepository } from '../adapters/directory-repository';
import { type Caller, callerEventContext } from '../caller';
import type { User } from '../domain/user';

export interface ProfileChanges {
  readonly displayName?: string;
  readonly locale?: string;
  /** When given, the update applies only if the user is still at this version. */
  readonly version?: number;
}

export interface UpdateOwnProfileDeps {
  readonly directory: Pick<DirectoryRepository, 'updateUser'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly clock: () => Date;
}

/**
 * A user changes their own display name or locale. The event names the changed fields, not
 * their values: names are personal data and the bus feeds the audit trail.
 */
export async function updateOwnProfile(
  deps: UpdateOwnProfileDeps,
  caller: Caller,
  changes: ProfileChanges,
): Promise<User> {
  const { version, ...fields } = changes;
  const now = deps.clock();
  const updated = await deps.directory.updateUser(
    caller.tenantId,
    caller.currentUserId,
    fields,
    version ?? caller.user.version,
    now.toISOString(),
  );
  await deps.publish([
    domainEvent('iam.user.profile_updated', callerEventContext(caller, now), {
      userId: caller.currentUserId,
      changedFields: Object.keys(fields).sort(),
      version: updated.version,
    }),
  ]);
  return updated;
}
