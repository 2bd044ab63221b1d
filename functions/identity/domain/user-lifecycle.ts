import type { UserStatus } from './rbac';

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
