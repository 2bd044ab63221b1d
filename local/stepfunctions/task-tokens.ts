import { randomBytes } from 'node:crypto';
import type { JsonValue } from './json';
import { StepFunctionsError } from './protocol';
import { TaskFailure } from './task-failure';

export interface IssueOptions {
  readonly heartbeatSeconds?: number;
  readonly timeoutSeconds?: number;
  /** Aborted when the execution run ends: the token dies with it. */
  readonly signal: AbortSignal;
}

export interface IssuedToken {
  readonly token: string;
  /** Resolves with SendTaskSuccess's output, rejects with SendTaskFailure's error or a missed heartbeat. */
  readonly callback: Promise<JsonValue>;
}

interface PendingTask {
  readonly resolve: (output: JsonValue) => void;
  readonly reject: (failure: unknown) => void;
  readonly heartbeatSeconds?: number;
  heartbeatTimer?: NodeJS.Timeout;
  timeoutTimer?: NodeJS.Timeout;
  detach?: () => void;
}

/**
 * The task tokens of callback tasks (`.waitForTaskToken`), what SendTaskSuccess, SendTaskFailure and
 * SendTaskHeartbeat resolve. Tokens live in memory only, like the executions that issue them.
 */
export class TaskTokens {
  readonly #pending = new Map<string, PendingTask>();
  /** Tokens that were issued and are done: AWS answers TaskTimedOut for them, InvalidToken for strangers. */
  readonly #finished = new Set<string>();

  issue({ heartbeatSeconds, timeoutSeconds, signal }: IssueOptions): IssuedToken {
    const token = randomBytes(48).toString('base64url');
    const callback = new Promise<JsonValue>((resolve, reject) => {
      const task: PendingTask = { resolve, reject, heartbeatSeconds };
      this.#pending.set(token, task);
      this.#armHeartbeat(token, task);
      // The engine fails the task itself when TimeoutSeconds pass; the token only has to stop answering.
      if (timeoutSeconds !== undefined)
        task.timeoutTimer = setTimeout(() => this.discard(token), timeoutSeconds * 1000);
      const abort = () => this.#settle(token, (pending) => pending.reject(signal.reason));
      signal.addEventListener('abort', abort, { once: true });
      task.detach = () => signal.removeEventListener('abort', abort);
      if (signal.aborted) abort();
    });
    return { token, callback };
  }

  succeed(token: string, output: JsonValue): void {
    this.#settle(this.#require(token), (task) => task.resolve(output));
  }

  fail(token: string, error = '', cause = ''): void {
    this.#settle(this.#require(token), (task) => task.reject(new TaskFailure(error, cause)));
  }

  heartbeat(token: string): void {
    const task = this.#pending.get(this.#require(token));
    if (task) this.#armHeartbeat(token, task);
  }

  /** Forgets a token whose task ended another way (its Lambda failed, its timeout passed). */
  discard(token: string): void {
    this.#settle(token, () => {});
  }

  #require(token: string): string {
    if (this.#pending.has(token)) return token;
    if (this.#finished.has(token)) {
      throw new StepFunctionsError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new StepFunctionsError('InvalidToken', 'Invalid Token: the token was not issued by this engine');
  }

  /**
   * AWS reports a missed heartbeat as `States.Timeout`; aws-local-stepfunctions matches errors by
   * name only, so a `States.TaskFailed` catcher also catches it locally (AWS keeps timeouts out of it).
   */
  #armHeartbeat(token: string, task: PendingTask): void {
    const seconds = task.heartbeatSeconds;
    if (seconds === undefined) return;
    clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(() => {
      this.#settle(token, (pending) =>
        pending.reject(
          new TaskFailure('States.Timeout', `No heartbeat within HeartbeatSeconds (${seconds})`),
        ),
      );
    }, seconds * 1000);
  }

  #settle(token: string, settle: (task: PendingTask) => void): void {
    const task = this.#pending.get(token);
    if (!task) return;
    this.#pending.delete(token);
    this.#finished.add(token);
    clearTimeout(task.heartbeatTimer);
    clearTimeout(task.timeoutTimer);
    task.detach?.();
    settle(task);
  }
}
