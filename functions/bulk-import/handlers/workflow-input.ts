import { z } from 'zod';
import { approvalOutcomeSchema } from '../../approvals/domain/approval-subject';

/** What every bulk-import workflow task receives: the run, and for Map items the batch. */
export const runInputSchema = z.object({
  tenantId: z.string().min(1),
  taskId: z.string().regex(/^t_[0-9a-z]{26}$/),
  run: z.number().int().min(1),
  correlationId: z.string().min(1),
});

export const batchInputSchema = runInputSchema.extend({
  batch: z.object({ number: z.number().int().min(1), key: z.string().min(1) }),
  sendWelcome: z.boolean(),
});

export const finalizeInputSchema = runInputSchema.extend({
  outcome: z.enum(['FINISHED', 'FAILED']),
  error: z.unknown().optional(),
});

/**
 * SettleGrants: the approval's outcome, either the callback task's output (approved) or the
 * failure it caught (`Approval.Rejected` / `Approval.Expired`, the outcome as JSON in `Cause`).
 */
export const settleInputSchema = z.union([
  runInputSchema.extend({ approval: approvalOutcomeSchema }).transform(({ approval, ...run }) => ({
    ...run,
    outcome: approval,
  })),
  runInputSchema
    .extend({ approvalFailure: z.object({ Error: z.string(), Cause: z.string() }) })
    .transform(({ approvalFailure, ...run }) => ({
      ...run,
      outcome: approvalOutcomeSchema.parse(JSON.parse(approvalFailure.Cause)),
    })),
]);
