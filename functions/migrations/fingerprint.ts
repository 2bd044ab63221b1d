import { createHash } from 'node:crypto';
import type { Migration } from './migration';
import { MIGRATIONS } from './migrations';

/**
 * Changes exactly when the migration set would do something new: a migration added, or a
 * repeatable one whose checksum changed. The deploy's custom resource carries it as a property,
 * so CloudFormation re-runs the migrations precisely then.
 */
export function migrationSetFingerprint(migrations: readonly Migration[] = MIGRATIONS): string {
  const parts = migrations.map((migration) => `${migration.id}:${migration.checksum ?? ''}`);
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}
