import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  type Alarm,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EnvironmentSettings } from '../config/environments';
import { BulkImportAlarms } from './bulk-import-alarms';
import { BulkImportDashboard } from './bulk-import-dashboard';
import { type RunbookAlarmProps, runbookAlarm } from './runbook-alarm';

export interface MonitoredFunction {
  /** A readable, unique name: it labels the dashboard and names the alarms. */
  readonly name: string;
  readonly function: IFunction;
  /** Errors in five minutes that raise the alarm; 1 unless the function fails by design. */
  readonly errorsThreshold?: number;
}

export interface MonitoredQueue {
  readonly name: string;
  readonly queue: IQueue;
}

export interface MonitoredStateMachine {
  readonly name: string;
  readonly stateMachine: IStateMachine;
}

export interface ObservabilityConstructProps {
  readonly settings: EnvironmentSettings;
  readonly functions: readonly MonitoredFunction[];
  readonly restApi: RestApi;
  readonly deadLetterQueues: readonly MonitoredQueue[];
  /** Each gets alarms on failed and timed-out executions (an import that needs a redrive or a retry). */
  readonly stateMachines?: readonly MonitoredStateMachine[];
  readonly table: ITable;
  /** How often the entitlement expiry sweep runs (config/schedules.ts). */
  readonly expirySweepPeriod: Duration;
}

const PERIOD = Duration.minutes(5);
const API_5XX_RATE_THRESHOLD = 0.05;
const API_P99_LATENCY_THRESHOLD_MS = 3000;
const DYNAMODB_THROTTLES_THRESHOLD = 1;

/**
 * Alarms that page through one encrypted SNS topic (each names its runbook section), the
 * `Muster-<env>` dashboard of the platform and the seed's "IAM / Bulk Import Overview".
 */
export class ObservabilityConstruct extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  readonly bulkImportDashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityConstructProps) {
    super(scope, id);
    const { settings, restApi } = props;
    const stage = restApi.deploymentStage;

