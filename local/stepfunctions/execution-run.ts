import { setMaxListeners } from 'node:events';
import { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import type { LoadHandler } from '../lambda/handlers';
import type { AwsScope } from './arns';
import type { CompiledStateMachine } from './definitions';
import { type ExecutionHistory, recordEngineEvents } from './history';
import { ITEM_READER_CONTEXT_KEY, type ItemSlots, type ReadObject } from './item-reader';
import type { JsonValue } from './json';
import { lambdaInvoker } from './lambda-functions';
import { createTaskHandlers, TASK_TOKEN_PLACEHOLDER } from './task-handlers';
import type { TaskTokens } from './task-tokens';

export type RunOutcome =
  | { readonly status: 'SUCCEEDED'; readonly output: string }
  | { readonly status: 'FAILED'; readonly error: string; readonly cause: string }
  | { readonly status: 'TIMED_OUT' }
  | { readonly status: 'ABORTED' };

export interface RunRequest {
  readonly machine: CompiledStateMachine;
  readonly executionArn: string;
  readonly executionName: string;
  readonly input: JsonValue;
  readonly redriveCount: number;
  readonly history: ExecutionHistory;
}

export interface RunServices {
  readonly scope: AwsScope;
  readonly loadHandler: LoadHandler;
  readonly taskTokens: TaskTokens;
  readonly handlerTimeoutMs: number;
  readonly retryIntervalMs?: number;
  readonly readObject?: ReadObject;
}

export interface ExecutionRun {
  /** Settles once the run is over; never rejects. */
  readonly outcome: Promise<RunOutcome>;
  abort(): void;
}

/** Runs an execution from its first state with aws-local-stepfunctions, in the background. */
export function startRun(request: RunRequest, services: RunServices): ExecutionRun {
  const { machine, history } = request;
  const tasksScope = new AbortController();
  // Every waiting task of a wide Map listens to this one signal.
  setMaxListeners(0, tasksScope.signal);
  const invokeLambda = lambdaInvoker({
    functions: machine.functions,
    loadHandler: services.loadHandler,
    scope: services.scope,
    timeoutMs: services.handlerTimeoutMs,
  });
  // Shared by reference: the engine copies the context object shallowly for each state and iteration.
  const itemSlots: ItemSlots = {};
  const run = machine.engine.run(request.input, {
    overrides: {
      taskResourceLocalHandlers: createTaskHandlers(machine.taskStates, {
        invokeLambda,
        taskTokens: services.taskTokens,
        history,
        signal: tasksScope.signal,
        region: services.scope.region,
        readObject: services.readObject,
        itemSlots,
      }),
      retryIntervalOverrides: retryIntervalOverrides(machine, services.retryIntervalMs),
    },
    context: {
      Execution: {
        Id: request.executionArn,
        Name: request.executionName,
        RoleArn: `arn:aws:iam::${services.scope.accountId}:role/local-stepfunctions`,
        RedriveCount: request.redriveCount,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
      [ITEM_READER_CONTEXT_KEY]: itemSlots,
    },
  });
  void recordEngineEvents(run.eventLogs, history, machine.hiddenStateNames);
  const outcome = run.result.then(succeeded, outcomeOfError).finally(() => tasksScope.abort());
  return { outcome, abort: run.abort };
}

function retryIntervalOverrides(
  machine: CompiledStateMachine,
  retryIntervalMs: number | undefined,
): Record<string, number> | undefined {
  if (retryIntervalMs === undefined) return undefined;
  return Object.fromEntries(machine.retryingStateNames.map((stateName) => [stateName, retryIntervalMs]));
}

function succeeded(output: JsonValue): RunOutcome {
  return { status: 'SUCCEEDED', output: JSON.stringify(output) };
}

function outcomeOfError(error: unknown): RunOutcome {
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT' };
  const failure = error instanceof ExecutionError ? error.cause : error;
  if (failure instanceof Error) return { status: 'FAILED', error: failure.name, cause: failure.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(failure) };
}
