import { Duration } from 'aws-cdk-lib';
import { type Alarm, ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { MUSTER_METRICS, musterMetric } from './muster-metrics';
import { runbookAlarm } from './runbook-alarm';

/**
 * The thresholds seed 000 ("Observability & Ops") and seed 001 ("Telemetry & Ops") set, as the
 * alarms compare them: ratios in percent, durations in seconds.
 */
export const BULK_IMPORT_THRESHOLDS = {
  batchErrorPercent: 5,
  consecutiveBatches: 3,
  importRuntimeSeconds: 15 * 60,
  approvalPendingSeconds: 30 * 60,
  notificationFailurePercent: 3,
  batchAssignFailurePercent: 2,
  expiringPermissions: 10,
} as const;

export interface BulkImportAlarmsProps {
  readonly environmentName: string;
  readonly topic: ITopic;
  /** How often the expiry sweep runs: its reminders are counted over one run. */
  readonly expirySweepPeriod: Duration;
}

/** The seeds' alarms on what bulk import, batch assignment and approvals report. */
export class BulkImportAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: BulkImportAlarmsProps) {
    super(scope, id);
    const t = BULK_IMPORT_THRESHOLDS;
    const alarm = (alarmId: string, alarmProps: Parameters<typeof runbookAlarm>[4]) =>
      runbookAlarm(this, alarmId, props.environmentName, props.topic, alarmProps);
    this.alarms = [
      // A data point per provisioned batch. Batches run side by side, so "consecutive" is a minute's
      // batches: its best batch (Minimum) above 5% three minutes running. Minutes without a batch are
      // skipped (CloudWatch evaluates the latest data points it has), so a slow run still counts.
      alarm('ImportFailureRate', {
        metric: musterMetric(MUSTER_METRICS.importBatchErrorRatio, {
          statistic: 'Minimum',
          period: Duration.minutes(1),
        }),
        meaning: `more than ${t.batchErrorPercent}% of the rows failed in each of ${t.consecutiveBatches} batches in a row (page: imports are failing, not a few bad rows).`,
        runbookAnchor: 'import-failure-rate',
        threshold: t.batchErrorPercent,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: t.consecutiveBatches,
      }),
      // Reported when a run finishes; a run still going at 15 minutes shows on the dashboard first.
      alarm('ImportRuntime', {
        metric: musterMetric(MUSTER_METRICS.importDuration, {
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        meaning: `an import run took more than ${t.importRuntimeSeconds / 60} minutes (the SLO is P95 at most 10 minutes; tell #iam-alerts).`,
        runbookAnchor: 'import-runtime',
        threshold: t.importRuntimeSeconds,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      // The approval sweep (every 5 minutes) reports each approval it finds past its SLA, once.
      alarm('ApprovalPending', {
        metric: musterMetric(MUSTER_METRICS.approvalOverdueWait, {
          statistic: 'Maximum',
          period: Duration.minutes(5),
        }),
        meaning: `an approval has been pending more than ${t.approvalPendingSeconds / 60} minutes (its approvers were reminded and security escalated).`,
        runbookAnchor: 'approval-pending',
        threshold: t.approvalPendingSeconds,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      alarm('NotificationFailureRatio', {
        metric: musterMetric(MUSTER_METRICS.notificationFailureRatio, {
          statistic: 'Average',
          period: Duration.minutes(5),
        }),
        meaning: `more than ${t.notificationFailurePercent}% of the welcome emails failed (warning: replay them, or export the failure list for manual outreach).`,
        runbookAnchor: 'notification-failure-ratio',
        threshold: t.notificationFailurePercent,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      alarm('BatchAssignFailureRate', {
        metric: musterMetric(MUSTER_METRICS.batchAssignFailureRatio, {
          statistic: 'Average',
          period: Duration.hours(1),
        }),
        meaning: `more than ${t.batchAssignFailurePercent}% of batch role assignments failed in the last hour.`,
        runbookAnchor: 'batch-assign-failure-rate',
        threshold: t.batchAssignFailurePercent,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
      alarm('PermissionsExpiring', {
        metric: musterMetric(MUSTER_METRICS.expiryReminders, {
          statistic: 'Sum',
          period: props.expirySweepPeriod,
        }),
        meaning: `more than ${t.expiringPermissions} grants are about to expire (iam.permission.expiring): prompt their owners to renew or let them go.`,
        runbookAnchor: 'permissions-expiring',
        threshold: t.expiringPermissions,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      }),
    ];
  }
}
