import type { Execution, ExecutionRegistry } from './executions';
import type { HistoryEvent } from './history';
import { parseJson } from './json';
import { epochSeconds, parseRequest, requests, StepFunctionsError } from './protocol';
import type { TaskTokens } from './task-tokens';

/** One Step Functions API operation: the parsed JSON request body in, the response body out. */
export type Operation = (body: unknown) => object;

const DEFAULT_PAGE_SIZE = 100;

/** The operations Muster's handlers call, by the name that follows `AWSStepFunctions.` in X-Amz-Target. */
export function createOperations(
  executions: ExecutionRegistry,
  taskTokens: TaskTokens,
): ReadonlyMap<string, Operation> {
  return new Map<string, Operation>([
    [
      'StartExecution',
      (body) => {
        const execution = executions.start(parseRequest(requests.startExecution, body));
        return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
      },
    ],
    [
      'DescribeExecution',
      (body) => describeExecution(executions.get(parseRequest(requests.execution, body).executionArn)),
    ],
    [
      'StopExecution',
      (body) => {
        const { executionArn, error, cause } = parseRequest(requests.stopExecution, body);
        return { stopDate: epochSeconds(executions.stop(executionArn, error, cause)) };
      },
    ],
    [
      'RedriveExecution',
      (body) => ({
        redriveDate: epochSeconds(executions.redrive(parseRequest(requests.execution, body).executionArn)),
      }),
    ],
    [
      'ListExecutions',
      (body) => {
        const request = parseRequest(requests.listExecutions, body);
        const matching = executions
          .list(request.stateMachineArn)
          .filter(
            (execution) => request.statusFilter === undefined || execution.status === request.statusFilter,
          )
          .filter(
            (execution) =>
              request.redriveFilter === undefined ||
              isRedriven(execution) === (request.redriveFilter === 'REDRIVEN'),
          );
        const { items, nextToken } = page(matching, request.maxResults, request.nextToken);
        return { executions: items.map(listItem), nextToken };
      },
    ],
    [
      'GetExecutionHistory',
      (body) => {
        const request = parseRequest(requests.getExecutionHistory, body);
        const events = [...executions.get(request.executionArn).history.events];
        if (request.reverseOrder) events.reverse();
        const { items, nextToken } = page(events, request.maxResults, request.nextToken);
        return { events: items.map(historyEvent), nextToken };
      },
    ],
    [
      'SendTaskSuccess',
      (body) => {
        const { taskToken, output } = parseRequest(requests.sendTaskSuccess, body);
        const parsedOutput = parseJson(output);
        if (parsedOutput === undefined)
          throw new StepFunctionsError('InvalidOutput', 'Invalid Output: not JSON');
        taskTokens.succeed(taskToken, parsedOutput);
        return {};
      },
    ],
    [
      'SendTaskFailure',
      (body) => {
        const { taskToken, error, cause } = parseRequest(requests.sendTaskFailure, body);
        taskTokens.fail(taskToken, error, cause);
        return {};
      },
    ],
    [
      'SendTaskHeartbeat',
      (body) => {
        taskTokens.heartbeat(parseRequest(requests.sendTaskHeartbeat, body).taskToken);
        return {};
      },
    ],
  ]);
}

/** What ListExecutions says of an execution; DescribeExecution says all of it and more. */
function listItem(execution: Execution): object {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    stopDate: execution.stopDate && epochSeconds(execution.stopDate),
    redriveCount: execution.redriveCount,
    redriveDate: execution.redriveDate && epochSeconds(execution.redriveDate),
  };
}

function describeExecution(execution: Execution): object {
  const redrivable = execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED';
  return {
    ...listItem(execution),
    input: execution.input,
    inputDetails: { included: true },
    output: execution.output,
    outputDetails: execution.output === undefined ? undefined : { included: true },
    traceHeader: execution.traceHeader,
    error: execution.error,
    cause: execution.cause,
    redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
    redriveStatusReason: redrivable ? undefined : `Execution is ${execution.status} and cannot be redriven`,
  };
}

function historyEvent(event: HistoryEvent): object {
  return {
    id: event.id,
    previousEventId: event.id - 1,
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    ...event.details,
  };
}

function isRedriven(execution: Execution): boolean {
  return execution.redriveCount > 0;
}

/** The tokens of this engine's paginated answers are plain offsets; AWS answers InvalidToken to a bad one. */
function page<Item>(
  items: readonly Item[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: Item[]; nextToken?: string } {
  const start = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isSafeInteger(start) || start < 0)
    throw new StepFunctionsError('InvalidToken', 'Invalid Token: nextToken');
  // AWS treats a maxResults of 0 as the default page size.
  const end = start + (maxResults || DEFAULT_PAGE_SIZE);
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}
