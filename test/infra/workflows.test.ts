import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type StateMachineDefinition, stateMachines } from '../../config/state-machines';
import type { EnvironmentSettings } from '../../lib/config/environments';
import { assertPlaceholdersMatchTasks, WorkflowsConstruct } from '../../lib/workflows/workflows-construct';
import {
  allowedActions,
  createTestStack,
  defined,
  environmentOf,
  logicalIdOf,
  settingsFor,
  sharedResources,
} from './support';

const HEALTH_TASK = { entry: 'functions/health/handlers/health.ts', export: 'handler' };
const FIXTURE: StateMachineDefinition<string> = {
  name: 'Fixture',
  definitionFile: 'test/infra/fixtures/one-task.asl.json',
  tasks: { SomeTask: HEALTH_TASK },
  parameters: {},
};

/**
 * The state machines of config/state-machines.ts with the health handler behind every task: the real
 * ASL, parameters and access, independent of whether the task handlers are written yet.
 */
function configuredMachines(settings: EnvironmentSettings): StateMachineDefinition<string>[] {
  return stateMachines(settings).map((definition) => ({
    ...definition,
    tasks: Object.fromEntries(
      Object.entries(definition.tasks).map(([name, task]) => [name, { ...task, ...HEALTH_TASK }]),
    ),
  }));
}

function synthesize(
  choose: (settings: EnvironmentSettings) => readonly StateMachineDefinition<string>[],
  context: Record<string, unknown> = {},
) {
  const stack = createTestStack();
  const { resources, storage } = sharedResources(stack, 'dev', { workflows: false });
  const settings = settingsFor('dev', context);
  const workflows = new WorkflowsConstruct(stack, 'Workflows', {
    resources: { ...resources, settings },
    stateMachines: choose(settings),
    manifestBucket: storage.reportsBucket,
  });
  return { template: Template.fromStack(stack), workflows, storage, stack, settings };
}

const aslSchema = z.object({ States: z.record(z.string(), z.looseObject({})) });

/** The deployed definition: parameters substituted at synth, task placeholders left for CloudFormation. */
function deployedDefinition(template: Template, name?: string): z.infer<typeof aslSchema> {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const machine =
    name === undefined ? machines[0] : machines.find((found) => found.Properties.StateMachineName === name);
  return aslSchema.parse(JSON.parse(z.string().parse(machine?.Properties.DefinitionString)));
}

describe('WorkflowsConstruct', () => {
  it('creates nothing for an empty list', () => {
    const { template, workflows } = synthesize(() => []);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(workflows.node.children).toEqual([]);
  });

  const { template, workflows, stack } = synthesize(() => [FIXTURE]);
  const fixture = defined(workflows.workflows.get('Fixture'), 'the fixture workflow');
  const task = defined(fixture.taskFunctions.get('SomeTask'), 'the SomeTask function');

  it('deploys the ASL file as a STANDARD machine, named per environment, with each task placeholder bound to its Lambda', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'muster-dev-Fixture',
      StateMachineType: 'STANDARD',
      DefinitionString: Match.stringLikeRegexp('"FunctionName": "\\$\\{SomeTask\\}"'),
      DefinitionSubstitutions: { SomeTask: { 'Fn::GetAtt': [logicalIdOf(task), 'Arn'] } },
    });
  });

  it('builds the task Lambda from the task entry, with the variables of its access only', () => {
    expect(template.toJSON().Resources[logicalIdOf(task)].Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Timeout: 300,
    });
    expect(environmentOf(template, task)).not.toHaveProperty('TABLE_NAME');
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
    // A machine without a Distributed Map starts nothing.
    expect(
      allowedActions(template, fixture.stateMachine).filter((action) => action.startsWith('states:')),
    ).toEqual([]);
  });

  it('passes cdk-nag AwsSolutions', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(stack);
    expect(violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('refuses a definition whose placeholders and tasks or parameters disagree', () => {
    const placeholder = (name: string) => `\${${name}}`;
    const asl = `{"States":{"A":{"Resource":"${placeholder('SomeTask')}"},"B":{"Resource":"${placeholder('Other')}"}}}`;
    expect(() => assertPlaceholdersMatchTasks(FIXTURE, asl)).toThrow(
      /placeholders without a task or parameter: \[Other\]/,
    );
    const withUnused = {
      ...FIXTURE,
      tasks: { SomeTask: HEALTH_TASK, Unused: HEALTH_TASK },
      parameters: { Spare: '1' },
    };
    expect(() => assertPlaceholdersMatchTasks(withUnused, asl.replace(placeholder('Other'), 'x'))).toThrow(
      /tasks or parameters not in the definition: \[Unused, Spare\]/,
    );
    const both = { ...FIXTURE, parameters: { SomeTask: '1' } };
    expect(() => assertPlaceholdersMatchTasks(both, asl.replace(placeholder('Other'), 'x'))).toThrow(
      /both a task and a parameter: \[SomeTask\]/,
    );
  });
});

