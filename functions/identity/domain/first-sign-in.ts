import type { FlagSet } from '../../shared/flags';
import type { UserStatus } from './rbac';

/**
 * What the first request of an identity the directory has not linked yet leads to, under OIDC
 * auto-provisioning (issue 5, seed 003):
 * - `skip`: provisioning is off (it needs both `user_mgmt_core` and `oidc_auto_provision_users`);
 *   only the long-standing link of a verified email to an existing user applies.
 * - `refuse_unverified`: a user is only ever found or made by an email the provider vouches for.
 * - `create`: no user has the email; make one with the tenant's default roles and link the subject.
 * - `activate_and_link`: an invited or imported user signs in for the first time.
 * - `link`: an active user signs in through a new identity.
 * - `keep_out`: a deactivated user gains no new way in: nothing is linked.
 */
export type FirstSignInDecision =
  | 'skip'
  | 'refuse_unverified'
  | 'create'
  | 'activate_and_link'
  | 'link'
  | 'keep_out';

export function autoProvisioningEnabled(flags: FlagSet): boolean {
  return flags.user_mgmt_core && flags.oidc_auto_provision_users;
}

export function decideFirstSignIn(input: {
  readonly flags: FlagSet;
  readonly hasVerifiedEmail: boolean;
  /** The status of the user holding the verified email, if any. */
  readonly existingStatus?: UserStatus;
}): FirstSignInDecision {
  if (!autoProvisioningEnabled(input.flags)) return 'skip';
  if (!input.hasVerifiedEmail) return 'refuse_unverified';
  switch (input.existingStatus) {
    case undefined:
      return 'create';
    case 'INVITED':
      return 'activate_and_link';
    case 'ACTIVE':
      return 'link';
    case 'DEACTIVATED':
      return 'keep_out';
  }
}

/**
 * The roles a provisioned user starts with. An identity token says nothing of department or job
 * family, so no rule of the tenant's default role policy can match: its fallback roles apply, as
 * for an imported row without those columns.
 */
export function provisionedRoles(policy: { readonly fallbackRoles: readonly string[] }): string[] {
  return [...new Set(policy.fallbackRoles)].sort();
}
