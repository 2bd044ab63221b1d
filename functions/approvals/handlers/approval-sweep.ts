import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger, publishRecordedMetrics } from '../../shared/observability';
import { sweepScopeOf } from '../../shared/scheduled-run';
import { sweepApprovals } from '../use-cases/sweep-approvals';
import { approvalDeps } from './approval-deps';

/** `ApprovalSweep` (config/schedules.ts): reminds, escalates and expires the approvals due. */
export const handler = middy(async (event: unknown) => {
  const scope = sweepScopeOf(event);
  const result = await sweepApprovals(approvalDeps(), scope);
  logger.info('Approval sweep done', {
    ...result,
    at: scope.now.toISOString(),
    scope: scope.tenantId ?? 'all',
  });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
