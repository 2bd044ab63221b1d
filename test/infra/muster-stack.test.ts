import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { MusterStack } from '../../lib/muster-stack';
import { createTestApp, settingsFor } from './support';

function synthesize(environment: 'dev' | 'prod') {
  const stack = new MusterStack(createTestApp(), `Muster-${environment}`, {
    settings: settingsFor(environment),
  });
  return { stack, template: Template.fromStack(stack) };
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
});
