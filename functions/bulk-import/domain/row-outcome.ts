import type { TaskCounts } from './import-task';

/** What provisioning did with one valid row in one run. */
export interface RowOutcome {
  readonly row: number;
  readonly email: string;
  readonly userId?: string;
  readonly status: 'CREATED' | 'FAILED';
  readonly code?: string;
  readonly message?: string;
  /** The user was created with grants that wait for an approval. */
  readonly pendingApproval?: boolean;
  readonly notification?: 'SENT' | 'FAILED' | 'SKIPPED';
}

export interface BatchOutcome {
  readonly run: number;
  readonly batch: number;
  readonly rows: readonly RowOutcome[];
}

/** Each row's latest outcome across runs: a row that failed in run 1 and was created in run 2 counts as created. */
export function latestOutcomes(batches: readonly BatchOutcome[]): Map<number, RowOutcome> {
  const latest = new Map<number, RowOutcome>();
  for (const batch of [...batches].sort((a, b) => a.run - b.run || a.batch - b.batch)) {
    for (const outcome of batch.rows) {
      const previous = latest.get(outcome.row);
      // A created row stays created: a later run never replays it, so nothing can overwrite it.
      if (previous?.status !== 'CREATED') latest.set(outcome.row, outcome);
    }
  }
  return latest;
}

/**
 * The counts of a task from its validation counts and the rows' latest outcomes. `succeeded +
 * failed = valid` holds whenever `complete` is set: a valid row with no outcome then counts as
 * failed (its batch never finished), so no row is ever unaccounted for.
 */
export function countsFrom(
  validation: Pick<TaskCounts, 'total' | 'valid' | 'invalid'>,
  latest: ReadonlyMap<number, RowOutcome>,
  complete: boolean,
): TaskCounts {
  let succeeded = 0;
  let failed = 0;
  let pendingApproval = 0;
  let notified = 0;
  for (const outcome of latest.values()) {
    if (outcome.status === 'CREATED') succeeded++;
    else failed++;
    if (outcome.status === 'CREATED' && outcome.pendingApproval) pendingApproval++;
    if (outcome.notification === 'SENT') notified++;
  }
  if (complete) failed = validation.valid - succeeded;
  return { ...validation, succeeded, failed, pendingApproval, notified };
}
