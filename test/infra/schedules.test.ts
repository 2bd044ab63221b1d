import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SCHEDULES, type ScheduleDefinition } from '../../config/schedules';
import { SchedulesConstruct } from '../../lib/schedules/schedules-construct';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  nagFindingsOutsideStandIns,
  sharedResources,
} from './support';

/** Shaped as config/schedules.ts declares the approval sweep, with a handler that exists today. */
const SWEEP: ScheduleDefinition = {
  name: 'ApprovalSweep',
  description: 'Reminds and expires approvals.',
  rateMinutes: 5,
  target: {
    entry: 'functions/health/handlers/health.ts',
    export: 'handler',
    access: ['table:read', 'table:write', 'entitlement-settings', 'workflow-callback:BatchAssign'],
  },
};

function synthesize(environment: 'dev' | 'prod') {
  const stack = createTestStack();
  const shared = sharedResources(stack, environment);
  const schedules = new SchedulesConstruct(stack, 'Schedules', {
    resources: shared.resources,
    schedules: [SWEEP],
  });
  const target = defined(schedules.targets.get('ApprovalSweep'), 'the schedule target');
  return { stack, template: Template.fromStack(stack), target, ...shared };
}

const dev = synthesize('dev');

describe('SchedulesConstruct', () => {
  it('invokes the target on a rate schedule, retrying twice and dead-lettering runs older than one interval', () => {
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(dev.target.function), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(dev.target.deadLetterQueue), 'Arn'] } },
        }),
      ],
    });
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(dev.target.function), 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalIdOf(dev.target.rule), 'Arn'] },
    });
  });

  it('gives the target exactly its access: the settings variables, and task responses on the one workflow', () => {
    const environment = environmentOf(dev.template, dev.target.function);
    expect(environment).toMatchObject({
      APPROVAL_SLA_MINUTES: '30',
      APPROVAL_MAX_WAIT_HOURS: '72',
      EXPIRY_REMINDER_HOURS: '168,24',
    });
    expect(environment).not.toHaveProperty('EVENT_BUS_NAME');
    const actions = allowedActions(dev.template, dev.target.function);
    expect(actions.filter((action) => action.startsWith('states:')).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    const batchAssign = defined(dev.resources.workflows.get('BatchAssign'), 'the BatchAssign stand-in');
    dev.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
            Resource: { Ref: logicalIdOf(batchAssign.stateMachine) },
          }),
        ]),
      },
    });
  });

  it('runs the weekly import summary on Mondays at 06:00 UTC, reading the table and writing only to the reports bucket', () => {
    const stack = createTestStack();
    const shared = sharedResources(stack, 'dev');
    const weekly = defined(
      SCHEDULES.find((schedule) => schedule.name === 'BulkImportWeeklySummary'),
      'the weekly summary in config/schedules.ts',
    );
    const schedules = new SchedulesConstruct(stack, 'Schedules', {
      resources: shared.resources,
      schedules: [weekly],
    });
    const target = defined(schedules.targets.get('BulkImportWeeklySummary'), 'the weekly summary target');
    const template = Template.fromStack(stack);

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(target.function), 'Arn'] },
          // A week is past what EventBridge retries for: a day at most.
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 86_400 },
        }),
      ],
    });
    expect(Object.keys(environmentOf(template, target.function))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'REPORTS_BUCKET']),
    );
    expect(environmentOf(template, target.function)).not.toHaveProperty('EVENT_BUS_NAME');
    const actions = allowedActions(template, target.function);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:Query', 's3:PutObject']));
    expect(actions.filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action))).toEqual([]);
    expect(actions.filter((action) => /^s3:(Get|Delete)/.test(action))).toEqual([]);
    expect(actions.filter((action) => /^(events|ses|states):/.test(action))).toEqual([]);
    expect(nagFindingsOutsideStandIns(stack)).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions checks in both environments', () => {
    for (const { stack } of [dev, synthesize('prod')]) {
      expect(nagFindingsOutsideStandIns(stack)).toEqual([]);
    }
  });
});
