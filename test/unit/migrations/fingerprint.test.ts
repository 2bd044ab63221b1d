import { describe, expect, it } from 'vitest';
import { migrationSetFingerprint } from '../../../functions/migrations/fingerprint';
import type { Migration } from '../../../functions/migrations/migration';
import { MIGRATIONS } from '../../../functions/migrations/migrations';

const migration = (id: string, checksum?: string): Migration => ({
  id,
  description: id,
  ...(checksum ? { checksum } : {}),
  up: async () => undefined,
});

describe('migrationSetFingerprint', () => {
  it('changes when a migration is added or a repeatable one changes, and only then', () => {
    const base = migrationSetFingerprint([migration('0001-a', 'v1')]);
    expect(migrationSetFingerprint([migration('0001-a', 'v1')])).toBe(base);
    expect(migrationSetFingerprint([migration('0001-a', 'v2')])).not.toBe(base);
    expect(migrationSetFingerprint([migration('0001-a', 'v1'), migration('0002-b')])).not.toBe(base);
  });

  it('covers the built-in roles through the repeatable seed migration', () => {
    expect(MIGRATIONS.find((candidate) => candidate.id === '0001-seed-built-in-roles')?.checksum).toMatch(
      /^[0-9a-f]{64}$/,
    );
    expect(migrationSetFingerprint()).toMatch(/^[0-9a-f]{64}$/);
  });
});