describe('WorkflowsConstruct with the state machines of config/state-machines.ts', () => {
  const built = synthesize(configuredMachines);
  const { template, settings } = built;
  const bulkImport = defined(built.workflows.workflows.get('BulkImport'), 'the BulkImport workflow');
  const taskFunction = (name: string) => defined(bulkImport.taskFunctions.get(name), name);
  const machineRole = bulkImport.stateMachine.role;

  it('builds one STANDARD machine per definition', () => {
    template.resourceCountIs('AWS::StepFunctions::StateMachine', stateMachines(settings).length);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'muster-dev-BulkImport',
      StateMachineType: 'STANDARD',
      DefinitionSubstitutions: Object.fromEntries(
        [...bulkImport.taskFunctions].map(([name, fn]) => [name, { 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] }]),
      ),
    });
  });

  it('substitutes the numbers of config/iam-bulk-import.yaml into the definition, as numbers', () => {
    const { States } = deployedDefinition(template);
    expect(States.ProvisionBatches).toMatchObject({
      MaxConcurrency: settings.bulkImport.concurrency,
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED' },
        States: {
          ProvisionBatch: {
            Retry: [
              {
                IntervalSeconds: settings.bulkImport.retry.intervalSeconds,
                MaxAttempts: settings.bulkImport.retry.maxAttempts,
                BackoffRate: settings.bulkImport.retry.backoffRate,
              },
            ],
          },
        },
      },
    });
  });

  it('takes an environment’s muster:bulkImport overrides', () => {
    const overridden = synthesize(configuredMachines, {
      'muster:bulkImport': '{"concurrency":25,"retry":{"maxAttempts":5}}',
    });
    expect(deployedDefinition(overridden.template).States.ProvisionBatches).toMatchObject({
      MaxConcurrency: 25,
      ItemProcessor: { States: { ProvisionBatch: { Retry: [{ MaxAttempts: 5, IntervalSeconds: 2 }] } } },
    });
  });

  it('lets approval tasks wait a day past the configured maximum wait (the sweep expires them first)', () => {
    const backstop = (settings.entitlements.approvalMaxWaitHours + 24) * 3600;
    expect(deployedDefinition(template, 'muster-dev-BulkImport').States.AwaitGrantApproval).toMatchObject({
      TimeoutSeconds: backstop,
    });
    expect(deployedDefinition(template, 'muster-dev-BatchAssign').States.AwaitApproval).toMatchObject({
      TimeoutSeconds: backstop,
    });
  });

  it('lets the Distributed Map start, follow, stop and redrive its own child executions, and no others', () => {
    const statements = z
      .array(z.object({ Action: z.union([z.string(), z.array(z.string())]), Resource: z.unknown() }))
      .parse(
        Object.values(
          template.findResources('AWS::IAM::Policy', {
            Properties: { Roles: [{ Ref: logicalIdOf(machineRole) }] },
          }),
        ).flatMap((policy) => policy.Properties.PolicyDocument.Statement),
      );
    const resourceOf = (action: string) =>
      JSON.stringify(statements.find((statement) => [statement.Action].flat().includes(action))?.Resource);
    expect(resourceOf('states:StartExecution')).toMatch(/:stateMachine:muster-dev-BulkImport"/);
    expect(resourceOf('states:DescribeExecution')).toMatch(/:execution:muster-dev-BulkImport:\*"/);
    expect(resourceOf('states:StopExecution')).toMatch(/:execution:muster-dev-BulkImport:\*"/);
    expect(resourceOf('states:RedriveExecution')).toMatch(/:execution:muster-dev-BulkImport\/\*:\*"/);
  });

  it('lets the ItemReader read manifests from the reports bucket, and nothing else of S3', () => {
    const actions = allowedActions(template, bulkImport.stateMachine);
    expect(actions.filter((action) => action.startsWith('s3:'))).toEqual(['s3:GetObject']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalIdOf(machineRole) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 's3:GetObject',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalIdOf(built.storage.reportsBucket), 'Arn'] }, '/*']],
            },
          }),
        ]),
      },
    });
  });

  it('lets the notifying tasks send email as the configured SES identity only', () => {
    for (const name of ['NotifyBatchFunction', 'FinalizeImportFunction']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalIdOf(defined(taskFunction(name).role)) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: 'ses:SendEmail',
              Effect: 'Allow',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':ses:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    `:identity/${settings.mail.sesIdentity}`,
                  ],
                ],
              },
            },
          ]),
        },
      });
      expect(environmentOf(template, taskFunction(name))).toMatchObject({
        MAIL_FROM_ADDRESS: settings.mail.fromAddress,
        ACTIVATION_URL_BASE: settings.mail.activationUrlBase,
      });
    }
    expect(allowedActions(template, taskFunction('ProvisionBatchFunction'))).not.toContain('ses:SendEmail');
  });

  it('gives every task the IMPORT_* settings and the buckets its access names', () => {
    const env = environmentOf(template, taskFunction('ProvisionBatchFunction'));
    expect(env).toMatchObject({
      IMPORT_BATCH_SIZE: String(settings.bulkImport.batchSize),
      IMPORT_MAX_ROWS: String(settings.bulkImport.maxRows),
      IMPORT_APPROVAL_ROLES: settings.bulkImport.approvalRoles.join(','),
      REPORTS_BUCKET: { Ref: logicalIdOf(built.storage.reportsBucket) },
    });
    // The tasks never start workflows themselves.
    expect(env).not.toHaveProperty('BULK_IMPORT_STATE_MACHINE_ARN');
  });

  it('passes cdk-nag AwsSolutions', () => {
    const { violations } = new AwsSolutionsChecks().validateScope(built.stack);
    expect(violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});
