import { z } from 'zod';
import type { EventActor } from '../../shared/events/domain-event';
import { APPROVAL_DECISIONS, type ApprovalOutcome } from './approval-subject';

/**
 * One step of a grant's approval chain: how an approval of it ended, as the grant (an entitlement,
 * an import's pending role, an assignment) keeps it for the audit trail. The events carry the same
 * shape, declared on their own in the event catalog: a published contract does not follow storage.
 */
export const approvalStepSchema = z.object({
  approvalId: z.string(),
  decision: z.enum(APPROVAL_DECISIONS),
  /** Absent when the approval EXPIRED unanswered. */
  decidedBy: z.string().optional(),
  decidedAt: z.string(),
  justification: z.string().optional(),
});
export type ApprovalStep = z.infer<typeof approvalStepSchema>;

/** The step an approval's outcome adds to the chain of each grant it decided. */
export function approvalStepOf(outcome: Omit<ApprovalOutcome, 'risk'>): ApprovalStep {
  return {
    approvalId: outcome.approvalId,
    decision: outcome.decision,
    ...(outcome.decidedBy === undefined ? {} : { decidedBy: outcome.decidedBy }),
    decidedAt: outcome.decidedAt,
    ...(outcome.justification === undefined ? {} : { justification: outcome.justification }),
  };
}

/** Who the events of a decision name: the approver, or the component that acted when nobody decided. */
export function decisionActor(
  step: Pick<ApprovalStep, 'decidedBy'>,
  tenantId: string,
  component: string,
): EventActor {
  return step.decidedBy === undefined
    ? { type: 'system', component }
    : { type: 'user', userId: step.decidedBy, tenantId };
}
