import { z } from 'zod';
import { approvalOutcomeSchema } from '../../approvals/domain/approval-subject';

/** What every batch-assign workflow task receives (statemachines/batch-assign.asl.json). */
export const assignmentRunSchema = z.object({
  tenantId: z.string().min(1),
  assignmentId: z.string().regex(/^asg_[0-9a-z]{26}$/),
  correlationId: z.string().min(1),
});

/** ActivateGrants: after an approval, its outcome (the AwaitApproval task's output). */
export const activateInputSchema = assignmentRunSchema.extend({ approval: approvalOutcomeSchema.optional() });

/** RejectGrants: the caught Approval.Rejected / Approval.Expired, the outcome as JSON in its Cause. */
export const rejectInputSchema = assignmentRunSchema.extend({
  approvalFailure: z.object({
    Error: z.string(),
    Cause: z
      .string()
      .transform((cause, context) => {
        try {
          return JSON.parse(cause) as unknown;
        } catch {
          context.addIssue({ code: 'custom', message: 'Cause is not JSON' });
          return z.NEVER;
        }
      })
      .pipe(approvalOutcomeSchema),
  }),
});

export const failInputSchema = assignmentRunSchema.extend({ error: z.unknown().optional() });
