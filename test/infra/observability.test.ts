import { type CfnElement, NestedStack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MusterStack } from '../../lib/muster-stack';
import { createTestApp, settingsFor } from './support';

const stack = new MusterStack(createTestApp(), 'Muster-dev', {
  settings: settingsFor('dev', { 'muster:alarmEmail': 'oncall@muster.example.com' }),
});
const parent = Template.fromStack(stack);
const monitoring = stack.node.findChild('Monitoring');
if (!(monitoring instanceof NestedStack)) throw new Error('no Monitoring nested stack');
/** The alarms, topic and dashboard: the nested stack's own template. */
const template = Template.fromStack(monitoring);

const apiRoutes = stack.node.findChild('ApiRoutes');
if (!(apiRoutes instanceof NestedStack)) throw new Error('no ApiRoutes nested stack');
const apiRoutesTemplate = Template.fromStack(apiRoutes);

const logicalIdInParent = (nested: NestedStack) =>
  stack.getLogicalId(z.custom<CfnElement>().parse(nested.nestedStackResource));

/** What the parent passes the nested stack: its parameter name for each value of the parent's. */
const passedParameters = Object.entries(
  z
    .record(z.string(), z.unknown())
    .parse(parent.toJSON().Resources[logicalIdInParent(monitoring)].Properties.Parameters),
);
/** A value of the parent's (a function's `Ref`, a queue's name) as the nested stack sees it. */
function inMonitoring(parentValue: unknown): unknown {
  const passed = passedParameters.find(([, value]) => JSON.stringify(value) === JSON.stringify(parentValue));
  if (!passed) throw new Error(`the parent passes no ${JSON.stringify(parentValue)} to the monitoring stack`);
  return { Ref: passed[0] };
}

/**
 * A dashboard body as CloudFormation will see it: its `Fn::Join` of text and references, each
 * reference (a region, an alarm's ARN, all inside JSON strings) written as `<ref>`.
 */
function synthesizedString(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = z.object({ 'Fn::Join': z.tuple([z.string(), z.array(z.unknown())]) }).safeParse(value);
  if (!join.success) return '<ref>';
  const [separator, parts] = join.data['Fn::Join'];
  return parts.map(synthesizedString).join(separator);
}

const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0] as string;
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (alarm) => alarm.Properties,
);

/** Functions built by createMusterFunction (CDK's own framework functions carry no Powertools settings). */
const musterFunctionsOf = (owner: Template) =>
  Object.entries(owner.findResources('AWS::Lambda::Function'))
    .filter(
      ([, resource]) => resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'muster',
    )
    .map(([id]) => id);

/** The route functions' names reach Monitoring from ApiRoutes' outputs, through the parent. */
const routeFunctionNames = musterFunctionsOf(apiRoutesTemplate).map((id) => {
  const output = Object.entries(apiRoutesTemplate.findOutputs('*')).find(
    ([, found]) => JSON.stringify(found.Value) === JSON.stringify({ Ref: id }),
  );
  if (!output) throw new Error(`ApiRoutes outputs no name of ${id}`);
  return { id, name: { 'Fn::GetAtt': [logicalIdInParent(apiRoutes), `Outputs.${output[0]}`] } };
});
const musterFunctions = [
  ...musterFunctionsOf(parent).map((id) => ({ id, name: { Ref: id } })),
  ...routeFunctionNames,
];

const alarmsOn = (metricName: string, dimension: unknown) =>
  alarms.filter(
    (alarm) =>
      alarm.MetricName === metricName && JSON.stringify(alarm.Dimensions).includes(JSON.stringify(dimension)),
  );

