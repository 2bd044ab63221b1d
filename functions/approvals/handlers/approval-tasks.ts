import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../../shared/observability';
import { approvalTaskInputSchema } from '../domain/approval-subject';
import { startApproval } from '../use-cases/start-approval';
import { approvalDeps } from './approval-deps';

/**
 * A workflow's `RequestApproval` task (`lambda:invoke.waitForTaskToken`): opens the subject's
 * approval with the task token, or hands the token to the approval it already has. The workflow
 * waits until the approval resumes it; errors are thrown, so the state machine retries.
 */
export const requestApproval = middy(async (event: unknown): Promise<void> => {
  const input = approvalTaskInputSchema.parse(event);
  logger.appendKeys({ tenant_id: input.tenantId, subject_type: input.subject.type });
  logger.setCorrelationId(input.correlationId);
  const approval = await startApproval(approvalDeps(), input, 'hand-over');
  logger.info('Approval requested', { approval_id: approval.approvalId, status: approval.status });
}).use(injectLambdaContext(logger, { resetKeys: true }));
