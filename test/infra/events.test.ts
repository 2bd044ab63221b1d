import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EVENT_RULES, EVENT_SOURCE } from '../../config/event-rules';
import type { EnvironmentName } from '../../lib/config/environments';
import { EventsConstruct, toEventPattern } from '../../lib/events/events-construct';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  sharedResources,
} from './support';

function synthesize(environment: EnvironmentName) {
  const stack = createTestStack();
  const { resources, storage } = sharedResources(stack, environment);
  const events = new EventsConstruct(stack, 'Events', { resources, rules: EVENT_RULES });
  return { template: Template.fromStack(stack), events, storage };
}

const dev = synthesize('dev');

describe('EventsConstruct', () => {
  it('creates the muster-<env> bus', () => {
    dev.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'muster-dev' });
  });

  it('archives every muster.iam event: 30 days in dev, 365 in prod', () => {
    for (const [{ template }, days] of [
      [dev, 30],
      [synthesize('prod'), 365],
    ] as const) {
      template.hasResourceProperties('AWS::Events::Archive', {
        EventPattern: { source: [EVENT_SOURCE] },
        RetentionDays: days,
      });
    }
  });

  it('has one rule per config entry, with the pattern translated to prefix matching', () => {
    dev.template.resourceCountIs('AWS::Events::Rule', EVENT_RULES.length);
    dev.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalIdOf(dev.events.bus) },
      EventPattern: { source: ['muster.iam'], 'detail-type': [{ prefix: 'iam.' }] },
    });
  });

  it('hears the bulk-import machine’s unsuccessful ends on the default bus, where Step Functions puts them', () => {
    const rules = dev.template.findResources('AWS::Events::Rule', {
      Properties: { EventPattern: { source: ['aws.states'] } },
    });
    const [rule] = Object.values(rules);
    expect(Object.keys(rules)).toHaveLength(1);
    expect(rule?.Properties).not.toHaveProperty('EventBusName');
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        stateMachineArn: [expect.anything()],
      },
    });
    expect(JSON.stringify(rule?.Properties.EventPattern.detail.stateMachineArn)).toContain(
      'stateMachine:muster-dev-BulkImport',
    );
  });

  it('targets each rule at its own function, with retries and a dead-letter queue', () => {
    for (const definition of EVENT_RULES) {
      const target = defined(dev.events.targets.get(definition.name), definition.name);
      dev.template.hasResourceProperties('AWS::Events::Rule', {
        Description: definition.description,
        Targets: [
          {
            Arn: { 'Fn::GetAtt': [logicalIdOf(target.function), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(target.deadLetterQueue), 'Arn'] } },
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
            Id: Match.anyValue(),
          },
        ],
      });
      // Failures inside the function (after Lambda's async retries) land in the same queue.
      dev.template.hasResourceProperties('AWS::Lambda::Function', {
        Handler: `index.${definition.target.export}`,
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [logicalIdOf(target.deadLetterQueue), 'Arn'] } },
      });
    }
  });

  it('encrypts the dead-letter queues and refuses them to requests without TLS', () => {
    for (const { deadLetterQueue } of dev.events.targets.values()) {
      dev.template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1_209_600,
      });
      dev.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalIdOf(deadLetterQueue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' } }),
          ]),
        },
      });
    }
  });

  it('lets the audit writer write to the table, and only that', () => {
    const target = defined(dev.events.targets.get('AuditTrail'), 'AuditTrail');
    const actions = allowedActions(dev.template, target.function);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:BatchWriteItem']));
    expect(actions.filter((action) => /^dynamodb:(GetItem|Query|Scan|BatchGetItem)$/.test(action))).toEqual(
      [],
    );
    expect(actions.filter((action) => action.startsWith('events:'))).toEqual([]);
    expect(environmentOf(dev.template, target.function)).toMatchObject({
      TABLE_NAME: { Ref: logicalIdOf(dev.storage.table) },
    });
    expect(environmentOf(dev.template, target.function)).not.toHaveProperty('EVENT_BUS_NAME');
  });
});

describe('toEventPattern', () => {
  it('keeps exact values and turns {prefix} objects into prefix matchers', () => {
    const stack = new Stack();
    const pattern = toEventPattern({ source: ['a', { prefix: 'b.' }], 'detail-type': [{ prefix: 'iam.' }] });
    expect(stack.resolve(pattern)).toEqual({
      source: ['a', { prefix: 'b.' }],
      detailType: [{ prefix: 'iam.' }],
    });
    expect(toEventPattern({})).toEqual({});
  });
});
