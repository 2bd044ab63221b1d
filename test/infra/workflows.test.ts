import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { StateMachineDefinition } from '../../config/state-machines';
import { STATE_MACHINES } from '../../config/state-machines';
import { StorageConstruct } from '../../lib/storage/storage-construct';
import { assertPlaceholdersMatchTasks, WorkflowsConstruct } from '../../lib/workflows/workflows-construct';
import { allowedActions, createTestStack, defined, environmentOf, logicalIdOf, settingsFor } from './support';

const HEALTH_TASK = { entry: 'functions/health/handlers/health.ts', export: 'handler' };
const FIXTURE: StateMachineDefinition = {
  name: 'Fixture',
  definitionFile: 'test/infra/fixtures/one-task.asl.json',
  tasks: { SomeTask: HEALTH_TASK },
};

function synthesize(stateMachines: readonly StateMachineDefinition[]) {
  const stack = createTestStack();
  const settings = settingsFor('dev');
  const { table } = new StorageConstruct(stack, 'Storage', { settings });
  const bus = new EventBus(stack, 'Bus');
  const workflows = new WorkflowsConstruct(stack, 'Workflows', { settings, table, bus, stateMachines });
  return { template: Template.fromStack(stack), workflows, table, stack };
}

describe('WorkflowsConstruct', () => {
  it('creates nothing for an empty list', () => {
    const { template, workflows } = synthesize([]);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(workflows.node.children).toEqual([]);
  });

  it('creates whatever config/state-machines.ts lists', () => {
    const { template } = synthesize(STATE_MACHINES);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', STATE_MACHINES.length);
  });

  const { template, workflows, table, stack } = synthesize([FIXTURE]);
  const fixture = defined(workflows.workflows.get('Fixture'), 'the fixture workflow');
  const task = defined(fixture.taskFunctions.get('SomeTask'), 'the SomeTask function');

  it('deploys the ASL file as a STANDARD machine with each placeholder bound to its Lambda', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionS3Location: Match.objectLike({ Bucket: Match.anyValue(), Key: Match.anyValue() }),
      DefinitionSubstitutions: { SomeTask: { 'Fn::GetAtt': [logicalIdOf(task), 'Arn'] } },
    });
  });

  it('builds the task Lambda from the task entry with the application environment', () => {
    expect(template.toJSON().Resources[logicalIdOf(task)].Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
    });
    expect(environmentOf(template, task)).toMatchObject({ TABLE_NAME: { Ref: logicalIdOf(table) } });
    expect(allowedActions(template, task).filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
  });

  it('logs every transition without execution data and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('lets the state machine invoke its task Lambda', () => {
    expect(allowedActions(template, task)).not.toContain('lambda:InvokeFunction');
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(fixture.stateMachine.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(task), 'Arn'] }]),
          }),
        ]),
      },
    });
  });

  it('passes cdk-nag AwsSolutions, so the first real state machine does too', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(stack);
    expect(violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('refuses a definition whose placeholders and tasks disagree', () => {
    const placeholder = (name: string) => `\${${name}}`;
    const asl = `{"States":{"A":{"Resource":"${placeholder('SomeTask')}"},"B":{"Resource":"${placeholder('Other')}"}}}`;
    expect(() => assertPlaceholdersMatchTasks(FIXTURE, asl)).toThrow(
      /placeholders without a task: \[Other\]/,
    );
    const withUnusedTask = { ...FIXTURE, tasks: { SomeTask: HEALTH_TASK, Unused: HEALTH_TASK } };
    expect(() =>
      assertPlaceholdersMatchTasks(withUnusedTask, asl.replace(placeholder('Other'), 'x')),
    ).toThrow(/tasks not in the definition: \[Unused\]/);
  });
});
