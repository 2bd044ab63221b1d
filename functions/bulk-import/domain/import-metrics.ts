import type { TaskCounts } from './import-task';
import type { RowOutcome } from './row-outcome';

/**
 * `failed` of `attempted` in percent, CloudWatch's Percent unit, which the alarms' thresholds are
 * written in (5 means 5%). Nothing attempted is no failure.
 */
export function failurePercent(failed: number, attempted: number): number {
  return attempted > 0 ? (100 * failed) / attempted : 0;
}

/** `iam_bulk_import_error_ratio`: the valid rows of a finished run that were not provisioned. */
export function runErrorRatio(counts: Pick<TaskCounts, 'failed' | 'valid'>): number {
  return failurePercent(counts.failed, counts.valid);
}

/** `iam_bulk_import_batch_error_ratio`: the rows of one provisioned batch that failed. */
export function batchErrorRatio(rows: readonly Pick<RowOutcome, 'status'>[]): number {
  return failurePercent(rows.filter((row) => row.status === 'FAILED').length, rows.length);
}

/** The welcome emails one notification step tried to send, and how long after provisioning it sent them. */
export interface NotificationDelivery {
  readonly sent: number;
  readonly failed: number;
  /** Seconds from the batch's provisioning to its emails; absent when none was sent or the time is unknown. */
  readonly latencySeconds?: number;
}

/**
 * What a notification step did, from the batch's rows before and after it: a row SENT earlier
 * (a retried step) is not sent again and does not count; a row FAILED earlier is tried again.
 */
export function notificationDelivery(
  before: readonly Pick<RowOutcome, 'notification'>[],
  after: readonly Pick<RowOutcome, 'notification'>[],
  provisionedAt: string | undefined,
  now: Date,
): NotificationDelivery {
  const count = (rows: readonly Pick<RowOutcome, 'notification'>[], state: RowOutcome['notification']) =>
    rows.filter((row) => row.notification === state).length;
  const sent = count(after, 'SENT') - count(before, 'SENT');
  const failed = count(after, 'FAILED');
  if (sent === 0 || provisionedAt === undefined) return { sent, failed };
  return { sent, failed, latencySeconds: Math.max(0, (now.getTime() - Date.parse(provisionedAt)) / 1000) };
}

/** `iam_bulk_import_notification_failure_ratio`, or undefined when the step tried no email. */
export function notificationFailureRatio(delivery: NotificationDelivery): number | undefined {
  const attempted = delivery.sent + delivery.failed;
  return attempted > 0 ? failurePercent(delivery.failed, attempted) : undefined;
}
