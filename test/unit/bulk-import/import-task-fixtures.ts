import type {
  ImportTask,
  ImportTaskRepository,
} from '../../../functions/bulk-import/adapters/import-task-repository';
import { ConflictError } from '../../../functions/shared/errors';

export const BULK_IMPORT_STATE_MACHINE =
  'arn:aws:states:eu-west-1:000000000000:stateMachine:muster-dev-BulkImport';

/** An import task of tenant acme's upload f_1 as the table holds it, with `fields` on top. */
export function importTask(fields: Pick<ImportTask, 'taskId' | 'status'> & Partial<ImportTask>): ImportTask {
  return {
    tenantId: 'acme',
    fileId: 'f_1',
    fileName: 'people.csv',
    objectKey: 'tenants/acme/uploads/f_1',
    counts: { total: 0, valid: 0, invalid: 0, succeeded: 0, failed: 0, notified: 0, pendingApproval: 0 },
    createdBy: 'u_admin',
    createdAt: '2026-11-22T09:00:00.000Z',
    updatedAt: '2026-11-22T09:30:00.000Z',
    run: 0,
    artifacts: {},
    ...fields,
  };
}

/**
 * A table of one task with DynamoDB's conditional transition. A transition yields a turn first, as
 * a round trip to the table would, so callers racing on the task all read the state of the moment.
 */
export function oneTaskTable(task: ImportTask) {
  let current = task;
  let transitions = 0;
  const tasks: Pick<ImportTaskRepository, 'getTask' | 'transition'> = {
    getTask: async (tenantId, taskId) =>
      tenantId === current.tenantId && taskId === current.taskId ? current : undefined,
    transition: async (_tenantId, _taskId, from, to, fields) => {
      await Promise.resolve();
      if (!from.includes(current.status)) {
        throw new ConflictError('TASK_STATE_CONFLICT', `is ${current.status}`);
      }
      transitions++;
      current = { ...current, ...fields, status: to };
      return current;
    },
  };
  return { tasks, current: () => current, transitions: () => transitions };
}