describe('ObservabilityConstruct', () => {
  it('publishes alarms to an encrypted topic that CloudWatch may use and that refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@muster.example.com',
    });
  });

  it('alarms on the errors and throttles of every function', () => {
    expect(routeFunctionNames.length).toBeGreaterThanOrEqual(30);
    expect(musterFunctions.length).toBeGreaterThan(routeFunctionNames.length + 6);
    for (const { id, name } of musterFunctions) {
      const dimension = { Name: 'FunctionName', Value: inMonitoring(name) };
      const errors = alarmsOn('Errors', dimension);
      const throttles = alarmsOn('Throttles', dimension);
      expect(errors, `${id} errors`).toHaveLength(1);
      expect(throttles, `${id} throttles`).toHaveLength(1);
      for (const alarm of [...errors, ...throttles]) {
        expect(alarm, id).toMatchObject({
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
        });
      }
      expect(throttles[0]?.Threshold, id).toBe(1);
    }
  });

  it('tolerates the authorizer rejecting credentials, which Lambda counts as errors', () => {
    const authorizerErrors = alarms.filter(
      (alarm) => alarm.MetricName === 'Errors' && String(alarm.AlarmDescription).includes('Authorizer'),
    );
    expect(authorizerErrors.map((alarm) => alarm.Threshold)).toEqual([100]);
    const routeErrors = alarms.filter(
      (alarm) => alarm.MetricName === 'Errors' && String(alarm.AlarmDescription).includes('/v1/me'),
    );
    expect(routeErrors.map((alarm) => alarm.Threshold)).toEqual([1, 1]);
  });

  it('alarms on the API 5XX rate and p99 latency of the stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Average',
      Threshold: 0.05,
      Dimensions: Match.arrayWith([Match.objectLike({ Name: 'Stage', Value: Match.anyValue() })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
      EvaluationPeriods: 3,
    });
  });

  it('alarms as soon as a dead-letter queue holds a message', () => {
    const queueIds = Object.keys(parent.findResources('AWS::SQS::Queue'));
    expect(queueIds.length).toBeGreaterThan(0);
    for (const id of queueIds) {
      const depth = alarmsOn('ApproximateNumberOfMessagesVisible', {
        Name: 'QueueName',
        Value: inMonitoring({ 'Fn::GetAtt': [id, 'QueueName'] }),
      });
      expect(depth).toHaveLength(1);
      expect(depth[0]).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });

  /** The seeds' thresholds (000 "Observability & Ops", 001 "Telemetry & Ops"), on the dimensionless twins. */
  const service = [{ Name: 'service', Value: 'muster' }];
  it.each([
    {
      anchor: 'import-failure-rate',
      MetricName: 'iam_bulk_import_batch_error_ratio',
      Statistic: 'Minimum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 5,
    },
    {
      anchor: 'import-runtime',
      MetricName: 'iam_bulk_import_duration_seconds',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 900,
    },
    {
      anchor: 'approval-pending',
      MetricName: 'iam.approval.overdue_wait_seconds',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1800,
    },
    {
      anchor: 'notification-failure-ratio',
      MetricName: 'iam_bulk_import_notification_failure_ratio',
      Statistic: 'Average',
      Period: 300,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 3,
    },
    {
      anchor: 'batch-assign-failure-rate',
      MetricName: 'iam.batch_assign.failure_ratio',
      Statistic: 'Average',
      Period: 3600,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 2,
    },
    {
      // Counted over one run of the 15-minute expiry sweep.
      anchor: 'permissions-expiring',
      MetricName: 'iam.permission.expiry_reminders',
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 10,
    },
  ])('alarms on $MetricName above $Threshold, the seed threshold ($anchor)', ({ anchor, ...expected }) => {
    const found = alarms.filter((alarm) => alarm.MetricName === expected.MetricName);
    expect(found).toHaveLength(1);
    expect(found[0]).toEqual({
      ...expected,
      Namespace: 'Muster',
      Dimensions: service,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: expect.stringMatching(
        new RegExp(`^Muster dev: .+ Runbook: docs/runbook\\.md#${anchor}$`),
      ),
      AlarmActions: [{ Ref: topicId }],
      OKActions: [{ Ref: topicId }],
    });
  });

  it('alarms on the table throttling reads or writes in 5 minutes', () => {
    const table = inMonitoring({ Ref: Object.keys(parent.findResources('AWS::DynamoDB::Table'))[0] });
    for (const MetricName of ['ReadThrottleEvents', 'WriteThrottleEvents']) {
      const found = alarmsOn(MetricName, { Name: 'TableName', Value: table });
      expect(found, MetricName).toHaveLength(1);
      expect(found[0]).toMatchObject({
        Namespace: 'AWS/DynamoDB',
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmDescription: expect.stringContaining('docs/runbook.md#dynamodb-throttles'),
      });
    }
  });

  it('names in every alarm the runbook section of what it watches', () => {
    const anchorOf = (alarm: (typeof alarms)[number]) =>
      /Runbook: docs\/runbook\.md#([a-z0-9-]+)$/.exec(String(alarm.AlarmDescription))?.[1];
    expect(alarms.filter((alarm) => anchorOf(alarm) === undefined)).toEqual([]);
    const anchorsByMetric = new Map(alarms.map((alarm) => [alarm.MetricName, anchorOf(alarm)]));
    expect(Object.fromEntries(anchorsByMetric)).toMatchObject({
      Errors: 'lambda-errors',
      Throttles: 'lambda-throttles',
      '5XXError': 'api-5xx-rate',
      Latency: 'api-latency',
      ApproximateNumberOfMessagesVisible: 'dead-letters',
      ExecutionsFailed: 'executions-failed',
      ExecutionsTimedOut: 'executions-timed-out',
    });
  });

  it('sends every alarm, and its recovery, to the topic', () => {
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('draws the "IAM / Bulk Import Overview" dashboard, a section for each concern', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const overview = dashboards.find(
      (dashboard) => dashboard.Properties.DashboardName === 'Muster-dev-IAM-Bulk-Import-Overview',
    );
    expect(overview).toBeDefined();
    const body = z
      .object({
        widgets: z.array(z.object({ type: z.string(), properties: z.record(z.string(), z.unknown()) })),
      })
      .parse(JSON.parse(synthesizedString(overview?.Properties.DashboardBody)));
    const texts = body.widgets
      .filter((widget) => widget.type === 'text')
      .map((widget) => widget.properties.markdown);
    expect(texts).toEqual([
      '# IAM / Bulk Import Overview (dev)',
      '## Import',
      '## Notifications',
      '## Batch assignment and approvals',
      '## $batch API',
      '## Platform health',
    ]);
    const graphs = body.widgets.filter((widget) => widget.type === 'metric');
    const titled = (title: string) => {
      const widget = graphs.find((candidate) => candidate.properties.title === title);
      expect(widget, title).toBeDefined();
      return JSON.stringify(widget?.properties);
    };
    expect(titled('Import duration (s)')).toContain('"value":600'); // the SLO, P95 at most 600 s
    expect(titled('Import duration p95 by tenant (s)')).toContain(
      'SEARCH(\'{Muster,tenant,service} MetricName=\\"iam_bulk_import_duration_seconds\\"\'',
    );
    for (const [title, metric] of [
      ['Rows provisioned', 'iam_bulk_import_success_total'],
      ['Error ratio (%)', 'iam_bulk_import_batch_error_ratio'],
      ['Welcome email failures (%)', 'iam_bulk_import_notification_failure_ratio'],
      ['Welcome email latency from provisioning (s)', 'iam_bulk_import_notification_latency_seconds'],
      ['Batch assignment failures (%)', 'iam.batch_assign.failure_ratio'],
      ['Batch assignment queue latency (s)', 'iam.batch_assign.queue_latency'],
      ['Approval waits (s)', 'iam.approval.overdue_wait_seconds'],
      ['Expiring and expired grants', 'iam.permission.expiry_reminders'],
      ['$batch envelopes', 'BatchRequests'],
      ['RBAC denials', 'RbacDenied'],
      ['Step Functions executions failed', 'ExecutionsFailed'],
      ['Dead-letter queue depth', 'ApproximateNumberOfMessagesVisible'],
      ['DynamoDB throttled requests', 'WriteThrottleEvents'],
    ]) {
      expect(titled(title as string), title).toContain(`"${metric}"`);
    }
    const alarmStatus = z
      .object({ alarms: z.array(z.string()) })
      .parse(body.widgets.find((widget) => widget.type === 'alarm')?.properties);
    // The service's alarms, not the two of every function: the widget shows 100 at most.
    expect(alarmStatus.alarms.length).toBeGreaterThanOrEqual(8);
    expect(alarmStatus.alarms.length).toBeLessThanOrEqual(100);
  });

  it('draws the Muster-<env> dashboard with API, Lambda and DynamoDB widgets', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Muster-dev' });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const title of ['API requests', 'API latency', 'Lambda errors', 'Lambda throttles', 'DynamoDB']) {
      expect(body).toContain(title);
    }
  });
});
