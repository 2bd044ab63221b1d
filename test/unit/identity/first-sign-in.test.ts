import { describe, expect, it } from 'vitest';
import { decideFirstSignIn, provisionedRoles } from '../../../functions/identity/domain/first-sign-in';
import { readFlags } from '../../../functions/shared/flags';

const bothOn = readFlags({ USER_MGMT_CORE: 'true', OIDC_AUTO_PROVISION_USERS: 'true' });

describe('decideFirstSignIn', () => {
  it.each([
    ['both off', {}],
    ['only user_mgmt_core', { USER_MGMT_CORE: 'true' }],
    ['only oidc_auto_provision_users', { OIDC_AUTO_PROVISION_USERS: 'true' }],
  ])('with %s, only links a verified email to a user who is not deactivated', (_label, env) => {
    const flags = readFlags(env);
    const decide = (hasVerifiedEmail: boolean, existingStatus?: 'INVITED' | 'ACTIVE' | 'DEACTIVATED') =>
      decideFirstSignIn({ flags, hasVerifiedEmail, ...(existingStatus ? { existingStatus } : {}) });
    expect(decide(true)).toBe('unknown');
    expect(decide(true, 'INVITED')).toBe('link');
    expect(decide(true, 'ACTIVE')).toBe('link');
    expect(decide(true, 'DEACTIVATED')).toBe('keep_out');
    expect(decide(false)).toBe('unknown');
    expect(decide(false, 'ACTIVE')).toBe('unknown');
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
