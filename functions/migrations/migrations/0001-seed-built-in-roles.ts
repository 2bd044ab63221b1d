import { BUILT_IN_ROLES } from '../../identity/domain/roles';
import type { Migration } from '../migration';

export const seedBuiltInRoles: Migration = {
  id: '0001-seed-built-in-roles',
  description: 'Seed the built-in roles, the default operator role among them (seed 003).',
  async up({ directory, now }) {
    for (const role of BUILT_IN_ROLES) await directory.putRoleDefinition(role, now().toISOString());
  },
};
