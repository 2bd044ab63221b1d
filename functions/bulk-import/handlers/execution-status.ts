import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { z } from 'zod';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { logger, publishRecordedMetrics } from '../../shared/observability';
import { tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { isStaleStatusChange } from '../domain/execution-status';
import { executionName } from '../use-cases/provisioning-runs';
import { finalizeRun } from './notification-tasks';
import { runInputSchema } from './workflow-input';

const config = loadConfig(tableConfig);
const tasks = new ImportTaskRepository(
  createDocumentClient(createDynamoDbClient('background')),
  config.TABLE_NAME,
);

const statusChangeSchema = z.object({
  detail: z.object({
    name: z.string(),
    status: z.enum(['FAILED', 'TIMED_OUT', 'ABORTED']),
    input: z.string(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
    /** Epoch milliseconds; always set on an execution that ended. */
    stopDate: z.number().nullish(),
  }),
});

/**
 * EventBridge target of "Step Functions Execution Status Change" (FAILED, TIMED_OUT, ABORTED) of
 * the bulk-import machine: the workflow fails at the step that failed, so a redrive can resume it,
 * and this marks its run FAILED with the error. Finalize's FAILED path is conditional on the run,
 * so a run already final, or replaced by a retry, is left as it is.
 */
export const handler = middy(async (event: unknown) => {
  const { detail } = statusChangeSchema.parse(event);
  const run = runInputSchema.safeParse(JSON.parse(detail.input));
  // Locally every machine's status changes reach this rule; on AWS the rule names this machine.
  if (!run.success || detail.name !== executionName(run.data.taskId, run.data.run)) return;
  logger.appendKeys({ task_id: run.data.taskId, run: run.data.run, tenant_id: run.data.tenantId });
  logger.setCorrelationId(run.data.correlationId);
  const task = await tasks.getTask(run.data.tenantId, run.data.taskId);
  const stoppedAt = detail.stopDate;
  if (task && stoppedAt && isStaleStatusChange(task, { run: run.data.run, stoppedAt })) {
    logger.info('Status change older than the redrive of its run: ignored', {
      execution_status: detail.status,
    });
    return;
  }
  const result = await finalizeRun({
    ...run.data,
    outcome: 'FAILED',
    error: { Error: detail.error ?? `Execution.${detail.status}`, Cause: detail.cause ?? '' },
  });
  logger.warn('Import execution ended unsuccessfully', {
    execution_status: detail.status,
    status: result.status,
  });
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
