import { z } from 'zod';
import type { Caller } from '../../identity/caller';
import { executionArnOf, type WorkflowClient } from '../../shared/aws/workflow-client';
import { ConflictError } from '../../shared/errors';
import type { ImportTask, ImportTaskRepository } from '../adapters/import-task-repository';
import { endedOnItsApproval } from '../domain/execution-status';
import { TASK_STATUSES } from '../domain/import-task';
import { findTask } from './task-view';

export interface ProvisioningRunsDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'transition'>;
  readonly workflow: Pick<WorkflowClient, 'start' | 'describe' | 'redrive'>;
  readonly stateMachineArn: string;
  readonly clock: () => Date;
}

/** The input of one provisioning run; `run` 1 provisions every valid row, later runs the failed ones. */
export interface RunInput extends Record<string, unknown> {
  readonly tenantId: string;
  readonly taskId: string;
  readonly run: number;
  readonly sendWelcome: boolean;
  readonly correlationId: string;
}

/** What commit, retry and redrive answer: the run that provisions the task now. */
export const importRunSchema = z.strictObject({
  taskId: z.string(),
  status: z.enum(TASK_STATUSES),
  run: z.number().int().min(1),
});
type ImportRun = z.infer<typeof importRunSchema>;

/** Each run has its own execution name, so starting the same run twice is one execution. */
export function executionName(taskId: string, run: number): string {
  return `${taskId}-run-${run}`;
}

/** The ARN of a run's execution, named after the task and the run. */
export function runExecutionArn(
  deps: Pick<ProvisioningRunsDeps, 'stateMachineArn'>,
  taskId: string,
  run: number,
): string {
  return executionArnOf(deps.stateMachineArn, executionName(taskId, run));
}

/**
 * `POST .../commit`: a VALIDATED task with valid rows moves to PROVISIONING and its first run
 * starts. The state change is conditional, so of concurrent commits one wins; every other commit
 * of the task (a client retry, or a loser of that race) answers with that same run. It starts the
 * run again under the same execution name and input, which Step Functions treats as the same
 * execution: nothing new runs, and a winner that crashed between its state change and its start
 * leaves no committed task without an execution.
 */
export async function commitImport(
  deps: ProvisioningRunsDeps,
  caller: Caller,
  request: { taskId: string; sendWelcome: boolean; approvalNote?: string },
): Promise<ImportRun> {
  const task = await findTask(deps, caller.tenantId, request.taskId);
  if (isFirstRunCommitted(task)) return resumeFirstRun(deps, task);
  if (task.status === 'VALIDATED' && task.counts.valid === 0) {
    throw new ConflictError('NOTHING_TO_IMPORT', 'No row is valid: fix the file and upload it again.');
  }
  const run = 1;
  const committed = await deps.tasks
    .transition(
      caller.tenantId,
      task.taskId,
      ['VALIDATED'],
      'PROVISIONING',
      {
        run,
        sendWelcome: request.sendWelcome,
        committedBy: caller.currentUserId,
        correlationId: caller.audit.correlationId,
        ...(request.approvalNote ? { approvalNote: request.approvalNote } : {}),
      },
      deps.clock().toISOString(),
    )
    .catch(async (error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
      const winner = await findTask(deps, caller.tenantId, task.taskId);
      if (!isFirstRunCommitted(winner)) throw error;
      return winner;
    });
  return resumeFirstRun(deps, committed);
}

function isFirstRunCommitted(task: ImportTask): boolean {
  return task.status === 'PROVISIONING' && task.run === 1;
}

/** Starts (or finds) the first run with what its commit recorded, so every commit names the same execution. */
async function resumeFirstRun(deps: ProvisioningRunsDeps, task: ImportTask): Promise<ImportRun> {
  await startRun(
    deps,
    task.tenantId,
    task.taskId,
    1,
    task.sendWelcome ?? false,
    task.correlationId ?? task.taskId,
  );
  return { taskId: task.taskId, status: task.status, run: 1 };
}

/**
 * `POST .../:taskId/retry`: replays only the rows that failed, as a new run; rows already created
 * are never touched, and the counts stay true because they are derived from each row's latest
 * outcome.
 */
