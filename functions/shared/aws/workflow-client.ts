import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';

export interface ExecutionState {
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  /** False once AWS says it will not redrive it (ended over 14 days ago, or not in a failed status). */
  readonly redrivable: boolean;
}

/** Starts, describes and redrives Step Functions executions; the only code that talks to Step Functions. */
export class WorkflowClient {
  constructor(private readonly client: SFNClient) {}

  /**
   * Starts an execution under a name of ours. Step Functions treats the same name with the same
   * input as the same execution, so a retried call never starts a second one.
   */
  async start(stateMachineArn: string, name: string, input: Record<string, unknown>): Promise<string> {
    try {
      const result = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      return result.executionArn ?? '';
    } catch (error) {
      // Same name, other input: this run was started before (by an earlier attempt); it is the one.
      if (error instanceof ExecutionAlreadyExists) return executionArnOf(stateMachineArn, name);
      throw error;
    }
  }

  /** Where an execution stands; undefined when there is none (never started, or past AWS's 90 days). */
  async describe(executionArn: string): Promise<ExecutionState | undefined> {
    try {
      const { status, error, cause, redriveStatus } = await this.client.send(
        new DescribeExecutionCommand({ executionArn }),
      );
      return {
        status: status ?? 'UNKNOWN',
        ...(error ? { error } : {}),
        ...(cause ? { cause } : {}),
        redrivable: redriveStatus !== 'NOT_REDRIVABLE',
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  }

  /**
   * Resumes a FAILED, TIMED_OUT or ABORTED execution at the step that failed. False when AWS refuses
   * it (ExecutionNotRedrivable: it ended more than 14 days ago, or is not in a redrivable status).
   */
  async redrive(executionArn: string): Promise<boolean> {
    try {
      await this.client.send(new RedriveExecutionCommand({ executionArn }));
      return true;
    } catch (error) {
      if (error instanceof ExecutionNotRedrivable) return false;
      throw error;
    }
  }
}

/** `arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
