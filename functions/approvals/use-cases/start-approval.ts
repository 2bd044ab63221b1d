import { ConflictError, NotFoundError } from '../../shared/errors';
import { domainEvent } from '../../shared/events/catalog';
import type { EventActor } from '../../shared/events/domain-event';
import { type Approval, approvalIdFor, newApproval } from '../domain/approval';
import { approvalRequestedEmail } from '../domain/approval-emails';
import type { ApprovalSubject } from '../domain/approval-subject';
import {
  type ApprovalDeps,
  approvalEventData,
  approversOf,
  emailEach,
  eventContext,
  resumeWorkflow,
} from './approval-effects';

export interface StartApprovalRequest {
  readonly tenantId: string;
  readonly correlationId: string;
  readonly taskToken: string;
  readonly subject: ApprovalSubject;
}

/** How many times a token replacement is tried again when the approval changes under it. */
const ATTEMPTS = 3;

/**
 * Opens the approval of a subject for the workflow waiting on `taskToken`, or hands that token
 * to the approval the subject already has: a retried or redriven task brings a new token, which
 * replaces the old one while the approval is pending, and is resumed at once with the recorded
 * outcome once it is decided (a redrive after the decision carries on).
 */
export async function startApproval(deps: ApprovalDeps, request: StartApprovalRequest): Promise<Approval> {
  const existing = await deps.approvals.get(
    request.tenantId,
    approvalIdFor(request.tenantId, request.subject),
  );
  if (existing) return handOver(deps, existing, request.taskToken);

  const facts = await deps.describeSubject(request.tenantId, request.subject);
  if (!facts) {
    throw new NotFoundError(
      'SUBJECT_NOT_FOUND',
      `No ${request.subject.type} subject like that in this tenant.`,
    );
  }
  if (!facts.awaitingApproval) {
    throw new ConflictError('SUBJECT_NOT_AWAITING_APPROVAL', 'The subject does not wait for an approval.');
  }
  const now = deps.clock();
  const { approval, created } = await deps.approvals.create(
    newApproval({ ...request, facts }, deps.timers, now),
  );
  if (!created) return handOver(deps, approval, request.taskToken);

  const requester: EventActor = { type: 'user', userId: approval.requestedBy, tenantId: approval.tenantId };
  await deps.publish([
    domainEvent(
      'iam.approval.requested',
      eventContext(approval, requester, now),
      approvalEventData(approval),
      `evt_${approval.approvalId}_requested`,
    ),
  ]);
  await emailEach(deps, await approversOf(deps, approval), approvalRequestedEmail(approval));
  return approval;
}

async function handOver(deps: ApprovalDeps, found: Approval, taskToken: string): Promise<Approval> {
  let approval = found;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (approval.taskToken === taskToken && approval.status === 'PENDING') return approval;
    const next: Approval = { ...approval, taskToken, resumed: false };
    if (await deps.approvals.replace(approval, next)) {
      if (next.status !== 'PENDING') await resumeWorkflow(deps, next);
      return next;
    }
    const current = await deps.approvals.get(approval.tenantId, approval.approvalId);
    if (!current) break;
    approval = current;
  }
  throw new ConflictError(
    'APPROVAL_BUSY',
    'The approval changed while its workflow token was handed over; retry shortly.',
  );
}
