import type { DescribeSubject } from '../../approvals/domain/approval-subject';
import { countOf } from '../../shared/count-of';
import type { ImportTaskRepository } from '../adapters/import-task-repository';

/**
 * The facts of an import's pending grants for the approvals. Risk is always high: a grant is only
 * pending because its role is on the import's approval list (IMPORT_APPROVAL_ROLES), the roles the
 * tenant declared too sensitive to hand out from a spreadsheet, so every such approval goes to a
 * security approver. The requester is whoever committed the import.
 */
export function describeImportSubject(deps: {
  readonly tasks: Pick<ImportTaskRepository, 'getTask'>;
}): DescribeSubject {
  return async (tenantId, subject) => {
    if (subject.type !== 'bulk_import') return undefined;
    const task = await deps.tasks.getTask(tenantId, subject.taskId);
    if (!task?.committedBy || task.run < subject.run) return undefined;
    const grants = task.grantsAwaitingApproval ?? 0;
    return {
      risk: 'high',
      requestedBy: task.committedBy,
      grants,
      summary: `Import ${task.taskId} (run ${subject.run}): ${countOf(grants, 'sensitive role grant')} for ${countOf(task.counts.pendingApproval, 'new user')}`,
      awaitingApproval: task.status === 'AWAITING_APPROVAL' && task.run === subject.run,
      ...(task.approvalNote ? { note: task.approvalNote } : {}),
    };
  };
}
