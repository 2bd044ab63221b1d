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
 * One approval that fails does not hold up the others: the run throws after the rest are done, so
 * the schedule's retry and dead-letter queue see it.
 */
export async function sweepApprovals(deps: ApprovalDeps, scope: SweepScope): Promise<SweepResult> {
  const { now } = scope;
  const due = await deps.approvals.listDue(scope);
  const counts = { reminded: 0, expired: 0, resumed: 0 };
  const failures: unknown[] = [];
  for (const found of due) {
    try {
      const done = await handle(deps, found, now);
      if (done !== 'none') counts[done] += 1;
    } catch (error) {
      logger.error('A due approval was not handled', { approval_id: found.approvalId, error });
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${due.length} due approval(s) failed`);
  }
  return counts;
}

async function handle(deps: ApprovalDeps, due: Approval, now: Date): Promise<keyof SweepResult | 'none'> {
  // The index is eventually consistent: the approval is judged as it is now.
  const approval = await deps.approvals.get(due.tenantId, due.approvalId);
  if (!approval) return 'none';
  logger.appendKeys({ tenant_id: approval.tenantId, approval_id: approval.approvalId });
  logger.setCorrelationId(approval.correlationId);
  const action = dueAction(approval, now);
  // A workflow that ended without a decision (it failed, or its own timeout fired) rejected its
  // grants already: its approval is closed now rather than reminding anyone of it.
  if ((action === 'remind' || action === 'expire') && !(await subjectStillWaits(deps, approval))) {
    return (await expire(deps, approval, now)) ? 'expired' : 'none';
  }
  switch (action) {
    case 'expire':
      return (await expire(deps, approval, now)) ? 'expired' : 'none';
    case 'remind':
      return (await remind(deps, approval, now)) ? 'reminded' : 'none';
    case 'resume':
      return (await resume(deps, approval, now)) ? 'resumed' : 'none';
    case 'none':
      return 'none';
  }
}

async function subjectStillWaits(deps: ApprovalDeps, approval: Approval): Promise<boolean> {
  const facts = await deps.describeSubject(approval.tenantId, approval.subject);
  return facts?.awaitingApproval === true;
}

async function resume(deps: ApprovalDeps, approval: Approval, now: Date): Promise<boolean> {
  const claimed: Approval = { ...approval, resumeClaimedAt: now.toISOString() };
  // Claimed before the workflow is told: an overlapping run loses this write and leaves it; a crash
  // after it is retried once the claim lapses.
  if (!(await deps.approvals.replace(approval, claimed))) return false;
  await deps.publish([decidedEvent(claimed)]);
  await resumeWorkflow(deps, claimed);
  return true;
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
  deps.recordOverdueWait(next, (now.getTime() - Date.parse(approval.createdAt)) / 1000);
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
