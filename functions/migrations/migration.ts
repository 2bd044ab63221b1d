import type { DirectoryRepository } from '../identity/adapters/directory-repository';

export interface MigrationContext {
  readonly directory: DirectoryRepository;
  readonly operator: { readonly tenantId: string; readonly email: string };
  readonly now: () => Date;
}

/**
 * One versioned change to the data. `id` orders migrations (zero-padded number, then a slug) and
 * is recorded once applied. `up` must be idempotent on its own too: a crash after `up` and before
 * the record means it runs again.
 */
export interface Migration {
  readonly id: string;
  readonly description: string;
  /**
   * Makes the migration repeatable: it runs again whenever this changes (a hash of what it
   * writes), like reference data that evolves with the code. Absent: it runs once, ever.
   */
  readonly checksum?: string;
  up(context: MigrationContext): Promise<void>;
}
