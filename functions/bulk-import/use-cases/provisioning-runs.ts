import type { Caller } from '../../identity/caller';
import type { WorkflowClient } from '../../shared/aws/workflow-client';
import { ConflictError } from '../../shared/errors';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { findTask } from './task-view';

export interface ProvisioningRunsDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'transition'>;
  readonly workflow: Pick<WorkflowClient, 'start'>;
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

/** Each run has its own execution name, so starting the same run twice is one execution. */
export function executionName(taskId: string, run: number): string {
  return `${taskId}-run-${run}`;
}

/**
 * `POST .../commit`: a VALIDATED task with valid rows moves to PROVISIONING and its first run
 * starts. The state change is conditional, so of two concurrent commits one wins; a commit of a
 * task already provisioning (a client retry) answers with that same run and starts nothing new.
 */
export async function commitImport(
  deps: ProvisioningRunsDeps,
  caller: Caller,
  request: { taskId: string; sendWelcome: boolean; approvalNote?: string },
) {
  const task = await findTask(deps, caller.tenantId, request.taskId);
  if (task.status === 'PROVISIONING' && task.run === 1)
    return { taskId: task.taskId, status: task.status, run: 1 };
  if (task.status === 'VALIDATED' && task.counts.valid === 0) {
    throw new ConflictError('NOTHING_TO_IMPORT', 'No row is valid: fix the file and upload it again.');
  }
  const run = 1;
  const committed = await deps.tasks.transition(
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
  );
  await startRun(
    deps,
    committed.tenantId,
    committed.taskId,
    run,
    request.sendWelcome,
    caller.audit.correlationId,
  );
  return { taskId: committed.taskId, status: committed.status, run };
}

/**
 * `POST .../:taskId/retry`: replays only the rows that failed, as a new run; rows already created
 * are never touched, and the counts stay true because they are derived from each row's latest
 * outcome.
 */
export async function retryFailedRows(deps: ProvisioningRunsDeps, caller: Caller, taskId: string) {
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
