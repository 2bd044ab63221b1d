import type { StateMachineTask } from '../../config/state-machines';
import { lambdaContext } from '../lambda/context';
import type { LambdaHandler, LoadHandler } from '../lambda/handlers';
import { type AwsScope, lambdaFunctionArn, lambdaFunctionName } from './arns';
import { asJson, type JsonValue } from './json';
import { lambdaFailure, lambdaFailureOf, TaskFailure } from './task-failure';

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
    const context = lambdaContext({
      functionName,
      invokedFunctionArn: lambdaFunctionArn(scope, functionName),
      timeoutMs,
    });
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
