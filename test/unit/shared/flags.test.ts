import { describe, expect, it } from 'vitest';
import { FLAG_NAMES, flagEnvironment, flagEnvName, readFlags } from '../../../functions/shared/flags';

describe('feature flags', () => {
  it("names each flag's environment variable after the flag", () => {
    expect(flagEnvName('user-bulk-import')).toBe('USER_BULK_IMPORT');
    expect(flagEnvName('user_mgmt_core')).toBe('USER_MGMT_CORE');
    expect(flagEnvName('oidc_auto_provision_users')).toBe('OIDC_AUTO_PROVISION_USERS');
  });

  it.each(['1', 'true', 'TRUE', 'yes', 'Yes', 'on', ' on '])('treats %j as on (seed 003)', (value) => {
    expect(readFlags({ USER_MGMT_CORE: value }).user_mgmt_core).toBe(true);
  });

  it.each(['0', 'false', 'off', 'no', '', 'enabled', 'y'])('treats %j as off', (value) => {
    expect(readFlags({ USER_MGMT_CORE: value }).user_mgmt_core).toBe(false);
  });

  it('turns every flag off when nothing is set: the behaviour before the flags existed', () => {
    const flags = readFlags({});
    for (const flag of FLAG_NAMES) expect(flags[flag]).toBe(false);
  });

  it('reads each flag independently', () => {
    const flags = readFlags({ IAM_BULK_ASSIGN: 'on', USER_MGMT_ENFORCE: 'off' });
    expect(flags['iam-bulk-assign']).toBe(true);
    expect(flags.user_mgmt_enforce).toBe(false);
    expect(flags['user-bulk-import']).toBe(false);
  });

  it('round-trips through the environment a deployment passes', () => {
    const env = flagEnvironment({ 'audit-streaming': true, user_mgmt_ui: false });
    expect(env).toEqual({ AUDIT_STREAMING: 'true', USER_MGMT_UI: 'false' });
    const flags = readFlags(env);
    expect(flags['audit-streaming']).toBe(true);
    expect(flags.user_mgmt_ui).toBe(false);
  });
});
