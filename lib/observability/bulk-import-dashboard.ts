import { Duration } from 'aws-cdk-lib';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BULK_IMPORT_THRESHOLDS } from './bulk-import-alarms';
import { MUSTER_METRICS, musterMetric, musterMetricBy } from './muster-metrics';

export const BULK_IMPORT_DASHBOARD_TITLE = 'IAM / Bulk Import Overview';
/** The seed's SLO: P95 of an import's duration at most 600 s. */
const IMPORT_DURATION_P95_SLO_SECONDS = 600;
const PERIOD = Duration.minutes(5);

export interface BulkImportDashboardProps {
  readonly environmentName: string;
  readonly alarms: readonly Alarm[];
  readonly stateMachines: readonly { readonly name: string; readonly stateMachine: IStateMachine }[];
  readonly deadLetterQueues: readonly { readonly name: string; readonly queue: IQueue }[];
  readonly table: ITable;
}

/**
 * The seed's "IAM / Bulk Import Overview": a row each for imports, welcome notifications, batch
 * assignment and approvals, the `$batch` API, and the platform under them, then every alarm's state.
 * Lines that reach an alarm show its threshold.
 */
export class BulkImportDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: BulkImportDashboardProps) {
    super(scope, id);
    const t = BULK_IMPORT_THRESHOLDS;
    const m = MUSTER_METRICS;
    const sum = (name: (typeof m)[keyof typeof m], label: string) =>
      musterMetric(name, { statistic: 'Sum', period: PERIOD, label });
    // Dashboard names allow no spaces or slashes: the title is the header.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `Muster-${props.environmentName}-IAM-Bulk-Import-Overview`,
      defaultInterval: Duration.hours(6),
    });
    const section = (title: string, widgets: GraphWidget[]) => {
      this.dashboard.addWidgets(new TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
      this.dashboard.addWidgets(...widgets);
    };
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${BULK_IMPORT_DASHBOARD_TITLE} (${props.environmentName})`,
        width: 24,
        height: 1,
      }),
    );

    section('Import', [
      graph(
        'Import duration (s)',
        [
          musterMetric(m.importDuration, { statistic: 'p95', period: PERIOD, label: 'p95' }),
          musterMetric(m.importDuration, { statistic: 'Maximum', period: PERIOD, label: 'max' }),
        ],
        [
          { value: IMPORT_DURATION_P95_SLO_SECONDS, label: 'SLO p95' },
          { value: t.importRuntimeSeconds, label: 'alarm' },
        ],
      ),
      graph('Import duration p95 by tenant (s)', [musterMetricBy(m.importDuration, 'tenant', 'p95')]),
      graph('Rows provisioned', [
        sum(m.importSucceeded, 'succeeded'),
        sum(m.importFailed, 'failed'),
        sum(m.importRetries, 'retried runs'),
      ]),
      graph(
        'Error ratio (%)',
        [
          musterMetric(m.importErrorRatio, { statistic: 'Average', period: PERIOD, label: 'runs' }),
          musterMetric(m.importBatchErrorRatio, {
            statistic: 'Minimum',
            period: Duration.minutes(1),
            label: 'batches (best of the minute)',
          }),
        ],
        [{ value: t.batchErrorPercent, label: 'alarm (3 in a row)' }],
      ),
    ]);
    section('Notifications', [
      graph('Welcome emails sent', [sum(m.notified, 'sent')]),
      graph(
        'Welcome email failures (%)',
        [musterMetric(m.notificationFailureRatio, { statistic: 'Average', period: PERIOD, label: 'failed' })],
        [{ value: t.notificationFailurePercent, label: 'alarm' }],
      ),
      graph('Welcome email latency from provisioning (s)', [
        musterMetric(m.notificationLatency, { statistic: 'p50', period: PERIOD, label: 'p50' }),
        musterMetric(m.notificationLatency, { statistic: 'p95', period: PERIOD, label: 'p95' }),
      ]),
    ]);
    section('Batch assignment and approvals', [
      graph(
        'Batch assignment failures (%)',
        [
          musterMetric(m.batchAssignFailureRatio, {
            statistic: 'Average',
            period: Duration.hours(1),
            label: 'hourly',
          }),
        ],
        [{ value: t.batchAssignFailurePercent, label: 'alarm' }],
      ),
      graph('Batch assignment queue latency (s)', [
        musterMetric(m.batchAssignQueueLatency, { statistic: 'p95', period: PERIOD, label: 'p95' }),
      ]),
      graph(
        'Approval waits (s)',
        [
          musterMetric(m.batchAssignApprovalDuration, {
            statistic: 'p95',
            period: PERIOD,
            label: 'decided, p95',
          }),
          musterMetric(m.approvalOverdueWait, {
            statistic: 'Maximum',
            period: PERIOD,
            label: 'past SLA, max',
          }),
        ],
        [{ value: t.approvalPendingSeconds, label: 'alarm' }],
      ),
      graph(
        'Expiring and expired grants',
        [sum(m.expiryReminders, 'iam.permission.expiring'), sum(m.permissionsExpired, 'expired')],
        [{ value: t.expiringPermissions, label: 'alarm (per sweep)' }],
      ),
    ]);
    section('$batch API', [
      graph('$batch envelopes', [sum(m.batchRequests, 'requests')]),
      graph('$batch duration (ms)', [
        musterMetric(m.batchDuration, { statistic: 'p95', period: PERIOD, label: 'p95' }),
      ]),
      graph('$batch refused by status', [musterMetricBy(m.batchRefused, 'status', 'Sum')]),
      graph('$batch requests by status class', [musterMetricBy(m.batchSubrequests, 'statusClass', 'Sum')]),
      graph('RBAC denials', [
        sum(m.rbacDenied, 'denied'),
        sum(m.rbacWouldDeny, 'would deny (enforcement off)'),
      ]),
    ]);
    section('Platform health', [
      graph(
        'Step Functions executions failed',
        props.stateMachines.flatMap(({ name, stateMachine }) => [
          stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum', label: `${name} failed` }),
          stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum', label: `${name} timed out` }),
        ]),
      ),
      graph(
        'Dead-letter queue depth',
        props.deadLetterQueues.map(({ name, queue }) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
            label: name,
          }),
        ),
      ),
      graph('DynamoDB throttled requests', [
        props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum', label: 'reads' }),
        props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum', label: 'writes' }),
      ]),
    ]);
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24, height: 6 }),
    );
  }
}

function graph(
  title: string,
  metrics: IMetric[],
  thresholds: readonly { value: number; label: string }[] = [],
): GraphWidget {
  return new GraphWidget({ title, left: metrics, leftAnnotations: [...thresholds], width: 6, height: 6 });
}