export async function retryFailedRows(
  deps: ProvisioningRunsDeps,
  caller: Caller,
  taskId: string,
): Promise<ImportRun> {
  const task = await findTask(deps, caller.tenantId, taskId);
  if (task.status === 'PROVISIONING') return { taskId, status: task.status, run: task.run };
  if (task.status === 'AWAITING_APPROVAL') {
    // A new run now would finalize over grants the approval is about to settle.
    throw new ConflictError(
      'AWAITING_APPROVAL',
      'The import waits for the approval of its sensitive role grants; retry its failed rows once that is decided.',
    );
  }
  if (!['COMPLETED_WITH_ERRORS', 'FAILED'].includes(task.status) || task.run === 0) {
    throw new ConflictError(
      'NOTHING_TO_RETRY',
      `The task is ${task.status}: only a finished import with failed rows can be retried.`,
    );
  }
  const run = task.run + 1;
  const sendWelcome = task.sendWelcome ?? false;
  const retried = await deps.tasks.transition(
    caller.tenantId,
    taskId,
    ['COMPLETED_WITH_ERRORS', 'FAILED'],
    'PROVISIONING',
    { run, correlationId: caller.audit.correlationId },
    deps.clock().toISOString(),
  );
  await startRun(deps, retried.tenantId, taskId, run, sendWelcome, caller.audit.correlationId);
  return { taskId, status: retried.status, run };
}

/**
 * `POST .../:taskId/redrive`: resumes the FAILED run's execution at the step that failed (AWS
 * RedriveExecution), for a run that crashed (a provisioning step failing past its retries);
 * failed rows of a finished run are for retry instead. The task goes back to PROVISIONING first,
 * conditionally, so of two concurrent redrives one wins; should AWS refuse the redrive, it is FAILED
 * again. Steps are idempotent per (task, row): nothing the run did before is done twice.
 */
export async function redriveRun(
  deps: ProvisioningRunsDeps,
  caller: Caller,
  taskId: string,
): Promise<ImportRun> {
  const task = await findTask(deps, caller.tenantId, taskId);
  if (task.run === 0) {
    throw new ConflictError('NOTHING_TO_REDRIVE', `The task is ${task.status}: it was never committed.`);
  }
  const executionArn = runExecutionArn(deps, taskId, task.run);
  const execution = await deps.workflow.describe(executionArn);
  if (!execution) {
    throw new ConflictError(
      'NOTHING_TO_REDRIVE',
      `Run ${task.run} has no execution any more (AWS keeps them 90 days): retry the failed rows instead.`,
    );
  }
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
    throw new ConflictError('EXECUTION_RUNNING', `Run ${task.run} is still running: wait for it to end.`);
  }
  if (execution.status === 'SUCCEEDED') {
    throw new ConflictError(
      'EXECUTION_SUCCEEDED',
      `Run ${task.run} ran to its end (${task.status}): retry its failed rows with POST .../${taskId}/retry.`,
    );
  }
  if (endedOnItsApproval(execution)) {
    throw new ConflictError(
      'EXECUTION_NOT_REDRIVABLE',
      `Run ${task.run} ended on its approval (${execution.error}): the task records why; request the roles again, or retry the failed rows.`,
    );
  }
  if (task.status !== 'FAILED') {
    // The execution-status rule has not marked it yet: redriving now would race its FAILED mark.
    throw new ConflictError(
      'TASK_STATE_CONFLICT',
      `Run ${task.run} failed and the task is being marked FAILED (it is ${task.status}): try again in a moment.`,
    );
  }
  const now = deps.clock().toISOString();
  const redriven = await deps.tasks.transition(
    caller.tenantId,
    taskId,
    ['FAILED'],
    'PROVISIONING',
    { correlationId: caller.audit.correlationId },
    now,
  );
  const resumed = await deps.workflow.redrive(executionArn).catch(async (error: unknown) => {
    await deps.tasks.transition(caller.tenantId, taskId, ['PROVISIONING'], 'FAILED', {}, now);
    throw error;
  });
  if (!resumed) {
    await deps.tasks.transition(caller.tenantId, taskId, ['PROVISIONING'], 'FAILED', {}, now);
    throw new ConflictError(
      'EXECUTION_NOT_REDRIVABLE',
      `AWS no longer redrives run ${task.run} (an execution can be redriven within 14 days of its end): retry the failed rows instead.`,
    );
  }
  return { taskId, run: redriven.run, status: redriven.status };
}

async function startRun(
  deps: ProvisioningRunsDeps,
  tenantId: string,
  taskId: string,
  run: number,
  sendWelcome: boolean,
  correlationId: string,
): Promise<void> {
  const input: RunInput = { tenantId, taskId, run, sendWelcome, correlationId };
  await deps.workflow.start(deps.stateMachineArn, executionName(taskId, run), input);
}
