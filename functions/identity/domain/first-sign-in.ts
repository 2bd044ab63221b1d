import type { FlagSet } from '../../shared/flags';
import type { UserStatus } from './rbac';

/**
 * What the first request of an identity the directory has not linked yet leads to. Since before the
 * flags, a verified email links its subject to the tenant's user with that email; OIDC
 * auto-provisioning (issue 5, seed 003: both `user_mgmt_core` and `oidc_auto_provision_users` on)
 * adds making and activating users:
 * - `unknown`: nobody to link and provisioning off: the identity stays unknown to the directory.
 * - `refuse_unverified`: provisioning only ever finds or makes a user by an email the provider vouches for.
 * - `create`: no user has the email; make one with the tenant's default roles and link the subject.
 * - `activate_and_link`: an invited or imported user signs in for the first time.
 * - `link`: link the subject to the user with the email, leaving the user as they are.
 * - `keep_out`: a deactivated user gains no new way in: nothing is linked.
 */
export type FirstSignInDecision =
  | 'unknown'
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
  const provisioning = autoProvisioningEnabled(input.flags);
  if (!input.hasVerifiedEmail) return provisioning ? 'refuse_unverified' : 'unknown';
  switch (input.existingStatus) {
    case undefined:
      return provisioning ? 'create' : 'unknown';
    case 'INVITED':
      // With provisioning off, an invited user is linked as before the flags, and stays invited.
      return provisioning ? 'activate_and_link' : 'link';
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
