import { z } from 'zod';

/**
 * A Step Functions service error as the SDK expects it on the JSON 1.0 wire: `{"__type", "message"}`.
 * The SDK turns `__type` into the matching exception class (`ExecutionDoesNotExist`, ...).
 */
export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = type;
  }
}

/** The JSON 1.0 protocol carries every timestamp as epoch seconds. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;

const arn = z.string().min(1);
const taskToken = z.string().min(1);
const maxResults = z.number().int().min(0).max(1000).optional();

/** The request bodies of the operations the engine serves, as `@aws-sdk/client-sfn` sends them. */
export const requests = {
  startExecution: z.object({
    stateMachineArn: arn,
    name: z.string().optional(),
    input: z.string().optional(),
    traceHeader: z.string().optional(),
  }),
  execution: z.object({ executionArn: arn }),
  stopExecution: z.object({ executionArn: arn, error: z.string().optional(), cause: z.string().optional() }),
  listExecutions: z.object({
    stateMachineArn: arn,
    statusFilter: z.enum(EXECUTION_STATUSES).optional(),
    redriveFilter: z.enum(['REDRIVEN', 'NOT_REDRIVEN']).optional(),
    maxResults,
    nextToken: z.string().optional(),
  }),
  getExecutionHistory: z.object({
    executionArn: arn,
    maxResults,
    reverseOrder: z.boolean().optional(),
    nextToken: z.string().optional(),
  }),
  sendTaskSuccess: z.object({ taskToken, output: z.string() }),
  sendTaskFailure: z.object({ taskToken, error: z.string().optional(), cause: z.string().optional() }),
  sendTaskHeartbeat: z.object({ taskToken }),
};

export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new StepFunctionsError('ValidationException', z.prettifyError(parsed.error));
  return parsed.data;
}
