import { createHash } from 'node:crypto';
import type { Finding, FindingSeverity } from '../../entitlements/domain/assignment';
import type { RiskLevel } from '../../entitlements/domain/bundle';
import { ConflictError, ForbiddenError, ValidationError } from '../../shared/errors';
import {
  APPROVAL_ERRORS,
  type ApprovalOutcome,
  type ApprovalSubject,
  approverRoleFor,
  type SubjectFacts,
} from './approval-subject';

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/** The longest justification kept; longer ones are refused at the edge, never cut. */
export const MAX_JUSTIFICATION_LENGTH = 2000;

export interface ApprovalDecisionRecord {
  /** Absent when the approval EXPIRED unanswered. */
  readonly decidedBy?: string;
  readonly decidedAt: string;
  readonly justification?: string;
}

/**
 * An approval of one subject's grants. `taskToken` is the waiting workflow's and never leaves the
 * approvals capability. `resumed` says whether the workflow was told the outcome: a decision is
 * recorded first and the workflow resumed after, so a crash in between leaves `resumed: false`
 * for the same decision again or the sweep to finish. `notifiedAt` is written once the approvers
 * were told it opened, so a start that crashed before telling them is finished by its retry.
 * `resumeClaimedAt` is when a sweep or a token hand-over last set out to resume the workflow: no
 * other sweep tries again until RESUME_RETRY_MINUTES later.
 */
export interface Approval {
  readonly approvalId: string;
  readonly tenantId: string;
  readonly subject: ApprovalSubject;
  /** The request that opened it: what the sweep's later events about it carry. */
  readonly correlationId: string;
  readonly risk: RiskLevel;
  readonly approverRole: string;
  readonly requestedBy: string;
  readonly grants: number;
  readonly summary: string;
  /** The requester's words for the approver (SubjectFacts.note): never logged. */
  readonly note?: string;
  /** The subject's findings, at most MAX_APPROVAL_FINDINGS of them. */
  readonly findings: readonly Finding[];
  /** How many findings the subject had: more than `findings` holds when they were cut. */
  readonly findingCount: number;
  readonly status: ApprovalStatus;
  readonly taskToken: string;
  readonly createdAt: string;
  readonly slaDueAt: string;
  readonly expiresAt: string;
  readonly notifiedAt?: string;
  readonly remindedAt?: string;
  readonly decision?: ApprovalDecisionRecord;
  readonly resumed: boolean;
  readonly resumeClaimedAt?: string;
}

/**
 * How long a resumption is left to whoever set out to do it (the decider, the sweep, a token
 * hand-over) before the sweep tries again: one sweep period, so a decider's own callback never
 * races the sweep's.
 */
export const RESUME_RETRY_MINUTES = 5;

/**
 * The most findings an approval keeps: enough for a person to read, and a 1,000-member assignment's
 * findings would not fit the approval's item; the assignment's own view has them all.
 */
export const MAX_APPROVAL_FINDINGS = 50;

export interface ApprovalTimers {
  /** Minutes pending before the approvers are reminded and the security team alerted. */
  readonly slaMinutes: number;
  /** Hours pending before the approval expires and its grants are rejected. */
  readonly maxWaitHours: number;
}

/**
 * The one approval of a subject: derived from it, so a retried or redriven workflow task asking
 * again finds the approval it asked for before instead of opening a second one.
 */
export function approvalIdFor(tenantId: string, subject: ApprovalSubject): string {
  const key =
    subject.type === 'batch_assign'
      ? `batch_assign\n${subject.assignmentId}`
      : `bulk_import\n${subject.taskId}\n${subject.run}`;
  const digest = createHash('sha256').update(`${tenantId}\n${key}`).digest('hex');
  return `apr_${digest.slice(0, 26)}`;
}

/** A new pending approval of a subject, its timers counted from `now`. */
export function newApproval(
  input: {
    tenantId: string;
    subject: ApprovalSubject;
    correlationId: string;
    taskToken: string;
    facts: SubjectFacts;
  },
  timers: ApprovalTimers,
  now: Date,
): Approval {
  return {
    approvalId: approvalIdFor(input.tenantId, input.subject),
    tenantId: input.tenantId,
    subject: input.subject,
    correlationId: input.correlationId,
    risk: input.facts.risk,
    approverRole: approverRoleFor(input.facts.risk),
    requestedBy: input.facts.requestedBy,
    grants: input.facts.grants,
    summary: input.facts.summary,
    ...(input.facts.note ? { note: input.facts.note } : {}),
    findings: weighedFirst(input.facts.findings ?? []).slice(0, MAX_APPROVAL_FINDINGS),
    findingCount: input.facts.findings?.length ?? 0,
    status: 'PENDING',
    taskToken: input.taskToken,
    createdAt: now.toISOString(),
    slaDueAt: new Date(now.getTime() + timers.slaMinutes * 60_000).toISOString(),
    expiresAt: new Date(now.getTime() + timers.maxWaitHours * 3_600_000).toISOString(),
    resumed: false,
  };
}

/** The next time the sweep must look at an approval, or none when nothing is left to do. */
export function nextDueAt(approval: Approval): string | undefined {
  if (approval.status === 'PENDING') return approval.remindedAt ? approval.expiresAt : approval.slaDueAt;
  if (approval.resumed || !approval.decision) return undefined;
  const attempted = new Date(approval.resumeClaimedAt ?? approval.decision.decidedAt);
  return new Date(attempted.getTime() + RESUME_RETRY_MINUTES * 60_000).toISOString();
}

