import { NestedStack } from 'aws-cdk-lib';
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

/** What the parent passes the nested stack: its parameter name for each value of the parent's. */
const passedParameters = Object.entries(
  z
    .record(z.string(), z.unknown())
    .parse(Object.values(parent.findResources('AWS::CloudFormation::Stack'))[0]?.Properties.Parameters),
);
/** A value of the parent's (a function's `Ref`, a queue's name) as the nested stack sees it. */
function inMonitoring(parentValue: unknown): unknown {
  const passed = passedParameters.find(([, value]) => JSON.stringify(value) === JSON.stringify(parentValue));
  if (!passed) throw new Error(`the parent passes no ${JSON.stringify(parentValue)} to the monitoring stack`);
  return { Ref: passed[0] };
}

const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0] as string;
const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
  (alarm) => alarm.Properties,
);

/** Functions built by createMusterFunction (CDK's own framework functions carry no Powertools settings). */
const musterFunctionIds = Object.entries(parent.findResources('AWS::Lambda::Function'))
  .filter(([, resource]) => resource.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === 'muster')
  .map(([id]) => id);

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
    expect(musterFunctionIds.length).toBeGreaterThanOrEqual(6);
    for (const id of musterFunctionIds) {
      const dimension = { Name: 'FunctionName', Value: inMonitoring({ Ref: id }) };
      expect(alarmsOn('Errors', dimension), `${id} errors`).toHaveLength(1);
      expect(alarmsOn('Throttles', dimension), `${id} throttles`).toHaveLength(1);
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
      expect(depth[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    }
  });

  it('sends every alarm, and its recovery, to the topic', () => {
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('draws the Muster-<env> dashboard with API, Lambda and DynamoDB widgets', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Muster-dev' });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]);
    for (const title of ['API requests', 'API latency', 'Lambda errors', 'Lambda throttles', 'DynamoDB']) {
      expect(body).toContain(title);
    }
  });
});
