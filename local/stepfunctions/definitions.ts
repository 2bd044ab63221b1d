import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { z } from 'zod';
import {
  type StateMachineDefinition,
  type StateMachineTask,
  substitutePlaceholders,
} from '../../config/state-machines';
import { type AwsScope, lambdaFunctionArn, stateMachineArn } from './arns';
import { bridgeItemReaders, ITEM_READER_RESOURCE, type ItemReaderPlan } from './item-reader';

/** How a Task state runs locally. Any other resource is refused when the engine starts. */
export type TaskIntegration =
  /** `Resource` is a Lambda function ARN: the state input is the event, the response the result. */
  | 'lambda-function'
  /** `arn:aws:states:::lambda:invoke`: Parameters carry `FunctionName` and `Payload`. */
  | 'lambda-invoke'
  /** `arn:aws:states:::lambda:invoke.waitForTaskToken`: invoke, then wait for SendTask*. */
  | 'lambda-invoke-callback'
  /** Any other `<service>:<action>.waitForTaskToken`: no such service locally, so the task only waits; its token is in the history. */
  | 'callback'
  /** The hidden state that stands in for a Map's ItemReader (local/stepfunctions/item-reader.ts). */
  | 'item-reader';

export interface TaskStatePlan {
  readonly stateName: string;
  readonly resource: string;
  readonly integration: TaskIntegration;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  /** For `item-reader` tasks: which Map it reads for, into which slot. */
  readonly itemReader?: ItemReaderPlan;
}

export interface CompiledStateMachine {
  readonly name: string;
  readonly arn: string;
  readonly engine: StateMachine;
  readonly taskStates: readonly TaskStatePlan[];
  readonly retryingStateNames: readonly string[];
  /** Lambda function name (the ASL placeholder) → the handler it stands for. */
  readonly functions: ReadonlyMap<string, StateMachineTask>;
  /** The hidden states of bridged ItemReaders: left out of the history. */
  readonly hiddenStateNames: ReadonlySet<string>;
}

/**
 * aws-local-stepfunctions gives a Task without `TimeoutSeconds` 60 seconds, where AWS waits a year:
 * fatal for an approval paused on a task token. setTimeout cannot wait longer than 2^31-1 ms
 * (~24.8 days), so that is the local stand-in for "no timeout", and the cap of a longer one (a
 * longer delay would fire at once).
 */
const UNBOUNDED_TASK_TIMEOUT_SECONDS = 2_147_483;

const LAMBDA_FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]+:[^:]+:function:[^:]+(:[^:]+)?$/;
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const CALLBACK_RESOURCE = /^arn:aws[\w-]*:states:::[^:]+:[^:]+\.waitForTaskToken$/;

/** Only the parts of ASL the engine reads or rewrites; everything else passes through untouched. */
interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly Retry?: readonly unknown[];
  readonly ItemProcessor?: AslMachine;
  readonly Iterator?: AslMachine;
  readonly Branches?: readonly AslMachine[];
}

interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
}

const aslState: z.ZodType<AslState> = z.looseObject({
  Type: z.string(),
  Resource: z.string().optional(),
  TimeoutSeconds: z.number().optional(),
  TimeoutSecondsPath: z.string().optional(),
  HeartbeatSeconds: z.number().optional(),
  Retry: z.array(z.unknown()).optional(),
  get ItemProcessor() {
    return aslMachine.optional();
  },
  get Iterator() {
    return aslMachine.optional();
  },
  get Branches() {
    return z.array(aslMachine).optional();
  },
});

const aslMachine: z.ZodType<AslMachine> = z.looseObject({
  StartAt: z.string(),
  States: z.record(z.string(), aslState),
});

type EngineDefinition = ConstructorParameters<typeof StateMachine>[0];

/** zod only vouches for an object here: asl-validator, run by the StateMachine constructor, checks the rest. */
const engineDefinition = z.custom<EngineDefinition>((value) => typeof value === 'object' && value !== null);

