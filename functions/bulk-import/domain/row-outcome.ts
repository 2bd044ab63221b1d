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
  /** When the batch was provisioned: its welcome emails' latency is measured from it. */
  readonly provisionedAt?: string;
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
 * The counts of a finished run from the task's validation counts and the rows' latest outcomes.
 * `succeeded + failed = valid` always: a valid row with no outcome counts as failed (its batch
 * never finished), so no row is ever unaccounted for.
 */
export function countsFrom(
  validation: Pick<TaskCounts, 'total' | 'valid' | 'invalid'>,
  latest: ReadonlyMap<number, RowOutcome>,
): TaskCounts {
  let succeeded = 0;
  let pendingApproval = 0;
  let notified = 0;
  for (const outcome of latest.values()) {
    if (outcome.status === 'CREATED') succeeded++;
    if (outcome.status === 'CREATED' && outcome.pendingApproval) pendingApproval++;
    if (outcome.notification === 'SENT') notified++;
  }
  return { ...validation, succeeded, failed: validation.valid - succeeded, pendingApproval, notified };
}

/** What one batch did, in numbers: stored beside its rows so progress can be read cheaply. */
export interface BatchSummary {
  readonly created: number;
  readonly failed: number;
  readonly pendingApproval: number;
  readonly notified: number;
}

export function summarizeBatch(outcome: BatchOutcome): BatchSummary {
  return {
    created: outcome.rows.filter((row) => row.status === 'CREATED').length,
    failed: outcome.rows.filter((row) => row.status === 'FAILED').length,
    pendingApproval: outcome.rows.filter((row) => row.status === 'CREATED' && row.pendingApproval).length,
    notified: outcome.rows.filter((row) => row.notification === 'SENT').length,
  };
}

/**
 * Counts while a run is in progress: the successes of earlier runs (settled in `settled`) plus
 * what this run's finished batches report. Exact counts come when the run is finalized.
 */
export function progressCounts(
  settled: TaskCounts,
  run: number,
  batches: readonly BatchSummary[],
): TaskCounts {
  const sum = (field: keyof BatchSummary) => batches.reduce((total, batch) => total + batch[field], 0);
  const earlier = run > 1 ? settled : { ...settled, succeeded: 0, pendingApproval: 0, notified: 0 };
  return {
    ...settled,
    succeeded: earlier.succeeded + sum('created'),
    failed: sum('failed'),
    pendingApproval: earlier.pendingApproval + sum('pendingApproval'),
    notified: earlier.notified + sum('notified'),
  };
}
