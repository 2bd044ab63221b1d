import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { ObjectNotificationDefinition } from '../../config/object-notifications';
import { ObjectNotificationsConstruct } from '../../lib/object-notifications/object-notifications-construct';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  sharedResources,
} from './support';

/** As config/object-notifications.ts declares the upload notification, with a handler that exists today. */
const UPLOAD_RECEIVED: ObjectNotificationDefinition = {
  name: 'ImportUploadReceived',
  bucket: 'uploads',
  prefix: 'tenants/',
  target: { entry: 'functions/health/handlers/health.ts', export: 'handler' },
  access: ['table:read', 'table:write', 'uploads:read', 'reports:write', 'import-settings', 'bus:publish'],
};

function synthesize(environment: 'dev' | 'prod') {
  const stack = createTestStack();
  const { resources, storage } = sharedResources(stack, environment, { workflows: false });
  const notifications = new ObjectNotificationsConstruct(stack, 'ObjectNotifications', {
    resources,
    notifications: [UPLOAD_RECEIVED],
  });
  const target = defined(notifications.targets.get('ImportUploadReceived'), 'the notification target');
  return { stack, template: Template.fromStack(stack), storage, target };
}

const dev = synthesize('dev');

describe('ObjectNotificationsConstruct', () => {
  it('notifies the target of s3:ObjectCreated:* on the uploads bucket under the prefix', () => {
    dev.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalIdOf(dev.storage.uploadsBucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'tenants/' }] } },
            LambdaFunctionArn: { 'Fn::GetAtt': [logicalIdOf(dev.target.function), 'Arn'] },
          },
        ],
      },
    });
  });

  it('lets only S3, from that bucket in this account, invoke the target', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(dev.target.function), 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(dev.storage.uploadsBucket), 'Arn'] },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('keeps what the target fails to handle after Lambda’s retries in an encrypted dead-letter queue', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(dev.target.deadLetterQueue), 'Arn'] } },
      Timeout: 900,
      MemorySize: 1769,
    });
    dev.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('grants the target its declared access: reading uploads, writing reports, never writing uploads', () => {
    const actions = allowedActions(dev.template, dev.target.function);
    expect(actions).toEqual(
      expect.arrayContaining(['s3:GetObject*', 's3:PutObject', 'dynamodb:PutItem', 'events:PutEvents']),
    );
    const statements = Object.values(
      dev.template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: logicalIdOf(defined(dev.target.function.role)) }] },
      }),
    ).flatMap(
      (policy): { Action: string | string[]; Resource: unknown }[] =>
        policy.Properties.PolicyDocument.Statement,
    );
    const puts = JSON.stringify(
      statements.filter((statement) => [statement.Action].flat().includes('s3:PutObject')),
    );
    expect(puts).toContain(logicalIdOf(dev.storage.reportsBucket));
    expect(puts).not.toContain(logicalIdOf(dev.storage.uploadsBucket));
    expect(environmentOf(dev.template, dev.target.function)).toMatchObject({
      UPLOADS_BUCKET: { Ref: logicalIdOf(dev.storage.uploadsBucket) },
      REPORTS_BUCKET: { Ref: logicalIdOf(dev.storage.reportsBucket) },
      IMPORT_MAX_FILE_BYTES: expect.any(String),
    });
  });

  it('passes cdk-nag AwsSolutions, the framework’s notification handler included', () => {
    for (const { stack } of [dev, synthesize('prod')]) {
      const findings = new AwsSolutionsChecks()
        .validateScope(stack)
        .violations.map((violation) => violation.ruleName);
      expect(findings).toEqual([]);
    }
  });
});