export async function compileStateMachine(
  definition: StateMachineDefinition<string>,
  scope: AwsScope,
  repoRoot: string,
): Promise<CompiledStateMachine> {
  const file = definition.definitionFile;
  // Every task becomes the ARN of a Lambda function named after it, as CDK's substitutions do; the
  // parameters are numbers, substituted into the text before it is JSON.
  const text = substitutePlaceholders(definition, await readFile(join(repoRoot, file), 'utf8'), (task) =>
    lambdaFunctionArn(scope, task),
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON once its placeholders are substituted: ${String(error)}`);
  }
  const bridged = bridgeItemReaders(json, file);
  const readers = new Map(bridged.readers.map((reader) => [reader.stateName, reader]));
  const parsed = aslMachine.safeParse(bridged.definition);
  if (!parsed.success)
    throw new Error(`${file} is not an ASL state machine: ${z.prettifyError(parsed.error)}`);
  const states = [...statesOf(parsed.data)];
  rejectDuplicateStateNames(states, file);
  let engine: StateMachine;
  try {
    engine = new StateMachine(engineDefinition.parse(withTaskTimeouts(parsed.data)));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    name: definition.name,
    arn: stateMachineArn(scope, definition.name),
    engine,
    taskStates: states
      .filter(([, state]) => state.Type === 'Task')
      .map(([stateName, state]) => planTask(stateName, state, file, readers.get(stateName))),
    retryingStateNames: states
      .filter(([, state]) => state.Retry !== undefined)
      .map(([stateName]) => stateName),
    functions: new Map(Object.entries(definition.tasks)),
    hiddenStateNames: new Set(readers.keys()),
  };
}

function* statesOf(machine: AslMachine): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    for (const nested of [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])]) {
      if (nested) yield* statesOf(nested);
    }
  }
}

/** The engine keys task overrides by state name across nested Map and Parallel states, as AWS keeps them unique. */
function rejectDuplicateStateNames(states: readonly [string, AslState][], file: string): void {
  const seen = new Set<string>();
  for (const [name] of states) {
    if (seen.has(name)) throw new Error(`${file}: state name "${name}" is used twice`);
    seen.add(name);
  }
}

function withTaskTimeouts(machine: AslMachine): AslMachine {
  const states = Object.entries(machine.States).map(([name, state]) => [name, withTaskTimeout(state)]);
  return { ...machine, States: Object.fromEntries(states) };
}

function withTaskTimeout(state: AslState): AslState {
  const unbounded =
    state.Type === 'Task' &&
    state.TimeoutSecondsPath === undefined &&
    (state.TimeoutSeconds === undefined || state.TimeoutSeconds > UNBOUNDED_TASK_TIMEOUT_SECONDS);
  return {
    ...state,
    ...(unbounded && { TimeoutSeconds: UNBOUNDED_TASK_TIMEOUT_SECONDS }),
    ...(state.ItemProcessor && { ItemProcessor: withTaskTimeouts(state.ItemProcessor) }),
    ...(state.Iterator && { Iterator: withTaskTimeouts(state.Iterator) }),
    ...(state.Branches && { Branches: state.Branches.map(withTaskTimeouts) }),
  };
}

function planTask(
  stateName: string,
  state: AslState,
  file: string,
  itemReader: ItemReaderPlan | undefined,
): TaskStatePlan {
  const resource = state.Resource ?? '';
  return {
    stateName,
    resource,
    integration: itemReader ? 'item-reader' : integrationOf(resource, stateName, file),
    timeoutSeconds:
      state.TimeoutSeconds === undefined
        ? undefined
        : Math.min(state.TimeoutSeconds, UNBOUNDED_TASK_TIMEOUT_SECONDS),
    heartbeatSeconds: state.HeartbeatSeconds,
    ...(itemReader && { itemReader }),
  };
}

function integrationOf(resource: string, stateName: string, file: string): TaskIntegration {
  if (resource === ITEM_READER_RESOURCE) {
    throw new Error(
      `${file}: state "${stateName}" uses ${ITEM_READER_RESOURCE}, which only the local ItemReader bridge may`,
    );
  }
  if (LAMBDA_FUNCTION_ARN.test(resource)) return 'lambda-function';
  if (resource === LAMBDA_INVOKE) return 'lambda-invoke';
  if (resource === `${LAMBDA_INVOKE}.waitForTaskToken`) return 'lambda-invoke-callback';
  if (CALLBACK_RESOURCE.test(resource)) return 'callback';
  throw new Error(
    `${file}: state "${stateName}" uses resource "${resource}"; the local engine runs Lambda tasks and .waitForTaskToken callbacks only`,
  );
}
