import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { logger, publishRecordedMetrics } from '../../shared/observability';
import { sweepApprovals } from '../use-cases/sweep-approvals';
import { approvalDeps } from './approval-deps';

/** EventBridge's Scheduled Event; its `time` is the sweep's clock (config/schedules.ts). */
const scheduledEventSchema = z.object({ time: z.iso.datetime({ offset: true }) });

/** `ApprovalSweep` (config/schedules.ts): reminds, escalates and expires the approvals due. */
export const handler = middy(async (event: unknown) => {
  const now = new Date(scheduledEventSchema.parse(event).time);
  const result = await sweepApprovals(approvalDeps, now);
  logger.info('Approval sweep done', { ...result, at: now.toISOString() });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
