/**
 * A failed task as Step Functions reports it. The engine matches ASL `Retry`/`Catch` `ErrorEquals`
 * against the error's name and hands `{Error: name, Cause: message}` to a catcher.
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** A Lambda function error the way Step Functions surfaces it: `Error` is the errorType, `Cause` Lambda's error JSON. */
export function lambdaFailure(
  errorType: string,
  errorMessage: string,
  trace: readonly string[] = [],
): TaskFailure {
  return new TaskFailure(errorType, JSON.stringify({ errorType, errorMessage, trace }));
}

/** The Node.js Lambda runtime reports a thrown error by its `name`, `message` and stack lines. */
export function lambdaFailureOf(thrown: unknown): TaskFailure {
  if (thrown instanceof Error) return lambdaFailure(thrown.name, thrown.message, thrown.stack?.split('\n'));
  return lambdaFailure('Error', String(thrown));
}
