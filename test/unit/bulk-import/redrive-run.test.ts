import { describe, expect, it } from 'vitest';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type { TaskStatus } from '../../../functions/bulk-import/domain/import-task';
import {
  type ProvisioningRunsDeps,
  redriveRun,
} from '../../../functions/bulk-import/use-cases/provisioning-runs';
import type { Caller } from '../../../functions/identity/caller';
import type { ExecutionState } from '../../../functions/shared/aws/workflow-client';
import { ConflictError } from '../../../functions/shared/errors';
import { BULK_IMPORT_STATE_MACHINE, importTask, oneTaskTable } from './import-task-fixtures';

const TASK_ID = 't_01jredrive0000000000000000';
const EXECUTION = `arn:aws:states:eu-west-1:000000000000:execution:muster-dev-BulkImport:${TASK_ID}-run-2`;
const caller = {
  tenantId: 'acme',
  currentUserId: 'u_admin',
  audit: { correlationId: 'corr-redrive' },
} as unknown as Caller;

function taskIn(status: TaskStatus, run = 2): ImportTask {
  return importTask({
    taskId: TASK_ID,
    status,
    counts: { total: 3, valid: 3, invalid: 0, succeeded: 1, failed: 2, notified: 0, pendingApproval: 0 },
    run,
    failureReason: 'States.TaskFailed: boom',
  });
}

/** A task table of one task, with DynamoDB's conditional transition, and a workflow that records its redrives. */
function world(
  task: ImportTask,
  execution: ExecutionState | undefined,
  redrive: () => Promise<boolean> = async () => true,
) {
  const { tasks, current } = oneTaskTable(task);
  const redriven: string[] = [];
  const deps: ProvisioningRunsDeps = {
    tasks,
    workflow: {
      start: async () => '',
      describe: async (arn) => (arn === EXECUTION ? execution : undefined),
      redrive: async (arn) => {
        redriven.push(arn);
        return redrive();
      },
    },
    stateMachineArn: BULK_IMPORT_STATE_MACHINE,
    clock: () => new Date('2026-11-22T10:00:00.000Z'),
  };
  return { deps, redriven, current };
}

async function conflictCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConflictError);
  return (error as ConflictError).code;
}

describe('redriveRun', () => {
  it('redrives the current run’s failed execution and puts the task back to PROVISIONING', async () => {
    const { deps, redriven, current } = world(taskIn('FAILED'), {
      status: 'FAILED',
      error: 'States.TaskFailed',
      redrivable: true,
    });

    expect(await redriveRun(deps, caller, TASK_ID)).toEqual({
      taskId: TASK_ID,
      run: 2,
      status: 'PROVISIONING',
    });
    expect(redriven).toEqual([EXECUTION]);
    expect(current()).toMatchObject({ status: 'PROVISIONING', run: 2, correlationId: 'corr-redrive' });
  });

  it.each(['TIMED_OUT', 'ABORTED'])('redrives a %s execution too', async (status) => {
    const { deps, redriven } = world(taskIn('FAILED'), { status, redrivable: true });
    await redriveRun(deps, caller, TASK_ID);
    expect(redriven).toEqual([EXECUTION]);
  });

  it.each([
    ['RUNNING', 'EXECUTION_RUNNING'],
    ['PENDING_REDRIVE', 'EXECUTION_RUNNING'],
    ['SUCCEEDED', 'EXECUTION_SUCCEEDED'],
  ])('refuses a %s execution with %s, leaving everything as it was', async (status, code) => {
    const { deps, redriven, current } = world(taskIn('FAILED'), { status, redrivable: true });
    expect(await conflictCode(redriveRun(deps, caller, TASK_ID))).toBe(code);
    expect(redriven).toEqual([]);
    expect(current().status).toBe('FAILED');
  });

  it.each(['ApprovalFailed', 'GrantSettlementFailed'])(
    'refuses an execution that ended on its approval (%s): there is nothing to resume',
    async (error) => {
      const { deps, redriven } = world(taskIn('FAILED'), { status: 'FAILED', error, redrivable: true });
      expect(await conflictCode(redriveRun(deps, caller, TASK_ID))).toBe('EXECUTION_NOT_REDRIVABLE');
      expect(redriven).toEqual([]);
    },
  );

  it('answers EXECUTION_NOT_REDRIVABLE and marks the task FAILED again when AWS refuses the redrive', async () => {
    const { deps, redriven, current } = world(
      taskIn('FAILED'),
      { status: 'FAILED', redrivable: true },
      async () => false,
    );
    expect(await conflictCode(redriveRun(deps, caller, TASK_ID))).toBe('EXECUTION_NOT_REDRIVABLE');
    expect(redriven).toEqual([EXECUTION]);
    expect(current().status).toBe('FAILED');
  });

  it('marks the task FAILED again and rethrows when the redrive call itself fails', async () => {
    const { deps, current } = world(taskIn('FAILED'), { status: 'FAILED', redrivable: true }, async () => {
      throw new Error('throttled');
    });
    await expect(redriveRun(deps, caller, TASK_ID)).rejects.toThrow('throttled');
    expect(current().status).toBe('FAILED');
  });

  it('waits for the failure to be recorded: a failed execution whose task is still PROVISIONING is a conflict', async () => {
    const { deps, redriven } = world(taskIn('PROVISIONING'), { status: 'FAILED', redrivable: true });
    expect(await conflictCode(redriveRun(deps, caller, TASK_ID))).toBe('TASK_STATE_CONFLICT');
    expect(redriven).toEqual([]);
  });

  it('has nothing to redrive for a task never committed, or whose execution is gone', async () => {
    expect(
      await conflictCode(redriveRun(world(taskIn('VALIDATED', 0), undefined).deps, caller, TASK_ID)),
    ).toBe('NOTHING_TO_REDRIVE');
    expect(await conflictCode(redriveRun(world(taskIn('FAILED'), undefined).deps, caller, TASK_ID))).toBe(
      'NOTHING_TO_REDRIVE',
    );
  });

  it('lets only one of two concurrent redrives through', async () => {
    const { deps, redriven } = world(taskIn('FAILED'), { status: 'FAILED', redrivable: true });
    const outcomes = await Promise.allSettled([
      redriveRun(deps, caller, TASK_ID),
      redriveRun(deps, caller, TASK_ID),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(redriven).toEqual([EXECUTION]);
  });

  it('does not find another tenant’s task', async () => {
    const { deps } = world(taskIn('FAILED'), { status: 'FAILED', redrivable: true });
    await expect(redriveRun(deps, { ...caller, tenantId: 'other' } as Caller, TASK_ID)).rejects.toMatchObject(
      {
        code: 'TASK_NOT_FOUND',
      },
    );
  });
});
