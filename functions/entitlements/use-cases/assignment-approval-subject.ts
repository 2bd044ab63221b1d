import type { DescribeSubject } from '../../approvals/domain/approval-subject';
import { countOf } from '../../shared/count-of';
import type { AssignmentRepository } from '../adapters/assignment-repository';

/**
 * The approvals' view of a batch assignment (functions/approvals/domain/approval-subject.ts), read
 * from the task the workflow wrote before it asked for the approval: never from the approval
 * request itself. Subjects of another kind are not ours: `undefined`.
 */
export function describeAssignmentSubject(deps: {
  readonly assignments: Pick<AssignmentRepository, 'get'>;
}): DescribeSubject {
  return async (tenantId, subject) => {
    if (subject.type !== 'batch_assign') return undefined;
    const task = await deps.assignments.get(tenantId, subject.assignmentId);
    if (!task) return undefined;
    const { planned } = task.counts;
    const bundles = [...new Set(task.request.bundles)].join(', ');
    return {
      risk: task.risk ?? 'low',
      requestedBy: task.requestedBy,
      grants: planned,
      summary: `${countOf(planned, 'grant')} of ${bundles} in scope ${task.request.scope}, for ${countOf(task.counts.members, 'member reference')}`,
      awaitingApproval: task.status === 'AWAITING_APPROVAL',
      ...(task.request.justification ? { note: task.request.justification } : {}),
      findings: task.findings,
    };
  };
}
