import type { Migration } from '../migration';
import { seedBuiltInRoles } from './0001-seed-built-in-roles';
import { backfillOperatorSuperuser } from './0002-backfill-operator-superuser';

/** Every migration, in the order they apply. Append; never reorder or edit one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [seedBuiltInRoles, backfillOperatorSuperuser];
