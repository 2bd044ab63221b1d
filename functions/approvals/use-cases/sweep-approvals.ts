import type { SweepScope } from '../../shared/aws/due-index';
import { domainEvent } from '../../shared/events/catalog';
import { logger } from '../../shared/observability';
import { type Approval, dueAction, waitingMinutes } from '../domain/approval';
import { approvalEscalationEmail, approvalReminderEmail } from '../domain/approval-emails';
import { approverRoleFor } from '../domain/approval-subject';
import {
  type ApprovalDeps,
  approvalEventData,
  approversOf,
  decidedEvent,
  durationSeconds,
  emailEach,
  eventContext,
  resumeWorkflow,
  SWEEP_ACTOR,
} from './approval-effects';

export interface SweepResult {
  readonly reminded: number;
  readonly expired: number;
  readonly resumed: number;
}

/**
 * The approval timers due at `now` (the scheduled event's time): an approval pending past its
 * maximum wait expires (its workflow fails with Approval.Expired, rejecting the grants); one past
 * its SLA reminds its approvers and escalates to the security team, once; a decided one whose
 * workflow was never told (a crash after the decision) is resumed. Each step is a conditional
 * write from the state it was judged in, so two sweeps, or a sweep and a decider, never both act.
 */
export async function sweepApprovals(deps: ApprovalDeps, scope: SweepScope): Promise<SweepResult> {
  const { now } = scope;
  let reminded = 0;
  let expired = 0;
  let resumed = 0;
  for (const due of await deps.approvals.listDue(scope)) {
    // The index is eventually consistent: the approval is judged as it is now.
    const approval = await deps.approvals.get(due.tenantId, due.approvalId);
    if (!approval) continue;
    logger.appendKeys({ tenant_id: approval.tenantId, approval_id: approval.approvalId });
    logger.setCorrelationId(approval.correlationId);
    switch (dueAction(approval, now)) {
      case 'expire':
        if (await expire(deps, approval, now)) expired++;
        break;
      case 'remind':
        if (await remind(deps, approval, now)) reminded++;
        break;
      case 'resume':
        await deps.publish([decidedEvent(approval)]);
        await resumeWorkflow(deps, approval);
        resumed++;
        break;
      case 'none':
        break;
    }
  }
  return { reminded, expired, resumed };
}

async function expire(deps: ApprovalDeps, approval: Approval, now: Date): Promise<boolean> {
  const next: Approval = {
    ...approval,
    status: 'EXPIRED',
    decision: { decidedAt: now.toISOString() },
    resumed: false,
  };
  if (!(await deps.approvals.replace(approval, next))) return false;
  deps.recordDecisionDuration(next, durationSeconds(next));
  await deps.publish([decidedEvent(next)]);
  await resumeWorkflow(deps, next);
  return true;
}

async function remind(deps: ApprovalDeps, approval: Approval, now: Date): Promise<boolean> {
  const next: Approval = { ...approval, remindedAt: now.toISOString() };
  // Recorded before anyone is told: a crash afterwards loses a reminder, never sends two.
  if (!(await deps.approvals.replace(approval, next))) return false;
  const waiting = waitingMinutes(approval, now);
  await deps.publish([
    domainEvent(
      'iam.approval.escalated',
      eventContext(next, SWEEP_ACTOR, now),
      { ...approvalEventData(next), waitingMinutes: waiting },
      `evt_${approval.approvalId}_escalated`,
    ),
  ]);
  await emailEach(deps, await approversOf(deps, next), approvalReminderEmail(next, waiting));
  const securityTeam = await deps.roleHolders(next.tenantId, approverRoleFor('high'));
  await emailEach(deps, securityTeam, approvalEscalationEmail(next, waiting));
  return true;
}
