import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { StateMachineTask } from '../../config/state-machines';
import { type AwsScope, lambdaFunctionArn, lambdaFunctionName } from './arns';
import { asJson, type JsonValue } from './json';
import { lambdaFailure, lambdaFailureOf, TaskFailure } from './task-failure';

export type LambdaHandler = (event: unknown, context: Context) => unknown;
export type LoadHandler = (task: StateMachineTask) => Promise<LambdaHandler>;

/** Runs the handler behind a function name in-process, as one Lambda invocation. */
export type InvokeLambda = (
  functionNameOrArn: string,
  payload: JsonValue,
  signal: AbortSignal,
) => Promise<JsonValue>;

export interface LambdaFunctionsOptions {
  readonly functions: ReadonlyMap<string, StateMachineTask>;
  readonly loadHandler: LoadHandler;
  readonly scope: AwsScope;
  readonly timeoutMs: number;
}

/** Loads each handler once, like a warm Lambda container; a failed load is retried on the next invocation. */
export function cachedLoader(loadHandler: LoadHandler): LoadHandler {
  const handlers = new Map<string, Promise<LambdaHandler>>();
  return (task) => {
    const key = `${task.entry}#${task.export}`;
    let handler = handlers.get(key);
    if (!handler) {
      handler = loadHandler(task);
      handlers.set(key, handler);
      handler.catch(() => handlers.delete(key));
    }
    return handler;
  };
}

export function lambdaInvoker({
  functions,
  loadHandler,
  scope,
  timeoutMs,
}: LambdaFunctionsOptions): InvokeLambda {
  return async (functionNameOrArn, payload, signal) => {
    const functionName = lambdaFunctionName(functionNameOrArn);
    const task = functions.get(functionName);
    if (!task) {
      throw lambdaFailure('Lambda.ResourceNotFoundException', `Function not found: ${functionNameOrArn}`);
    }
    let handler: LambdaHandler;
    try {
      handler = await loadHandler(task);
    } catch (error) {
      throw lambdaFailure(
        'Runtime.ImportModuleError',
        error instanceof Error ? error.message : String(error),
      );
    }
    const context = lambdaContext(scope, functionName, timeoutMs);
    // Lambda hands the function its own copy of the event and serialises what it returns.
    const invocation = Promise.resolve().then(() => handler(structuredClone(payload), context));
    let response: unknown;
    try {
      response = await settleWithin(invocation, timeoutMs, signal, () =>
        lambdaFailure(
          'Sandbox.Timedout',
          `RequestId: ${context.awsRequestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
        ),
      );
    } catch (error) {
      throw signal.aborted || error instanceof TaskFailure ? error : lambdaFailureOf(error);
    }
    return asJson(response);
  };
}

/**
 * Settles like `work` unless `timeoutMs` pass first (rejects with `onTimeout()`) or `signal` aborts
 * (rejects with its reason): a handler that never returns holds neither its execution nor shutdown.
 */
function settleWithin<T>(
  work: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal,
  onTimeout: () => Error,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    signal.addEventListener('abort', abort, { once: true });
    if (signal.aborted) abort();
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', abort);
    });
  });
}

function lambdaContext(scope: AwsScope, functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const callbackStyle = () => {
    throw new Error('The local Step Functions engine runs async handlers only: return a promise.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: lambdaFunctionArn(scope, functionName),
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: callbackStyle,
    fail: callbackStyle,
    succeed: callbackStyle,
  };
}
