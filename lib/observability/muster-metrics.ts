import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import { POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME } from '../shared/muster-function';

/**
 * The metrics the functions publish (EMF through Powertools, functions/shared/observability.ts).
 * Powertools adds the `service` dimension (POWERTOOLS_SERVICE_NAME) to every data point, so a
 * metric is found only with it.
 */
export const MUSTER_METRICS = {
  importDuration: 'iam_bulk_import_duration_seconds',
  importSucceeded: 'iam_bulk_import_success_total',
  importFailed: 'iam_bulk_import_failure_total',
  importErrorRatio: 'iam_bulk_import_error_ratio',
  importBatchErrorRatio: 'iam_bulk_import_batch_error_ratio',
  importRetries: 'iam_bulk_import_retry_total',
  notified: 'iam_bulk_import_notified_total',
  notificationFailureRatio: 'iam_bulk_import_notification_failure_ratio',
  notificationLatency: 'iam_bulk_import_notification_latency_seconds',
  batchAssignFailureRatio: 'iam.batch_assign.failure_ratio',
  batchAssignQueueLatency: 'iam.batch_assign.queue_latency',
  batchAssignApprovalDuration: 'iam.batch_assign.approval_duration',
  approvalOverdueWait: 'iam.approval.overdue_wait_seconds',
  expiryReminders: 'iam.permission.expiry_reminders',
  permissionsExpired: 'iam.permission.expired',
  batchRequests: 'BatchRequests',
  batchDuration: 'BatchDuration',
  batchRefused: 'BatchRefused',
  batchSubrequests: 'BatchSubrequests',
  rbacDenied: 'RbacDenied',
  rbacWouldDeny: 'RbacWouldDeny',
} as const;
export type MusterMetricName = (typeof MUSTER_METRICS)[keyof typeof MUSTER_METRICS];

/** A Muster metric without any dimension but `service`: every tenant's data points together. */
export function musterMetric(
  metricName: MusterMetricName,
  options: Pick<MetricOptions, 'statistic' | 'period' | 'label'>,
): Metric {
  return new Metric({
    namespace: POWERTOOLS_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: POWERTOOLS_SERVICE_NAME },
    ...options,
  });
}

/**
 * One line per value of `dimension` (a tenant, an HTTP status): a SEARCH, which a dashboard can
 * draw but an alarm cannot watch, so alarms read the dimensionless twin instead.
 */
export function musterMetricBy(
  metricName: MusterMetricName,
  dimension: string,
  statistic: string,
  period: Duration = Duration.minutes(5),
): MathExpression {
  return new MathExpression({
    expression: `SEARCH('{${POWERTOOLS_METRICS_NAMESPACE},${dimension},service} MetricName="${metricName}"', '${statistic}', ${period.toSeconds()})`,
    label: '',
    period,
  });
}
