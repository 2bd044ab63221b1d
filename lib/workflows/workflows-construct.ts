import { readFileSync } from 'node:fs';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { z } from 'zod';
import {
  placeholdersOf,
  type StateMachineDefinition,
  substitutePlaceholders,
} from '../../config/state-machines';
import { createMusterFunction } from '../shared/muster-function';
import { acknowledge, bucketObjectsFinding, functionVersionsFinding } from '../shared/nag';
import { fromRepositoryRoot } from '../shared/repository';
import {
  executionsArn,
  executionsArnFinding,
  grantResourceAccess,
  type SharedResources,
  stackArnFinding,
  stateMachineNameOf,
  type WorkflowResource,
} from '../shared/resource-access';
import { applicationEnvironment, moduleAccess } from '../shared/runtime-environment';

export interface WorkflowsConstructProps {
  /** The workflows build the first functions of the stack: no state machine exists yet, so `workflows` is not taken. */
  readonly resources: Omit<SharedResources, 'workflows'>;
  readonly stateMachines: readonly StateMachineDefinition<string>[];
  /** Where a Distributed Map's ItemReader finds its manifests (the reports bucket). */
  readonly manifestBucket: IBucket;
}

/** A deployed state machine and the Lambda behind each of its task placeholders. */
export interface DeployedWorkflow extends WorkflowResource {
  readonly stateMachine: StateMachine;
  readonly taskFunctions: ReadonlyMap<string, NodejsFunction>;
}

/** A batch of rows per invocation: well past the 10-second default, well within Lambda's 15 minutes. */
const TASK_TIMEOUT = Duration.minutes(5);

const ITEM_READER_GET_OBJECT = 'arn:aws:states:::s3:getObject';

/**
 * One STANDARD state machine per entry of config/state-machines.ts, deployed from the same ASL file the
 * local engine runs. Parameters (numbers from the settings) are substituted into the text at synth,
 * by the function the local engine uses; each task `${Placeholder}` is left to CloudFormation's
 * DefinitionSubstitutions, which puts in the ARN of the Lambda built for it.
 *
 * The machines are built before the API, so routes with `workflow:<name>` access get the ARN; no
 * machine refers to an API function, so that order has no cycle.
 */
export class WorkflowsConstruct extends Construct {
  readonly workflows: ReadonlyMap<string, DeployedWorkflow>;

