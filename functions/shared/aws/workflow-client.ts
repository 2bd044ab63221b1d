import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Starts Step Functions executions; the only code that talks to Step Functions. */
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
}

/** `arn:…:stateMachine:<machine>` → `arn:…:execution:<machine>:<name>`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
