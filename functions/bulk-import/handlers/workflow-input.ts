import { z } from 'zod';

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