    // CloudWatch can only publish to an encrypted topic whose key policy lets it; the AWS-managed SNS
    // key cannot be given that grant, hence a key of our own.
    const topicKey = new Key(this, 'AlarmTopicKey', {
      description: `Muster ${settings.name}: alarm topic encryption`,
      enableKeyRotation: true,
      removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    topicKey.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: `Muster ${settings.name} alarms`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    if (settings.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));

    const topic = this.alarmTopic;
    const alarm = (alarmId: string, alarmProps: RunbookAlarmProps) =>
      runbookAlarm(this, alarmId, settings.name, topic, alarmProps);
    const functionAlarms: Alarm[] = [];
    // The alarms on the service as a whole: few enough for the dashboard's alarm status widget (100 at most).
    const alarms: Alarm[] = [];

    for (const monitored of props.functions) {
      const fn = monitored.function;
      const threshold = monitored.errorsThreshold ?? 1;
      functionAlarms.push(
        alarm(`${constructIdOf(monitored.name)}Errors`, {
          metric: fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
          meaning: `${monitored.name} failed ${threshold} or more times in 5 minutes.`,
          runbookAnchor: 'lambda-errors',
          threshold,
        }),
        alarm(`${constructIdOf(monitored.name)}Throttles`, {
          metric: fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
          meaning: `${monitored.name} was throttled (concurrency exhausted).`,
          runbookAnchor: 'lambda-throttles',
          threshold: 1,
        }),
      );
    }

    alarms.push(
      alarm('Api5xxRate', {
        metric: stage.metricServerError({ period: PERIOD, statistic: 'Average' }),
        meaning: `more than ${API_5XX_RATE_THRESHOLD * 100}% of API requests failed with 5XX.`,
        runbookAnchor: 'api-5xx-rate',
        threshold: API_5XX_RATE_THRESHOLD,
      }),
      alarm('ApiLatencyP99', {
        metric: stage.metricLatency({ period: PERIOD, statistic: 'p99' }),
        meaning: `API p99 latency above ${API_P99_LATENCY_THRESHOLD_MS} ms for 15 minutes.`,
        runbookAnchor: 'api-latency',
        threshold: API_P99_LATENCY_THRESHOLD_MS,
        evaluationPeriods: 3,
      }),
    );
    for (const { name, queue } of props.deadLetterQueues) {
      alarms.push(
        alarm(`${constructIdOf(name)}DeadLetters`, {
          metric: queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: 'Maximum',
          }),
          meaning: `${name} holds messages that were not processed.`,
          runbookAnchor: 'dead-letters',
          threshold: 1,
        }),
      );
    }
    for (const { name, stateMachine } of props.stateMachines ?? []) {
      alarms.push(
        alarm(`${constructIdOf(name)}ExecutionsFailed`, {
          metric: stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum' }),
          meaning: `${name} executions failed (redrive them, or retry the failed rows).`,
          runbookAnchor: 'executions-failed',
          threshold: 1,
        }),
        alarm(`${constructIdOf(name)}ExecutionsTimedOut`, {
          metric: stateMachine.metricTimedOut({ period: PERIOD, statistic: 'Sum' }),
          meaning: `${name} executions timed out.`,
          runbookAnchor: 'executions-timed-out',
          threshold: 1,
        }),
      );
    }
    const table = props.table;
    // The SDK retries a throttled request, so one is no outage; some every 5 minutes means the
    // table (or a hot partition) cannot keep up.
    for (const operation of ['Read', 'Write'] as const) {
      alarms.push(
        alarm(`DynamoDb${operation}Throttles`, {
          metric: table.metric(`${operation}ThrottleEvents`, { period: PERIOD, statistic: 'Sum' }),
          meaning: `the table throttled ${operation.toLowerCase()}s in 5 minutes.`,
          runbookAnchor: 'dynamodb-throttles',
          threshold: DYNAMODB_THROTTLES_THRESHOLD,
        }),
      );
    }
    alarms.push(
      ...new BulkImportAlarms(this, 'BulkImport', {
        environmentName: settings.name,
        topic,
        expirySweepPeriod: props.expirySweepPeriod,
      }).alarms,
    );
    this.alarms = [...functionAlarms, ...alarms];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `Muster-${settings.name}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# Muster ${settings.name}`, width: 24, height: 1 }),
    );
    this.dashboard.addWidgets(
      graph('API requests', [stage.metricCount({ period: PERIOD, statistic: 'Sum' })]),
      graph('API errors', [
        stage.metricClientError({ period: PERIOD, statistic: 'Sum' }),
        stage.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      ]),
      graph('API latency (ms)', [
        stage.metricLatency({ period: PERIOD, statistic: 'p50' }),
        stage.metricLatency({ period: PERIOD, statistic: 'p99' }),
        stage.metricIntegrationLatency({ period: PERIOD, statistic: 'p99' }),
      ]),
    );
    const byFunction = (metricOf: (fn: IFunction) => Metric) =>
      props.functions.map((monitored) => metricOf(monitored.function).with({ label: monitored.name }));
    this.dashboard.addWidgets(
      graph(
        'Lambda invocations',
        byFunction((fn) => fn.metricInvocations({ period: PERIOD, statistic: 'Sum' })),
      ),
      graph(
        'Lambda errors',
        byFunction((fn) => fn.metricErrors({ period: PERIOD, statistic: 'Sum' })),
      ),
      graph(
        'Lambda throttles',
        byFunction((fn) => fn.metricThrottles({ period: PERIOD, statistic: 'Sum' })),
      ),
      graph(
        'Lambda duration p99 (ms)',
        byFunction((fn) => fn.metricDuration({ period: PERIOD, statistic: 'p99' })),
      ),
    );
    this.dashboard.addWidgets(
      graph('DynamoDB consumed capacity', [
        table.metricConsumedReadCapacityUnits({ period: PERIOD, statistic: 'Sum' }),
        table.metricConsumedWriteCapacityUnits({ period: PERIOD, statistic: 'Sum' }),
      ]),
      graph('DynamoDB throttled requests', [table.metricThrottledRequestsForOperations({ period: PERIOD })]),
      graph('DynamoDB system errors', [table.metricSystemErrorsForOperations({ period: PERIOD })]),
    );
    const machines = props.stateMachines ?? [];
    if (machines.length > 0) {
      this.dashboard.addWidgets(
        graph(
          'Step Functions executions',
          machines.flatMap(({ name, stateMachine }) => [
            stateMachine.metricStarted({ period: PERIOD, statistic: 'Sum', label: `${name} started` }),
            stateMachine.metricSucceeded({ period: PERIOD, statistic: 'Sum', label: `${name} succeeded` }),
            stateMachine.metricFailed({ period: PERIOD, statistic: 'Sum', label: `${name} failed` }),
          ]),
        ),
      );
    }
    if (props.deadLetterQueues.length > 0) {
      this.dashboard.addWidgets(
        graph(
          'Dead-letter queue depth',
          props.deadLetterQueues.map(({ name, queue }) =>
            queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), label: name }),
          ),
        ),
      );
    }
    this.bulkImportDashboard = new BulkImportDashboard(this, 'BulkImportOverview', {
      environmentName: settings.name,
      alarms,
      stateMachines: props.stateMachines ?? [],
      deadLetterQueues: props.deadLetterQueues,
      table,
    }).dashboard;
  }
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 6, height: 6 });
}

function constructIdOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
