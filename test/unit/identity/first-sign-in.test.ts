import { describe, expect, it } from 'vitest';
import { decideFirstSignIn, provisionedRoles } from '../../../functions/identity/domain/first-sign-in';
import { readFlags } from '../../../functions/shared/flags';

const bothOn = readFlags({ USER_MGMT_CORE: 'true', OIDC_AUTO_PROVISION_USERS: 'true' });

describe('decideFirstSignIn', () => {
  it.each([
    ['both off', {}],
    ['only user_mgmt_core', { USER_MGMT_CORE: 'true' }],
    ['only oidc_auto_provision_users', { OIDC_AUTO_PROVISION_USERS: 'true' }],
  ])('skips provisioning with %s', (_label, env) => {
    for (const existingStatus of [undefined, 'INVITED', 'ACTIVE', 'DEACTIVATED'] as const) {
      expect(
        decideFirstSignIn({
          flags: readFlags(env),
          hasVerifiedEmail: true,
          ...(existingStatus ? { existingStatus } : {}),
        }),
      ).toBe('skip');
    }
  });

  it('refuses an identity without a verified email, even when a user has that email', () => {
    expect(decideFirstSignIn({ flags: bothOn, hasVerifiedEmail: false })).toBe('refuse_unverified');
    expect(decideFirstSignIn({ flags: bothOn, hasVerifiedEmail: false, existingStatus: 'ACTIVE' })).toBe(
      'refuse_unverified',
    );
  });

  it.each([
    [undefined, 'create'],
    ['INVITED', 'activate_and_link'],
    ['ACTIVE', 'link'],
    ['DEACTIVATED', 'keep_out'],
  ] as const)('with a verified email and an existing user %s: %s', (existingStatus, decision) => {
    expect(
      decideFirstSignIn({
        flags: bothOn,
        hasVerifiedEmail: true,
        ...(existingStatus ? { existingStatus } : {}),
      }),
    ).toBe(decision);
  });
});

describe('provisionedRoles', () => {
  it("is the policy's fallback roles, sorted and without repeats", () => {
    expect(provisionedRoles({ fallbackRoles: ['operator', 'member', 'operator'] })).toEqual([
      'member',
      'operator',
    ]);
  });

  it('may be no role at all when the policy says so', () => {
    expect(provisionedRoles({ fallbackRoles: [] })).toEqual([]);
  });
});
