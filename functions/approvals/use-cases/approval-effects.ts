import type { Mailer } from '../../shared/aws/mailer';
import type { ResumeResult, WorkflowCallback } from '../../shared/aws/workflow-callback';
import { domainEvent, type EventData } from '../../shared/events/catalog';
import type { DomainEvent, EventActor } from '../../shared/events/domain-event';
import { logger } from '../../shared/observability';
import { sendEach } from '../../shared/send-each';
import type { ApprovalRepository } from '../adapters/approval-repository';
import { type Approval, type ApprovalTimers, failureErrorOf, outcomeOf } from '../domain/approval';
import type { Mail } from '../domain/approval-emails';
import { decisionActor } from '../domain/approval-step';
import type { DescribeSubject } from '../domain/approval-subject';

/** The users who may be asked to decide: ACTIVE holders of a role, each with the address to write to. */
export type FindRoleHolders = (
  tenantId: string,
  role: string,
) => Promise<readonly { readonly userId: string; readonly email: string }[]>;

export interface ApprovalDeps {
  readonly approvals: Pick<ApprovalRepository, 'get' | 'create' | 'replace' | 'listByStatus' | 'listDue'>;
  readonly describeSubject: DescribeSubject;
  readonly callback: Pick<WorkflowCallback, 'sendSuccess' | 'sendFailure'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  readonly roleHolders: FindRoleHolders;
  /** Absent while `notify-transactional` is off: no email, everything else as usual. */
  readonly mailer?: Pick<Mailer, 'send'>;
  readonly timers: ApprovalTimers;
  /** Seed 001's `iam.batch_assign.approval_duration`, for the approvals that end. */
  readonly recordDecisionDuration: (approval: Approval, seconds: number) => void;
  /** How long an approval the sweep found past its SLA had been pending (the approval-pending alarm). */
  readonly recordOverdueWait: (approval: Approval, seconds: number) => void;
  readonly clock: () => Date;
}

/** What every `iam.approval.*` event says about the approval. */
export function approvalEventData(approval: Approval): EventData<'iam.approval.requested'> {
  return {
    targetId: `approval:${approval.approvalId}`,
    approvalId: approval.approvalId,
    subject: approval.subject,
    risk: approval.risk,
    approverRole: approval.approverRole,
    requestedBy: approval.requestedBy,
    grants: approval.grants,
  };
}

export function eventContext(approval: Approval, actor: EventActor, occurredAt: Date) {
  return { tenantId: approval.tenantId, correlationId: approval.correlationId, actor, occurredAt };
}

const SWEEP_COMPONENT = 'approval-sweep';
export const SWEEP_ACTOR: EventActor = { type: 'system', component: SWEEP_COMPONENT };

/** `iam.approval.decided` of a decided or expired approval; its id is stable, so resending it is one event. */
export function decidedEvent(approval: Approval): DomainEvent {
  const decision = approval.decision;
  if (approval.status === 'PENDING' || !decision) throw new Error('a pending approval has no decision');
  const decidedAt = new Date(decision.decidedAt);
  return domainEvent(
    'iam.approval.decided',
    eventContext(approval, decisionActor(decision, approval.tenantId, SWEEP_COMPONENT), decidedAt),
    {
      ...approvalEventData(approval),
      decision: approval.status,
      ...(decision.decidedBy ? { decidedBy: decision.decidedBy } : {}),
      ...(decision.justification ? { justification: decision.justification } : {}),
      durationSeconds: durationSeconds(approval),
    },
    `evt_${approval.approvalId}_decided`,
  );
}

export function durationSeconds(approval: Approval): number {
  const end = approval.decision ? new Date(approval.decision.decidedAt) : new Date(approval.createdAt);
  return Math.max(0, (end.getTime() - new Date(approval.createdAt).getTime()) / 1000);
}

/**
 * Tells the waiting workflow how its approval ended, then records that it was told. A workflow
 * that no longer waits (timed out, stopped) is recorded as told as well: nothing sent again could
 * reach it, and a redriven execution asks again with a new token, which gets the outcome at once.
 */
export async function resumeWorkflow(
  deps: Pick<ApprovalDeps, 'approvals' | 'callback'>,
  approval: Approval,
): Promise<ResumeResult> {
  const outcome = outcomeOf(approval);
  const error = failureErrorOf(outcome.decision);
  const result = error
    ? await deps.callback.sendFailure(approval.taskToken, error, outcome)
    : await deps.callback.sendSuccess(approval.taskToken, outcome);
  if (result === 'not-waiting') {
    logger.warn('The workflow of an approval no longer waits', { approval_id: approval.approvalId });
  }
  // False only when a redriven task replaced the token meanwhile; that task resumes itself.
  await deps.approvals.replace(approval, { ...approval, resumed: true });
  return result;
}

/** Emails each address once (shared/send-each.ts: never twice, failures logged and skipped). */
export async function emailEach(
  deps: Pick<ApprovalDeps, 'mailer'>,
  recipients: readonly { readonly email: string }[],
  mail: Mail,
): Promise<number> {
  if (!deps.mailer) return 0;
  const addresses = new Set(recipients.map((recipient) => recipient.email));
  return sendEach(
    deps.mailer,
    [...addresses].map((to) => ({ to, ...mail })),
    'Approval',
  );
}

/** The approvers of an approval: ACTIVE holders of its role, the requester excepted. */
export async function approversOf(
  deps: Pick<ApprovalDeps, 'roleHolders'>,
  approval: Approval,
): Promise<readonly { readonly userId: string; readonly email: string }[]> {
  const holders = await deps.roleHolders(approval.tenantId, approval.approverRole);
  return holders.filter((holder) => holder.userId !== approval.requestedBy);
}
