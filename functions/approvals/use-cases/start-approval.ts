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

/**
 * What a start does when the subject's approval holds another task token. Only the workflow's own
 * task may `hand-over` (a retried or redriven task brings a new token); the HTTP route must
 * `refuse`, or any caller allowed to start could strand the real workflow, or receive the outcome
 * of a decided approval, by sending a token of their own.
 */
export type OtherTokenPolicy = 'hand-over' | 'refuse';

/** How many times a token replacement is tried again when the approval changes under it. */
const ATTEMPTS = 3;

/**
 * Opens the approval of a subject for the workflow waiting on `taskToken`, or, as `policy` allows,
 * hands that token to the approval the subject already has: the new token replaces the old one
 * while the approval is pending, and is resumed at once with the recorded outcome once it is
 * decided (a redrive after the decision carries on). Either way the approvers are told it opened
 * if they were not yet (a start that crashed before telling them).
 */
export async function startApproval(
  deps: ApprovalDeps,
  request: StartApprovalRequest,
  policy: OtherTokenPolicy,
): Promise<Approval> {
  const existing = await deps.approvals.get(
    request.tenantId,
    approvalIdFor(request.tenantId, request.subject),
  );
  if (existing) return announce(deps, await handOver(deps, existing, request.taskToken, policy));

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
  const { approval, created } = await deps.approvals.create(
    newApproval({ ...request, facts }, deps.timers, deps.clock()),
  );
  return announce(deps, created ? approval : await handOver(deps, approval, request.taskToken, policy));
}

async function handOver(
  deps: ApprovalDeps,
  found: Approval,
  taskToken: string,
  policy: OtherTokenPolicy,
): Promise<Approval> {
  let approval = found;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (approval.taskToken !== taskToken && policy === 'refuse') {
      throw new ConflictError(
        'APPROVAL_EXISTS',
        `The subject already has approval ${approval.approvalId}, waited on by another workflow task. ` +
          'Only that workflow may hand it a new token: decide the approval, or start a new subject.',
      );
    }
    if (approval.taskToken === taskToken && approval.status === 'PENDING') return approval;
    const decided = approval.status !== 'PENDING';
    const next: Approval = {
      ...approval,
      taskToken,
      resumed: false,
      // Claimed for this task, which resumes it now: the sweep leaves it alone meanwhile.
      ...(decided ? { resumeClaimedAt: deps.clock().toISOString() } : {}),
    };
    if (await deps.approvals.replace(approval, next)) {
      if (decided) await resumeWorkflow(deps, next);
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

/**
 * Tells the approvers a pending approval opened, unless they were told. `notifiedAt` is written
 * after the event (stable id) and the emails, so a crash in between is finished by the retry: an
 * email may go twice, never not at all.
 */
async function announce(deps: ApprovalDeps, approval: Approval): Promise<Approval> {
  if (approval.notifiedAt !== undefined || approval.status !== 'PENDING') return approval;
  const requester: EventActor = { type: 'user', userId: approval.requestedBy, tenantId: approval.tenantId };
  await deps.publish([
    domainEvent(
      'iam.approval.requested',
      eventContext(approval, requester, new Date(approval.createdAt)),
      approvalEventData(approval),
      `evt_${approval.approvalId}_requested`,
    ),
  ]);
  await emailEach(deps, await approversOf(deps, approval), approvalRequestedEmail(approval));
  const notified: Approval = { ...approval, notifiedAt: deps.clock().toISOString() };
  // False only after a concurrent change: a decision leaves nobody to tell, a new token's start announces it.
  return (await deps.approvals.replace(approval, notified)) ? notified : approval;
}
