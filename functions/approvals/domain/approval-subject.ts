import { z } from 'zod';
import type { Finding } from '../../entitlements/domain/assignment';
import { RISK_LEVELS, type RiskLevel } from '../../entitlements/domain/bundle';

/**
 * The contract between the approvals and the workflows that wait for them (batch assignments, an
 * import's sensitive grants). A workflow hands its task token over with the subject; the approval
 * resumes it with the outcome (SendTaskSuccess) or fails it with one of APPROVAL_ERRORS
 * (SendTaskFailure), the outcome as JSON in the cause.
 */
export const approvalSubjectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('batch_assign'), assignmentId: z.string().min(1) }),
  z.strictObject({ type: z.literal('bulk_import'), taskId: z.string().min(1), run: z.number().int().min(1) }),
]);
export type ApprovalSubject = z.infer<typeof approvalSubjectSchema>;

/** The payload of a workflow's `RequestApproval` task (`lambda:invoke.waitForTaskToken`). */
export const approvalTaskInputSchema = z.object({
  tenantId: z.string().min(1),
  correlationId: z.string().min(1),
  taskToken: z.string().min(1),
  subject: approvalSubjectSchema,
});
export type ApprovalTaskInput = z.infer<typeof approvalTaskInputSchema>;

/**
 * What the approvals know of a subject, read from the capability that owns it, never taken from a
 * request: who asked, how risky, how many grants wait.
 */
export interface SubjectFacts {
  readonly risk: RiskLevel;
  /** The user who asked for the grants; they may not approve them. */
  readonly requestedBy: string;
  readonly grants: number;
  /** One line for approvers' emails and lists; names no person. */
  readonly summary: string;
  /** Whether the subject still waits for a decision (an assignment or import AWAITING_APPROVAL). */
  readonly awaitingApproval: boolean;
  /**
   * What the requester wrote for the approver (an import's approval note, an assignment's
   * justification). Free text that may name people: shown to approvers, never logged.
   */
  readonly note?: string;
  /**
   * The least-privilege findings the approver should weigh (a window wider than the peers', a
   * separation-of-duties conflict); none for a subject that has no such check.
   */
  readonly findings?: readonly Finding[];
}

/** Reads a subject's facts; `undefined` when the tenant has no such subject. */
export type DescribeSubject = (
  tenantId: string,
  subject: ApprovalSubject,
) => Promise<SubjectFacts | undefined>;

/** Who decides: a security approver for high risk, otherwise a tenant admin (seed 001). */
export function approverRoleFor(risk: RiskLevel): 'security_approver' | 'tenant_admin' {
  return risk === 'high' ? 'security_approver' : 'tenant_admin';
}

export const APPROVAL_DECISIONS = ['APPROVED', 'REJECTED', 'EXPIRED'] as const;

/** How an approval ended: the task's output when APPROVED, the failure's cause (JSON) otherwise. */
export const approvalOutcomeSchema = z.object({
  approvalId: z.string(),
  decision: z.enum(APPROVAL_DECISIONS),
  /** Absent when the approval EXPIRED unanswered. */
  decidedBy: z.string().optional(),
  decidedAt: z.string(),
  justification: z.string().optional(),
  risk: z.enum(RISK_LEVELS),
});
export type ApprovalOutcome = z.infer<typeof approvalOutcomeSchema>;

/** The `Error` of SendTaskFailure, which the workflows catch by name. */
export const APPROVAL_ERRORS = { REJECTED: 'Approval.Rejected', EXPIRED: 'Approval.Expired' } as const;

/**
 * What a workflow's Catch of APPROVAL_ERRORS holds (`{Error, Cause}`), parsed to the outcome its
 * Cause carries as JSON; a Cause that is not an outcome is a parse issue, never a SyntaxError.
 */
export const approvalFailureSchema = z
  .object({
    Error: z.enum([APPROVAL_ERRORS.REJECTED, APPROVAL_ERRORS.EXPIRED]),
    Cause: z.string().transform((cause, context) => {
      try {
        return JSON.parse(cause) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'Cause is not JSON: expected the approval outcome' });
        return z.NEVER;
      }
    }),
  })
  .transform(({ Cause }) => Cause)
  .pipe(approvalOutcomeSchema);