  constructor(scope: Construct, id: string, props: WorkflowsConstructProps) {
    super(scope, id);
    const { settings } = props.resources;
    // Task functions never start workflows themselves, but one may resume a waiting task of any
    // machine (the approvals' callback task). They see the machines by name only: a machine names
    // its tasks' ARNs, so a reference back from a task's policy would be a cycle.
    const byName = new Map(
      props.stateMachines.map((definition) => {
        const stateMachineName = stateMachineNameOf(settings, definition.name);
        const stateMachine = StateMachine.fromStateMachineName(
          this,
          `${definition.name}ByName`,
          stateMachineName,
        );
        return [definition.name, { stateMachine, stateMachineName }] as const;
      }),
    );
    const resources: SharedResources = { ...props.resources, workflows: byName };
    const environmentAccess = moduleAccess(
      props.stateMachines.flatMap((definition) => Object.values(definition.tasks)),
    );

    const workflows = new Map<string, DeployedWorkflow>();
    for (const definition of props.stateMachines) {
      const taskFunctions = new Map<string, NodejsFunction>();
      for (const [placeholder, task] of Object.entries(definition.tasks)) {
        const fn = createMusterFunction(this, `${definition.name}${placeholder}`, {
          settings,
          entry: task.entry,
          handlerExport: task.export,
          description: `${definition.name} state machine: ${placeholder}`,
          environment: applicationEnvironment(resources, environmentAccess.get(task.entry) ?? []),
          timeout: TASK_TIMEOUT,
        });
        grantResourceAccess(fn, task.access ?? [], resources);
        taskFunctions.set(placeholder, fn);
      }

      const asl = readFileSync(fromRepositoryRoot(definition.definitionFile), 'utf8');
      assertPlaceholdersMatchTasks(definition, asl);
      // Task placeholders stay as they are, for DefinitionSubstitutions.
      const text = substitutePlaceholders(definition, asl, (task) => `\${${task}}`);
      const stateMachineName = stateMachineNameOf(settings, definition.name);
      const stateMachine = new StateMachine(this, definition.name, {
        stateMachineName,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(text),
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
      const mapStates = mapStatesOf(definition, text);
      if (mapStates.some((state) => state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED')) {
        grantDistributedMap(stateMachine, stateMachineName);
      }
      const readers = mapStates.flatMap((state) => (state.ItemReader ? [state.ItemReader] : []));
      if (readers.length > 0) grantItemReader(stateMachine, definition, readers, props.manifestBucket);
      workflows.set(definition.name, { stateMachine, stateMachineName, taskFunctions });
    }
    this.workflows = workflows;
  }
}

/**
 * What a Distributed Map needs of its own state machine, as AWS documents and CDK's DistributedMap
 * grants it: start child executions, follow and stop them, and redrive its map runs.
 * The ARNs are spelled from the fixed name, so the role's policy does not refer to the machine.
 */
function grantDistributedMap(stateMachine: StateMachine, stateMachineName: string): void {
  const stack = Stack.of(stateMachine);
  const stateMachineArn = stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: stateMachineName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const mapRunExecutions = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${stateMachineName}/*:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  stateMachine.addToRolePolicy(
    new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
  );
  stateMachine.addToRolePolicy(
    new PolicyStatement({
      actions: ['states:DescribeExecution', 'states:StopExecution'],
      resources: [executionsArn(stateMachine, stateMachineName)],
    }),
  );
  stateMachine.addToRolePolicy(
    new PolicyStatement({ actions: ['states:RedriveExecution'], resources: [mapRunExecutions] }),
  );
  acknowledge(
    stateMachine,
    `AwsSolutions-IAM5[Resource::${executionsArnFinding(stateMachine, stateMachineName)}]`,
    'A Distributed Map describes and stops the child executions it starts, all of this one state machine.',
  );
  acknowledge(
    stateMachine,
    `AwsSolutions-IAM5[Resource::${stackArnFinding(stateMachine, 'states', `execution:${stateMachineName}/*:*`)}]`,
    'Redriving a Distributed Map run redrives its child executions, all of this one state machine.',
  );
}

/**
 * An ItemReader reads its items with the state machine's role. Only `s3:getObject` (a JSON manifest)
 * is granted, on the manifest bucket: the bucket and key come from the execution's input.
 */
function grantItemReader(
  stateMachine: StateMachine,
  definition: StateMachineDefinition<string>,
  readers: readonly ItemReader[],
  bucket: IBucket,
): void {
  const other = readers.find((reader) => reader.Resource !== ITEM_READER_GET_OBJECT);
  if (other) {
    throw new Error(
      `${definition.definitionFile}: an ItemReader uses ${other.Resource}; only ${ITEM_READER_GET_OBJECT} (a JSON manifest) is granted`,
    );
  }
  stateMachine.addToRolePolicy(
    new PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] }),
  );
  bucket.encryptionKey?.grantDecrypt(stateMachine);
  acknowledge(
    stateMachine,
    bucketObjectsFinding(bucket),
    `The ItemReader reads the manifest the import wrote to the ${bucket.node.id}; its key is per import, known at run time.`,
  );
}

/** The ASL fields this construct reads; asl-validator (locally) and Step Functions (on deploy) check the rest. */
const itemReader = z.looseObject({ Resource: z.string() });
type ItemReader = z.infer<typeof itemReader>;

interface AslState {
  readonly Type: string;
  readonly ItemReader?: ItemReader;
  readonly ItemProcessor?: {
    readonly ProcessorConfig?: { readonly Mode?: string };
    readonly States: Record<string, AslState>;
  };
  readonly Iterator?: { readonly States: Record<string, AslState> };
  readonly Branches?: readonly { readonly States: Record<string, AslState> }[];
}

const aslState: z.ZodType<AslState> = z.looseObject({
  Type: z.string(),
  ItemReader: itemReader.optional(),
  get ItemProcessor() {
    return z
      .looseObject({
        ProcessorConfig: z.looseObject({ Mode: z.string().optional() }).optional(),
        States: z.record(z.string(), aslState),
      })
      .optional();
  },
  get Iterator() {
    return z.looseObject({ States: z.record(z.string(), aslState) }).optional();
  },
  get Branches() {
    return z.array(z.looseObject({ States: z.record(z.string(), aslState) })).optional();
  },
});

const aslMachine = z.looseObject({ States: z.record(z.string(), aslState) });

/** Every Map state of the (substituted) definition, nested ones included. */
function mapStatesOf(definition: StateMachineDefinition<string>, text: string): AslState[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${definition.definitionFile} is not JSON once its parameters are substituted: ${error}`);
  }
  const machine = aslMachine.parse(parsed);
  const maps: AslState[] = [];
  const visit = (states: Record<string, AslState>) => {
    for (const state of Object.values(states)) {
      if (state.Type === 'Map') maps.push(state);
      for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
        if (nested) visit(nested.States);
      }
    }
  };
  visit(machine.States);
  return maps;
}

/**
 * Step Functions leaves an unknown `${Placeholder}` in the definition as text, which only fails when an
 * execution reaches it: a placeholder that is neither a task nor a parameter, or a task or parameter
 * the definition does not use, fails the synth.
 */
export function assertPlaceholdersMatchTasks(definition: StateMachineDefinition<string>, asl: string): void {
  const placeholders = new Set(placeholdersOf(asl));
  const tasks = Object.keys(definition.tasks);
  const parameters = Object.keys(definition.parameters);
  const declared = new Set([...tasks, ...parameters]);
  const both = tasks.filter((name) => parameters.includes(name));
  const undeclared = [...placeholders].filter((name) => !declared.has(name));
  const unused = [...declared].filter((name) => !placeholders.has(name));
  if (both.length > 0 || undeclared.length > 0 || unused.length > 0) {
    throw new Error(
      `State machine ${definition.name} (${definition.definitionFile}): ` +
        `placeholders without a task or parameter: [${undeclared.join(', ')}]; ` +
        `tasks or parameters not in the definition: [${unused.join(', ')}]; both a task and a parameter: [${both.join(', ')}]`,
    );
  }
}
