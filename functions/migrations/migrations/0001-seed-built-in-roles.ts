import { createHash } from 'node:crypto';
import { BUILT_IN_ROLES } from '../../identity/domain/roles';
import type { Migration } from '../migration';

/**
 * Repeatable: the built-in roles are reference data that evolves with the code, so this runs
 * again (an upsert of every definition) whenever `BUILT_IN_ROLES` changes, locally and on deploy.
 */
export const seedBuiltInRoles: Migration = {
  id: '0001-seed-built-in-roles',
  description:
    'Seed the built-in roles, the default operator role among them (seed 003), and keep them current.',
  checksum: createHash('sha256').update(JSON.stringify(BUILT_IN_ROLES)).digest('hex'),
  async up({ directory, now }) {
    for (const role of BUILT_IN_ROLES) await directory.putRoleDefinition(role, now().toISOString());
  },
};
