import { NestedStack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../config/routes';
import { ApiConstruct } from '../../lib/api/api-construct';
import { MusterStack } from '../../lib/muster-stack';
import { WorkflowsConstruct } from '../../lib/workflows/workflows-construct';
import { createTestApp, defined, environmentOf, logicalIdOf, settingsFor } from './support';

function synthesize(environment: 'dev' | 'prod') {
  const stack = new MusterStack(createTestApp(), `Muster-${environment}`, {
    settings: settingsFor(environment),
  });
  const monitoring = stack.node.findChild('Monitoring');
  if (!(monitoring instanceof NestedStack)) throw new Error('no Monitoring nested stack');
  return { stack, template: Template.fromStack(stack), monitoring: Template.fromStack(monitoring) };
}

const dev = synthesize('dev');
const prod = synthesize('prod');

describe('MusterStack', () => {
  it('composes one table, one bus, one API and the migrations run', () => {
    for (const { template } of [dev, prod]) {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.resourceCountIs('AWS::Events::EventBus', 1);
      template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
      template.resourceCountIs('Custom::MusterMigrations', 1);
    }
  });

  it('protects the table against deletion in prod only', () => {
    prod.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
  });

  it('runs every Muster function on ARM64 Node.js 22', () => {
    const functions = Object.values(prod.template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.MUSTER_ENV === 'prod',
    );
    expect(functions.length).toBeGreaterThanOrEqual(6);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    }
  });

  it('outputs what operators and the console need', () => {
    expect(Object.keys(dev.template.findOutputs('*'))).toEqual(
      expect.arrayContaining([
        'AlarmTopicArn',
        'ApiUrl',
        'EventBusName',
        'ReportsBucketName',
        'TableName',
        'UploadsBucketName',
      ]),
    );
  });

  it('has no dependency cycle: storage, workflows, API and the upload notification only refer forward', () => {
    // Template.fromStack (above) refuses a template with a cycle, as CloudFormation would.
    for (const { template } of [dev, prod]) expect(template.toJSON().Resources).toBeDefined();
    const cyclic = {
      Resources: {
        A: {
          Type: 'AWS::SQS::Queue',
          Properties: { Tags: [{ Key: 'b', Value: { 'Fn::GetAtt': ['B', 'Arn'] } }] },
        },
        B: { Type: 'AWS::SQS::Queue', DependsOn: 'A' },
      },
    };
    expect(() => Template.fromJSON(cyclic)).toThrow(/dependency cycle: A -> B -> A/);
  });

  it('builds the state machine first and hands its ARN to the routes that start it', () => {
    const api = dev.stack.node.findChild('Api');
    const workflows = dev.stack.node.findChild('Workflows');
    if (!(api instanceof ApiConstruct) || !(workflows instanceof WorkflowsConstruct))
      throw new Error('constructs');
    const machine = defined(workflows.workflows.get('BulkImport'), 'BulkImport').stateMachine;
    const starting = ROUTES.filter((route) => route.access.includes('workflow:BulkImport'));
    for (const route of starting) {
      const fn = defined(api.routeFunctions.get(`${route.method} ${route.path}`));
      expect(environmentOf(dev.template, fn).BULK_IMPORT_STATE_MACHINE_ARN, route.path).toEqual({
        Ref: logicalIdOf(machine),
      });
    }
    expect(Object.keys(dev.template.findOutputs('BulkImportStateMachineArn'))).toEqual([
      'BulkImportStateMachineArn',
    ]);
  });

  it('alarms on failed and timed-out executions of each state machine, from its monitoring nested stack', () => {
    for (const name of ['BulkImport', 'BatchAssign']) {
      dev.monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecutionsFailed',
        Namespace: 'AWS/States',
        Threshold: 1,
        Dimensions: [{ Name: 'StateMachineArn', Value: Match.anyValue() }],
        AlarmDescription: Match.stringLikeRegexp(name),
      });
    }
    dev.monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsTimedOut' });
    dev.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('keeps each stack well under the 500 resources CloudFormation allows, with room for more routes', () => {
    // A route costs 8 resources (function, role, policy, log group, permission, resource, method,
    // CORS preflight). CloudFormation's limit is 500; past 440 the route functions move into a
    // nested stack, as the alarms went into Monitoring.
    for (const { template, monitoring } of [dev, prod]) {
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(440);
      expect(Object.keys(monitoring.toJSON().Resources).length).toBeLessThan(400);
    }
  });
});
