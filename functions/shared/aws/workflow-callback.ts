import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** What resuming a waiting task came to. */
export type ResumeResult = 'resumed' | 'not-waiting';

/** SendTaskFailure caps `error` at 256 characters and `cause` at 32,768. */
const MAX_CAUSE_LENGTH = 32_768;

/**
 * Resumes Step Functions tasks waiting on a token (`.waitForTaskToken`). A token whose task no
 * longer waits (it timed out, its execution stopped, or it was already resumed) is `not-waiting`,
 * not an error: the caller records that and moves on, since nothing it retries could change it.
 */
export class WorkflowCallback {
  constructor(private readonly client: SFNClient) {}

  async sendSuccess(taskToken: string, output: unknown): Promise<ResumeResult> {
    return this.resume(() =>
      this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  async sendFailure(taskToken: string, error: string, cause: unknown): Promise<ResumeResult> {
    return this.resume(() =>
      this.client.send(
        new SendTaskFailureCommand({
          taskToken,
          error,
          cause: JSON.stringify(cause).slice(0, MAX_CAUSE_LENGTH),
        }),
      ),
    );
  }

  private async resume(send: () => Promise<unknown>): Promise<ResumeResult> {
    try {
      await send();
      return 'resumed';
    } catch (error) {
      if (isNotWaiting(error)) return 'not-waiting';
      throw error;
    }
  }
}

/** The errors Step Functions answers for a token whose task is not waiting (by name: the SDK's classes set it). */
const NOT_WAITING = ['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'];

function isNotWaiting(error: unknown): boolean {
  return error instanceof Error && NOT_WAITING.includes(error.name);
}
