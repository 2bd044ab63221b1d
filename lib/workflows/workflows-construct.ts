import { readFileSync } from 'node:fs';
import { RemovalPolicy } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ResourceAccess } from '../../config/routes';
import type { StateMachineDefinition, StateMachineTask } from '../../config/state-machines';
import type { EnvironmentSettings } from '../config/environments';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledge, functionVersionsFinding } from '../shared/nag';
import { fromRepositoryRoot } from '../shared/repository';
import { grantResourceAccess, type SharedResources } from '../shared/resource-access';
import { applicationEnvironment } from '../shared/runtime-environment';

/** A task may declare what it touches, like a route does; without `access` it is granted nothing. */
type WorkflowTask = StateMachineTask & { readonly access?: readonly ResourceAccess[] };

export interface WorkflowsConstructProps extends SharedResources {
  readonly settings: EnvironmentSettings;
  readonly stateMachines: readonly StateMachineDefinition[];
}

/** A deployed state machine and the Lambda behind each of its task placeholders. */
export interface DeployedWorkflow {
  readonly stateMachine: StateMachine;
  readonly taskFunctions: ReadonlyMap<string, NodejsFunction>;
}

/**
 * One STANDARD state machine per entry of config/state-machines.ts, deployed from the same ASL file the
 * local engine runs, with each `${Placeholder}` replaced by the ARN of the Lambda built for it.
 */
export class WorkflowsConstruct extends Construct {
  readonly workflows: ReadonlyMap<string, DeployedWorkflow>;

  constructor(scope: Construct, id: string, props: WorkflowsConstructProps) {
    super(scope, id);
    const { settings } = props;
    const resources = { table: props.table, bus: props.bus };

    const workflows = new Map<string, DeployedWorkflow>();
    for (const definition of props.stateMachines) {
      const taskFunctions = new Map<string, NodejsFunction>();
      for (const [placeholder, task] of Object.entries(definition.tasks) as [string, WorkflowTask][]) {
        const fn = createMusterFunction(this, `${definition.name}${placeholder}`, {
          settings,
          entry: task.entry,
          handlerExport: task.export,
          description: `${definition.name} state machine: ${placeholder}`,
          environment: applicationEnvironment(settings, resources),
        });
        grantResourceAccess(fn, task.access ?? [], resources);
        taskFunctions.set(placeholder, fn);
      }

      const definitionPath = fromRepositoryRoot(definition.definitionFile);
      assertPlaceholdersMatchTasks(definition, readFileSync(definitionPath, 'utf8'));
      const stateMachine = new StateMachine(this, definition.name, {
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromFile(definitionPath),
        definitionSubstitutions: Object.fromEntries(
          [...taskFunctions].map(([placeholder, fn]) => [placeholder, fn.functionArn]),
        ),
        tracingEnabled: true,
        logs: {
          destination: new LogGroup(this, `${definition.name}LogGroup`, {
            retention: settings.logRetention,
            removalPolicy: settings.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          }),
          level: LogLevel.ALL,
          // Execution input and output carry spreadsheet rows (names, emails): log the transitions only.
          includeExecutionData: false,
        },
      });
      for (const fn of taskFunctions.values()) {
        fn.grantInvoke(stateMachine);
        acknowledge(
          stateMachine,
          functionVersionsFinding(fn),
          'The state machine may invoke any version of its own task functions, and only those.',
        );
      }
      acknowledge(
        stateMachine,
        'AwsSolutions-IAM5[Resource::*]',
        'Step Functions log delivery (logs:*LogDelivery*) and X-Ray tracing do not support resource-level permissions.',
      );
      workflows.set(definition.name, { stateMachine, taskFunctions });
    }
    this.workflows = workflows;
  }
}

/**
 * Step Functions leaves an unknown `${Placeholder}` in the definition as text, which only fails when an
 * execution reaches it: a placeholder without a task, or a task without a placeholder, fails the synth.
 */
export function assertPlaceholdersMatchTasks(definition: StateMachineDefinition, asl: string): void {
  const placeholders = new Set(
    [...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string),
  );
  const tasks = new Set(Object.keys(definition.tasks));
  const withoutTask = [...placeholders].filter((name) => !tasks.has(name));
  const unused = [...tasks].filter((name) => !placeholders.has(name));
  if (withoutTask.length > 0 || unused.length > 0) {
    throw new Error(
      `State machine ${definition.name} (${definition.definitionFile}): ` +
        `placeholders without a task: [${withoutTask.join(', ')}]; tasks not in the definition: [${unused.join(', ')}]`,
    );
  }
}