export interface Decider {
  readonly userId: string;
  /** The roles the decider holds in effect (directly, through groups or entitlements in force). */
  readonly roles: readonly string[];
}

/** Roles whose `approvals.decide` is at least as strong as any approver role (superuser holds every permission). */
const DECIDES_EVERY_RISK = ['security_approver', 'superuser'] as const;

/**
 * The roles that may decide an approval of a risk: its approver role, or a role holding
 * `approvals.decide` that decides every risk. High risk: a security approver or a superuser;
 * lower: a tenant admin as well.
 */
export function decidingRoles(risk: RiskLevel): readonly string[] {
  return [...new Set([approverRoleFor(risk), ...DECIDES_EVERY_RISK])];
}

/**
 * Whether someone may decide an approval at all: they hold one of its deciding roles, and they are
 * not the one who asked for the grants (nobody approves their own request).
 */
export function mayDecide(approval: Pick<Approval, 'risk' | 'requestedBy'>, decider: Decider): boolean {
  return holdsDecidingRole(approval, decider) && decider.userId !== approval.requestedBy;
}

function holdsDecidingRole(approval: Pick<Approval, 'risk'>, decider: Decider): boolean {
  return decidingRoles(approval.risk).some((role) => decider.roles.includes(role));
}

export type DecisionRequest = { readonly decision: 'APPROVE' | 'REJECT'; readonly justification?: string };

/**
 * The decision to record, or the typed error saying why it can't be: who (403), then the
 * approval's state (409), then the justification a high-risk decision needs (422).
 */
export function decide(
  approval: Approval,
  decider: Decider,
  request: DecisionRequest,
  now: Date,
): { status: 'APPROVED' | 'REJECTED'; decision: ApprovalDecisionRecord } {
  if (decider.userId === approval.requestedBy) {
    throw new ForbiddenError('SELF_APPROVAL', 'You asked for these grants: someone else must decide them.');
  }
  if (!holdsDecidingRole(approval, decider)) {
    throw new ForbiddenError(
      'NOT_AN_APPROVER',
      `Only a holder of one of the roles ${decidingRoles(approval.risk).join(', ')} may decide this ${approval.risk}-risk approval.`,
    );
  }
  if (
    approval.status === 'EXPIRED' ||
    (approval.status === 'PENDING' && now >= new Date(approval.expiresAt))
  ) {
    throw new ConflictError(
      'APPROVAL_EXPIRED',
      `The approval expired at ${approval.expiresAt} unanswered; its grants are rejected. Ask for them again.`,
    );
  }
  if (approval.status !== 'PENDING') {
    throw new ConflictError('ALREADY_DECIDED', `The approval was already decided: ${approval.status}.`);
  }
  const justification = request.justification?.trim() ?? '';
  if (approval.risk === 'high' && justification === '') {
    throw new ValidationError(
      'JUSTIFICATION_REQUIRED',
      'A high-risk approval needs a justification: say why you approve or reject it.',
    );
  }
  return {
    status: request.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
    decision: {
      decidedBy: decider.userId,
      decidedAt: now.toISOString(),
      ...(justification ? { justification } : {}),
    },
  };
}

/** Whether a repeated decision is the one already recorded (a retry after the workflow was not told). */
export function isSameDecision(approval: Approval, decider: Decider, request: DecisionRequest): boolean {
  const wanted = request.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
  return approval.status === wanted && approval.decision?.decidedBy === decider.userId;
}

export type DueAction = 'expire' | 'remind' | 'resume' | 'none';

/** What the sweep does with an approval it found due at `now`. */
export function dueAction(approval: Approval, now: Date): DueAction {
  if (approval.status !== 'PENDING') {
    const due = nextDueAt(approval);
    return due !== undefined && now >= new Date(due) ? 'resume' : 'none';
  }
  if (now >= new Date(approval.expiresAt)) return 'expire';
  if (!approval.remindedAt && now >= new Date(approval.slaDueAt)) return 'remind';
  return 'none';
}

/** How the workflow learns the result: the outcome it continues with, or the failure it catches. */
export function outcomeOf(approval: Approval): ApprovalOutcome {
  if (approval.status === 'PENDING' || !approval.decision) {
    throw new Error(`approval ${approval.approvalId} has no outcome yet`);
  }
  return {
    approvalId: approval.approvalId,
    decision: approval.status,
    ...(approval.decision.decidedBy ? { decidedBy: approval.decision.decidedBy } : {}),
    decidedAt: approval.decision.decidedAt,
    ...(approval.decision.justification ? { justification: approval.decision.justification } : {}),
    risk: approval.risk,
  };
}

/** The SendTaskFailure error of a refused outcome; none for an approval. */
export function failureErrorOf(decision: ApprovalOutcome['decision']): string | undefined {
  if (decision === 'REJECTED') return APPROVAL_ERRORS.REJECTED;
  if (decision === 'EXPIRED') return APPROVAL_ERRORS.EXPIRED;
  return undefined;
}

/** Whole minutes an approval has waited at `now`. */
export function waitingMinutes(approval: Pick<Approval, 'createdAt'>, now: Date): number {
  return Math.floor((now.getTime() - new Date(approval.createdAt).getTime()) / 60_000);
}

const SEVERITY_RANK: Readonly<Record<FindingSeverity, number>> = { blocking: 0, warning: 1, merged: 2 };

/**
 * Findings an approver must weigh before the merged ones (a member listed twice, a grant already
 * held), so a long assignment's noise never pushes them past MAX_APPROVAL_FINDINGS; stable within
 * a severity.
 */
function weighedFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
}
