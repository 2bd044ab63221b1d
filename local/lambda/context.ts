import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

export interface InvocationTarget {
  readonly functionName: string;
  readonly invokedFunctionArn: string;
  /** The function's timeout: `getRemainingTimeInMillis()` counts down from it. */
  readonly timeoutMs: number;
}

/** The Lambda context of one invocation, for every engine that runs handlers in-process. */
export function lambdaContext({ functionName, invokedFunctionArn, timeoutMs }: InvocationTarget): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => {
    throw new Error('The local stack does not support callback-style completion; return a promise.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
