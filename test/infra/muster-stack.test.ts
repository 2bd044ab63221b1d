import { NestedStack, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
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
  const apiRoutes = stack.node.findChild('ApiRoutes');
  if (!(apiRoutes instanceof NestedStack)) throw new Error('no ApiRoutes nested stack');
  return {
    stack,
    template: Template.fromStack(stack),
    monitoring: Template.fromStack(monitoring),
    apiRoutes: Template.fromStack(apiRoutes),
  };
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
    const musterFunctionsOf = (template: Template) =>
      Object.values(template.findResources('AWS::Lambda::Function')).filter(
        (fn) => fn.Properties.Environment?.Variables?.MUSTER_ENV === 'prod',
      );
    const routeFunctions = musterFunctionsOf(prod.apiRoutes);
    expect(routeFunctions).toHaveLength(ROUTES.length);
    const functions = [...musterFunctionsOf(prod.template), ...routeFunctions];
    expect(functions.length).toBeGreaterThan(ROUTES.length + 6);
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
    // The functions live in ApiRoutes: the ARN reaches them as a parameter the parent passes in.
    const routesStack = dev.stack.node.findChild('ApiRoutes');
    if (!(routesStack instanceof NestedStack)) throw new Error('no ApiRoutes nested stack');
    const routesResource = defined(routesStack.nestedStackResource, 'the ApiRoutes stack resource');
    const passedIn =
      dev.template.toJSON().Resources[dev.stack.getLogicalId(routesResource)].Properties.Parameters;
    expect(starting.length).toBeGreaterThan(0);
    for (const route of starting) {
      const fn = defined(api.routeFunctions.get(`${route.method} ${route.path}`));
      const value = environmentOf(dev.apiRoutes, fn).BULK_IMPORT_STATE_MACHINE_ARN;
      const parameter = z.object({ Ref: z.string() }).parse(value).Ref;
      expect(passedIn[parameter], route.path).toEqual({ Ref: logicalIdOf(machine) });
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
    // A route costs 8 resources: in this stack its permission, API resource, method and CORS preflight;
    // in ApiRoutes its function, role, policy and log group. CloudFormation allows 500 resources, 200
    // parameters and 200 outputs a stack; the alarms went into Monitoring for the same reason.
    for (const { template, monitoring, apiRoutes } of [dev, prod]) {
      expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(400);
      for (const nested of [monitoring, apiRoutes]) {
        const { Resources, Parameters = {}, Outputs = {} } = nested.toJSON();
        expect(Object.keys(Resources).length).toBeLessThan(400);
        expect(Object.keys(Parameters).length).toBeLessThan(150);
        expect(Object.keys(Outputs).length).toBeLessThan(150);
      }
    }
  });

  it('creates every route function in the ApiRoutes nested stack, invoked by the API of this stack', () => {
    const api = dev.stack.node.findChild('Api');
    if (!(api instanceof ApiConstruct)) throw new Error('no Api construct');
    const routesStack = dev.stack.node.findChild('ApiRoutes');
    expect(api.routeFunctions.size).toBe(ROUTES.length);
    for (const fn of api.routeFunctions.values()) expect(Stack.of(fn)).toBe(routesStack);
    dev.apiRoutes.resourceCountIs('AWS::Lambda::Function', ROUTES.length);
    const invokePermissions = dev.template.findResources('AWS::Lambda::Permission', {
      Properties: { Principal: 'apigateway.amazonaws.com' },
    });
    // One a route, plus the authorizer's.
    expect(Object.keys(invokePermissions)).toHaveLength(ROUTES.length + 1);
    expect(Stack.of(api.authorizerFunction)).toBe(dev.stack);
  });
});
