import { describe, expect, it } from 'vitest';
import { offers } from '../../../web/src/lib/navigation';

const FLAGS_ON = {
  'user-bulk-import': true,
  'iam-directory-v2': true,
  'notify-transactional': true,
  'audit-streaming': true,
  'iam-bulk-assign': true,
  'minimal-privilege-check': true,
  user_mgmt_core: true,
  user_mgmt_ui: true,
  user_mgmt_enforce: true,
  oidc_auto_provision_users: true,
};

const reader = { flags: FLAGS_ON, permissions: ['users.read' as const], rbacEnforced: true };

describe('offers', () => {
  it('offers a page whose flag is on and whose permission the caller holds', () => {
    expect(offers(reader, { flags: ['user_mgmt_ui', 'user_mgmt_core'], permission: 'users.read' })).toBe(
      true,
    );
  });

  it('hides a page the caller lacks the permission for while permissions are enforced', () => {
    expect(offers(reader, { flags: ['user-bulk-import'], permission: 'users.import' })).toBe(false);
    expect(offers(reader, { permission: 'audit.read' })).toBe(false);
  });

  it('offers it anyway while enforcement is off, as the API then answers with the gap only reported', () => {
    expect(offers({ ...reader, rbacEnforced: false }, { permission: 'users.import' })).toBe(true);
  });

  it('hides a page when any of its flags is off, whatever the permissions', () => {
    const needs = { flags: ['user_mgmt_ui', 'user_mgmt_core'] as const, permission: 'users.read' as const };
    for (const off of ['user_mgmt_ui', 'user_mgmt_core'] as const) {
      const flagOff = { ...reader, flags: { ...FLAGS_ON, [off]: false }, rbacEnforced: false };
      expect(offers(flagOff, needs), off).toBe(false);
    }
  });

  it('offers a page that needs nothing to everyone', () => {
    expect(offers({ ...reader, permissions: [] }, {})).toBe(true);
  });
});
