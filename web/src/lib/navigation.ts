import type { components } from '../../../clients/muster-api';

type Me = components['schemas']['Me'];
type Flag = keyof Me['flags'];
type Permission = Me['permissions'][number];

/** What a console page needs of the caller: its feature flags on, its permission held. */
export interface PageNeeds {
  readonly flags?: readonly Flag[];
  readonly permission?: Permission;
}

/**
 * Whether the console offers a page to the caller. While `user_mgmt_enforce` is off the API only
 * reports a missing permission and answers anyway, so the page is offered as the API would serve it.
 */
export function offers(me: Pick<Me, 'flags' | 'permissions' | 'rbacEnforced'>, needs: PageNeeds): boolean {
  if (needs.flags?.some((flag) => me.flags[flag] !== true)) return false;
  if (needs.permission === undefined || !me.rbacEnforced) return true;
  return me.permissions.includes(needs.permission);
}
