import type { RunOptions } from 'aws-local-stepfunctions';
import { z } from 'zod';
import type { TaskStatePlan } from './definitions';
import type { ExecutionHistory } from './history';
import { type ItemSlots, type ReadObject, readItems } from './item-reader';
import { type JsonValue, jsonValue } from './json';
import type { InvokeLambda } from './lambda-functions';
import { TaskFailure } from './task-failure';
import type { TaskTokens } from './task-tokens';

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/**
 * What `$$.Task.Token` resolves to in the context object. aws-local-stepfunctions has no task tokens,
 * so the bridge swaps this placeholder for a fresh token each time a callback task runs.
 */
export const TASK_TOKEN_PLACEHOLDER = 'local-stepfunctions:Task.Token';

export interface TaskRun {
  readonly invokeLambda: InvokeLambda;
  readonly taskTokens: TaskTokens;
  readonly history: ExecutionHistory;
  /** Aborted when the execution run ends, so a task still waiting lets go. */
  readonly signal: AbortSignal;
  readonly region: string;
  /** Where bridged ItemReaders read from; absent when no machine has an ItemReader. */
  readonly readObject?: ReadObject;
  /** This run's item slots, also in its context object, where the bridged Map states read them. */
  readonly itemSlots: ItemSlots;
}

const lambdaInvokeParameters = z.object({ FunctionName: z.string(), Payload: jsonValue.optional() });

/**
 * One local handler per Task state (aws-local-stepfunctions keys overrides by state name). The engine
 * has already applied InputPath and Parameters to the input, and applies ResultSelector, ResultPath,
 * OutputPath, Retry and Catch to what the handler returns or throws.
 */
export function createTaskHandlers(plans: readonly TaskStatePlan[], run: TaskRun): TaskHandlers {
  return Object.fromEntries(
    plans.map((plan) => [plan.stateName, (input: JsonValue) => runTask(plan, input, run)]),
  );
}

async function runTask(plan: TaskStatePlan, input: JsonValue, run: TaskRun): Promise<JsonValue> {
  // The engine logs StateEntered in the same tick it calls us; one macrotask lets the history take it
  // in first, so TaskScheduled follows it as in AWS.
  await new Promise((resolve) => setImmediate(resolve));
  switch (plan.integration) {
    case 'lambda-function':
      return recorded(plan, input, run, () => run.invokeLambda(plan.resource, input, run.signal));
    case 'lambda-invoke':
      return recorded(plan, input, run, async () => {
        const { FunctionName, Payload } = parseLambdaInvoke(plan, input);
        const response = await run.invokeLambda(FunctionName, Payload ?? {}, run.signal);
        // The optimized integration returns Lambda's Invoke response with the payload parsed.
        return { ExecutedVersion: '$LATEST', Payload: response, StatusCode: 200 };
      });
    case 'lambda-invoke-callback':
      return waitForCallback(plan, input, run, (parameters, callback) => {
        const { FunctionName, Payload } = parseLambdaInvoke(plan, parameters);
        const invocation = run.invokeLambda(FunctionName, Payload ?? {}, run.signal);
        // The function may call SendTaskSuccess before it returns; its error fails the task unless the callback came first.
        return Promise.race([callback, invocation.then(() => callback)]);
      });
    case 'callback':
      return waitForCallback(plan, input, run, (_parameters, callback) => callback);
    case 'item-reader': {
      const { itemReader } = plan;
      if (!itemReader || !run.readObject) {
        throw new TaskFailure(
          'States.Runtime',
          `${plan.stateName}: the local engine has no S3 to read items from`,
        );
      }
      return readItems(itemReader, input, run.readObject, run.itemSlots);
    }
  }
}

function waitForCallback(
  plan: TaskStatePlan,
  input: JsonValue,
  run: TaskRun,
  wait: (parameters: JsonValue, callback: Promise<JsonValue>) => Promise<JsonValue>,
): Promise<JsonValue> {
  const { token, callback } = run.taskTokens.issue({
    heartbeatSeconds: plan.heartbeatSeconds,
    timeoutSeconds: plan.timeoutSeconds,
    signal: run.signal,
  });
  const parameters = withTaskToken(input, token);
  return recorded(plan, parameters, run, () =>
    wait(parameters, callback).finally(() => run.taskTokens.discard(token)),
  );
}

async function recorded(
  plan: TaskStatePlan,
  parameters: JsonValue,
  run: TaskRun,
  work: () => Promise<JsonValue>,
): Promise<JsonValue> {
  const resource = resourceOf(plan.resource);
  run.history.record('TaskScheduled', {
    taskScheduledEventDetails: {
      ...resource,
      region: run.region,
      parameters: JSON.stringify(parameters),
      timeoutInSeconds: plan.timeoutSeconds,
      heartbeatInSeconds: plan.heartbeatSeconds,
    },
  });
  try {
    const output = await work();
    run.history.record('TaskSucceeded', {
      taskSucceededEventDetails: { ...resource, output: JSON.stringify(output) },
    });
    return output;
  } catch (error) {
    if (error instanceof TaskFailure) {
      const details = { ...resource, error: error.name, cause: error.message };
      run.history.record('TaskFailed', { taskFailedEventDetails: details });
    }
    throw error;
  }
}

function parseLambdaInvoke(
  plan: TaskStatePlan,
  parameters: JsonValue,
): z.output<typeof lambdaInvokeParameters> {
  const parsed = lambdaInvokeParameters.safeParse(parameters);
  if (parsed.success) return parsed.data;
  throw new TaskFailure('States.Runtime', `${plan.stateName}: lambda:invoke needs Parameters.FunctionName`);
}

/** `arn:aws:states:::lambda:invoke.waitForTaskToken` → lambda / invoke.waitForTaskToken, as history events name it. */
function resourceOf(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:[^:]+:states:::([^:]+):(.+)$/.exec(resource);
  if (integration?.[1] && integration[2]) return { resourceType: integration[1], resource: integration[2] };
  return { resourceType: 'lambda', resource };
}

function withTaskToken(value: JsonValue, token: string): JsonValue {
  if (typeof value === 'string') return value.replaceAll(TASK_TOKEN_PLACEHOLDER, token);
  if (Array.isArray(value)) return value.map((item) => withTaskToken(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withTaskToken(item, token)]));
  }
  return value;
}
