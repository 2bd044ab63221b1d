import { describe, expect, it } from 'vitest';
import type { ImportTask } from '../../../functions/bulk-import/adapters/import-task-repository';
import type { TaskStatus } from '../../../functions/bulk-import/domain/import-task';
import {
  commitImport,
  type ProvisioningRunsDeps,
} from '../../../functions/bulk-import/use-cases/provisioning-runs';
import type { Caller } from '../../../functions/identity/caller';
import { ConflictError } from '../../../functions/shared/errors';
import { BULK_IMPORT_STATE_MACHINE, importTask, oneTaskTable } from './import-task-fixtures';

const TASK_ID = 't_01jcommit00000000000000000';

const callerWith = (correlationId: string) =>
  ({ tenantId: 'acme', currentUserId: 'u_admin', audit: { correlationId } }) as unknown as Caller;

function taskIn(status: TaskStatus, valid = 3): ImportTask {
  return importTask({
    taskId: TASK_ID,
    status,
    counts: { total: 3, valid, invalid: 3 - valid, succeeded: 0, failed: 0, notified: 0, pendingApproval: 0 },
  });
}

/**
 * One task with DynamoDB's conditional transition (racing commits all read VALIDATED first), and
 * a workflow that records each start it is asked for.
 */
function world(task: ImportTask, start: () => Promise<string> = async () => 'arn') {
  const { tasks, current, transitions } = oneTaskTable(task);
  const starts: { name: string; input: Record<string, unknown> }[] = [];
  const deps: ProvisioningRunsDeps = {
    tasks,
    workflow: {
      start: async (_arn, name, input) => {
        starts.push({ name, input });
        return start();
      },
      describe: async () => undefined,
      redrive: async () => true,
    },
    stateMachineArn: BULK_IMPORT_STATE_MACHINE,
    clock: () => new Date('2026-11-22T10:00:00.000Z'),
  };
  return { deps, starts, transitions, current };
}

describe('commitImport', () => {
  it('8 commits at once: one transition, every commit answers run 1, every start names the same execution with the same input', async () => {
    const { deps, starts, transitions } = world(taskIn('VALIDATED'));

    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        commitImport(deps, callerWith(`corr-${index}`), { taskId: TASK_ID, sendWelcome: true }),
      ),
    );

    expect(answers).toEqual(Array(8).fill({ taskId: TASK_ID, status: 'PROVISIONING', run: 1 }));
    expect(transitions()).toBe(1);
    expect(new Set(starts.map((started) => started.name))).toEqual(new Set([`${TASK_ID}-run-1`]));
    // The winner's correlation id and choice of welcome email, whoever asked: one execution input.
    expect(new Set(starts.map((started) => JSON.stringify(started.input))).size).toBe(1);
    expect(starts[0]?.input).toMatchObject({ run: 1, sendWelcome: true, correlationId: 'corr-0' });
  });

  it('a commit after a winner that crashed before starting its run starts it, with the input the winner recorded', async () => {
    const crashing = world(taskIn('VALIDATED'), async () => {
      throw new Error('crashed before StartExecution');
    });
    await expect(
      commitImport(crashing.deps, callerWith('corr-winner'), { taskId: TASK_ID, sendWelcome: false }),
    ).rejects.toThrow('crashed');
    const { deps, starts } = world(crashing.current());

    const answer = await commitImport(deps, callerWith('corr-retry'), { taskId: TASK_ID, sendWelcome: true });

    expect(answer).toEqual({ taskId: TASK_ID, status: 'PROVISIONING', run: 1 });
    expect(starts).toEqual([
      {
        name: `${TASK_ID}-run-1`,
        input: {
          tenantId: 'acme',
          taskId: TASK_ID,
          run: 1,
          sendWelcome: false,
          correlationId: 'corr-winner',
        },
      },
    ]);
  });

  it('refuses a task that is not committable, and a later run is not answered as the first', async () => {
    for (const status of ['VALIDATING', 'VALIDATION_FAILED', 'COMPLETED'] as const) {
      const { deps, starts } = world(taskIn(status));
      const error = await commitImport(deps, callerWith('c'), { taskId: TASK_ID, sendWelcome: true }).catch(
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).code).toBe('TASK_STATE_CONFLICT');
      expect(starts).toEqual([]);
    }
    const retried = world({ ...taskIn('PROVISIONING'), run: 2 });
    const error = await commitImport(retried.deps, callerWith('c'), {
      taskId: TASK_ID,
      sendWelcome: true,
    }).catch((thrown: unknown) => thrown);
    expect((error as ConflictError).code).toBe('TASK_STATE_CONFLICT');
    expect(retried.starts).toEqual([]);
  });

  it('refuses a task without valid rows: NOTHING_TO_IMPORT', async () => {
    const { deps, starts } = world(taskIn('VALIDATED', 0));
    const error = await commitImport(deps, callerWith('c'), { taskId: TASK_ID, sendWelcome: true }).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as ConflictError).code).toBe('NOTHING_TO_IMPORT');
    expect(starts).toEqual([]);
  });

  it('lets a failure other than a lost race through, starting nothing', async () => {
    const { deps, starts } = world(taskIn('VALIDATED'));
    const failing: ProvisioningRunsDeps = {
      ...deps,
      tasks: {
        ...deps.tasks,
        transition: async () => {
          throw new Error('ProvisionedThroughputExceededException');
        },
      },
    };
    await expect(
      commitImport(failing, callerWith('c'), { taskId: TASK_ID, sendWelcome: true }),
    ).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(starts).toEqual([]);
  });
});
