import type { Migration } from '../migration';
import { seedBuiltInRoles } from './0001-seed-built-in-roles';
import { backfillOperatorSuperuser } from './0002-backfill-operator-superuser';

/**
 * Every migration, in the order they apply. Append; never reorder, and never edit a one-time
 * migration that has shipped (repeatable ones, with a checksum, exist to be edited).
 */
export const MIGRATIONS: readonly Migration[] = [seedBuiltInRoles, backfillOperatorSuperuser];
