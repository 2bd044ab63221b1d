import { createHash } from 'node:crypto';
import type { Caller } from '../../identity/caller';
import { newId } from '../../identity/domain/ids';
import type { WorkflowClient } from '../../shared/aws/workflow-client';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { AssignmentRepository } from '../adapters/assignment-repository';
import type { Finding } from '../domain/assignment';
import {
  type AssignmentTask,
  type BatchAssignRequest,
  EMPTY_ASSIGNMENT_COUNTS,
  memberOutcome,
  needsApproval,
} from '../domain/assignment-task';
import type { AssignmentView } from '../domain/assignment-view';
import { type AssessDeps, assessRequest } from './assess-assignment';

export interface BatchAssignDeps extends AssessDeps {
  readonly assignments: Pick<AssignmentRepository, 'create' | 'get' | 'findByIdempotencyKey'>;
  readonly workflow: Pick<WorkflowClient, 'start'>;
  readonly stateMachineArn: string;
}

/** What the batch-assign workflow's every task receives. */
export interface AssignmentRunInput extends Record<string, unknown> {
  readonly tenantId: string;
  readonly assignmentId: string;
  readonly correlationId: string;
}

/**
 * `POST /internal/iam/roles/batch-assign`: assesses the request as the validate route does and
 * refuses it (422 ASSIGNMENT_REFUSED, the blocking findings in `details`) while a finding blocks;
 * otherwise stores the task QUEUED and starts its workflow, named after the assignment so a retry
 * starts nothing new. The workflow assesses again when it runs: the world may have changed.
 * With an `Idempotency-Key`, a repeated POST answers with the assignment the first one made.
 */
export async function requestAssignment(
  deps: BatchAssignDeps,
  caller: Caller,
  request: BatchAssignRequest,
  idempotencyKey?: string,
): Promise<{ assignmentId: string; status: AssignmentTask['status'] }> {
  const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  if (idempotencyKey !== undefined) {
    const earlier = await deps.assignments.findByIdempotencyKey(caller.tenantId, idempotencyKey);
    if (earlier) return replay(deps, caller, earlier, fingerprint);
  }
  const assessment = await assessRequest(deps, caller, request);
  if (!assessment.allowed) {
    const blocking = assessment.findings.filter((finding) => finding.severity === 'blocking');
    throw new ValidationError(
      'ASSIGNMENT_REFUSED',
      `The assignment is refused: ${blocking.length} finding(s) block it. Fix them (see details) and send it again.`,
      blocking.map(toDetail),
    );
  }
  const now = deps.clock().toISOString();
  const task: AssignmentTask = {
    tenantId: caller.tenantId,
    assignmentId: newId('asg'),
    status: 'QUEUED',
    request,
    requestedBy: caller.currentUserId,
    correlationId: caller.audit.correlationId,
    acceptedAt: now,
    risk: assessment.risk,
    approverRole: assessment.approverRole,
    requiresApproval: needsApproval(request, assessment),
    findings: assessment.findings,
    approvalChain: [],
    counts: EMPTY_ASSIGNMENT_COUNTS,
    createdAt: now,
    updatedAt: now,
  };
  const created = await deps.assignments.create(
    task,
    idempotencyKey === undefined ? undefined : { key: idempotencyKey, fingerprint },
  );
  if (!created.created) return replay(deps, caller, created, fingerprint);
  await start(deps, task);
  return { assignmentId: task.assignmentId, status: task.status };
}

/** A POST repeated under its idempotency key: the same assignment, started if it was not yet. */
async function replay(
  deps: BatchAssignDeps,
  caller: Caller,
  earlier: { assignmentId: string; fingerprint: string },
  fingerprint: string,
): Promise<{ assignmentId: string; status: AssignmentTask['status'] }> {
  if (earlier.fingerprint !== fingerprint) {
    throw new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request; use a new key for a new assignment.',
    );
  }
  const task = await deps.assignments.get(caller.tenantId, earlier.assignmentId);
  if (!task) throw missingAssignment(earlier.assignmentId);
  // The first POST stored the task but may have failed before the workflow started.
  if (task.status === 'QUEUED') await start(deps, task);
  return { assignmentId: task.assignmentId, status: task.status };
}

async function start(deps: BatchAssignDeps, task: AssignmentTask): Promise<void> {
  const input: AssignmentRunInput = {
    tenantId: task.tenantId,
    assignmentId: task.assignmentId,
    correlationId: task.correlationId,
  };
  await deps.workflow.start(deps.stateMachineArn, task.assignmentId, input);
}

function toDetail(finding: Finding) {
  const where = finding.member ?? finding.bundleId;
  return {
    path:
      finding.member !== undefined
        ? 'body.members'
        : finding.bundleId !== undefined
          ? 'body.bundles'
          : 'body',
    code: finding.code,
    message: `${where === undefined ? '' : `${where}: `}${finding.message} ${finding.suggestion}`,
  };
}

export function missingAssignment(assignmentId: string): NotFoundError {
  return new NotFoundError('ASSIGNMENT_NOT_FOUND', `No batch assignment "${assignmentId}" in this tenant.`);
}

/** `GET …/batch-assign/{assignmentId}`: status, counts, each member's outcome and the approval chain. */
export async function viewAssignment(
  deps: { readonly assignments: Pick<AssignmentRepository, 'get' | 'listMembers'> },
  caller: Pick<Caller, 'tenantId'>,
  assignmentId: string,
): Promise<AssignmentView> {
  const [task, members] = await Promise.all([
    deps.assignments.get(caller.tenantId, assignmentId),
    deps.assignments.listMembers(caller.tenantId, assignmentId),
  ]);
  if (!task) throw missingAssignment(assignmentId);
  return {
    assignmentId: task.assignmentId,
    status: task.status,
    risk: task.risk,
    requiresApproval: task.requiresApproval,
    approverRole: task.approverRole,
    counts: task.counts,
    members: members.map((record) => ({
      member: record.member,
      ...(record.userId === undefined ? {} : { userId: record.userId }),
      outcome: memberOutcome(record),
      bundles: record.bundles,
    })),
    approvalChain: task.approvalChain,
    findings: task.findings,
    ...(task.failureReason === undefined ? {} : { failureReason: task.failureReason }),
    requestedBy: task.requestedBy,
    createdAt: task.createdAt,
    updatedAt: task.updatedAt,
  };
}
