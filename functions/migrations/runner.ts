import { randomUUID } from 'node:crypto';
import type { MigrationRepository } from './adapters/migration-repository';
import type { Migration, MigrationContext } from './migration';

export interface MigrationReport {
  readonly applied: string[];
  readonly alreadyApplied: string[];
}

export interface RunMigrationsDeps {
  readonly repository: Pick<MigrationRepository, 'applied' | 'recordApplied' | 'acquireLock' | 'releaseLock'>;
  readonly context: MigrationContext;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Our migrations take well under a second; a short lease means a runner that crashed (a killed
 * local stack, a timed-out deploy) blocks the next one for a minute at most. A migration that
 * needs longer must renew the lease.
 */
const LEASE_SECONDS = 60;
/** Waiting one second per attempt outlasts a crashed runner's lease. */
const LOCK_ATTEMPTS = LEASE_SECONDS + 15;

/**
 * Applies, in id order, every migration not yet recorded, and every repeatable one whose checksum
 * changed since it last ran. Runs under a lock so concurrent
 * runners (two deploys, or a deploy and `npm run migrate`) take turns; the second finds the work
 * done. Safe to run any number of times.
 */
export async function runMigrations(
  migrations: readonly Migration[],
  deps: RunMigrationsDeps,
): Promise<MigrationReport> {
  assertOrdered(migrations);
  const owner = randomUUID();
  const sleep = deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let locked = false;
  for (let attempt = 0; attempt < LOCK_ATTEMPTS && !locked; attempt++) {
    locked = await deps.repository.acquireLock(owner, deps.context.now(), LEASE_SECONDS);
    if (!locked) await sleep(1000);
  }
  if (!locked) throw new Error(`Another migration runner has held the lock for over ${LOCK_ATTEMPTS} s`);

  try {
    const done = await deps.repository.applied();
    const report: MigrationReport = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const upToDate = done.has(migration.id) && done.get(migration.id) === migration.checksum;
      if (upToDate) {
        report.alreadyApplied.push(migration.id);
        continue;
      }
      await migration.up(deps.context);
      await deps.repository.recordApplied(
        migration.id,
        migration.description,
        deps.context.now(),
        migration.checksum,
      );
      report.applied.push(migration.id);
    }
    return report;
  } finally {
    await deps.repository.releaseLock(owner);
  }
}

function assertOrdered(migrations: readonly Migration[]): void {
  const ids = migrations.map((migration) => migration.id);
  if (new Set(ids).size !== ids.length) throw new Error(`Duplicate migration id in ${ids.join(', ')}`);
  const sorted = [...ids].sort();
  if (sorted.join() !== ids.join())
    throw new Error(`Migrations must be listed in id order: ${ids.join(', ')}`);
}
