import { z } from 'zod';
import { approvalIdFor } from '../../approvals/domain/approval';
import { approvalFailureSchema, approvalOutcomeSchema } from '../../approvals/domain/approval-subject';
import type { SettlementOutcome } from '../use-cases/settle-grants';

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
  /** The approval's outcome, when the settlement of an approved run failed. */
  approval: approvalOutcomeSchema.optional(),
});

/** What the callback task's Catch holds when the workflow stopped waiting (its backstop timeout). */
const waitTimedOutSchema = z.object({ Error: z.literal('States.Timeout'), Cause: z.string().optional() });

export const WAIT_TIMED_OUT_JUSTIFICATION =
  'No decision within the maximum wait: the import stopped waiting for its approval.';

/**
 * SettleGrants: the approval's outcome, either the callback task's output (approved), the failure
 * it caught (`Approval.Rejected` / `Approval.Expired`, the outcome as JSON in `Cause`), or its
 * timeout, which expires the run's approval with no decider.
 */
export const settleInputSchema = z.union([
  runInputSchema.extend({ approval: approvalOutcomeSchema }).transform(({ approval, ...run }) => ({
    ...run,
    outcome: approval,
  })),
  runInputSchema
    .extend({ approvalFailure: waitTimedOutSchema })
    .transform(({ approvalFailure: _, ...run }) => ({
      ...run,
      outcome: {
        approvalId: approvalIdFor(run.tenantId, { type: 'bulk_import', taskId: run.taskId, run: run.run }),
        decision: 'EXPIRED' as const,
        justification: WAIT_TIMED_OUT_JUSTIFICATION,
      } satisfies SettlementOutcome,
    })),
  runInputSchema
    .extend({ approvalFailure: approvalFailureSchema })
    .transform(({ approvalFailure, ...run }) => ({
      ...run,
      outcome: approvalFailure,
    })),
]);
