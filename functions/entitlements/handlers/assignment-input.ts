import { z } from 'zod';
import { approvalFailureSchema, approvalOutcomeSchema } from '../../approvals/domain/approval-subject';

/** What every batch-assign workflow task receives (statemachines/batch-assign.asl.json). */
export const assignmentRunSchema = z.object({
  tenantId: z.string().min(1),
  assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/),
  correlationId: z.string().min(1),
});

/** ActivateGrants: after an approval, its outcome (the AwaitApproval task's output). */
export const activateInputSchema = assignmentRunSchema.extend({ approval: approvalOutcomeSchema.optional() });

/** RejectGrants: the caught Approval.Rejected / Approval.Expired, parsed to the outcome in its Cause. */
export const rejectInputSchema = assignmentRunSchema.extend({ approvalFailure: approvalFailureSchema });

export const failInputSchema = assignmentRunSchema.extend({ error: z.unknown().optional() });
