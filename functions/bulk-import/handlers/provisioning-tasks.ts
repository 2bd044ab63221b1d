import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { injectedFault } from '../../shared/chaos';
import { loadConfig } from '../../shared/config';
import { logger, metrics, publishRecordedMetrics } from '../../shared/observability';
import { eventBusConfig, reportsConfig, tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { PendingGrantRepository } from '../adapters/pending-grant-repository';
import { importSettingsConfig } from '../runtime-config';
import { prepareBatches as prepare } from '../use-cases/prepare-batches';
import { provisionBatch as provision } from '../use-cases/provision-batch';
import { batchInputSchema, runInputSchema } from './workflow-input';

const config = loadConfig(
  tableConfig.extend(reportsConfig.shape).extend(eventBusConfig.shape).extend(importSettingsConfig.shape),
);
const documents = createDocumentClient(createDynamoDbClient('background'));
const tasks = new ImportTaskRepository(documents, config.TABLE_NAME);
const reports = new ObjectStore(createS3Client(), config.REPORTS_BUCKET);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);

/** Step Functions task: splits the run's rows into batch files and writes the Map's manifest. */
export const prepareBatches = middy(async (event: unknown) => {
  const input = runInputSchema.parse(event);
  logger.appendKeys({ task_id: input.taskId, run: input.run, tenant_id: input.tenantId });
  logger.setCorrelationId(input.correlationId);
  return prepare({ tasks, reports, batchSize: config.IMPORT_BATCH_SIZE }, input);
}).use(injectLambdaContext(logger, { resetKeys: true }));

/** Step Functions task (Distributed Map item): provisions one batch; throws so the state machine retries. */
export const provisionBatch = middy(async (event: unknown) => {
  const input = batchInputSchema.parse(event);
  logger.appendKeys({
    task_id: input.taskId,
    run: input.run,
    batch: input.batch.number,
    tenant_id: input.tenantId,
  });
  logger.setCorrelationId(input.correlationId);
  const result = await provision(
    {
      directory: new DirectoryRepository(documents, config.TABLE_NAME),
      pendingGrants: new PendingGrantRepository(documents, config.TABLE_NAME),
      tasks,
      reports,
      publish: (events) => publisher.publish(events),
      afterRow: (row) => injectedFault('provision-batch', input.tenantId, row),
      clock: () => new Date(),
    },
    input,
  );
  // The alarm on three batches in a row above 5% reads this, one data point per provisioned batch.
  metrics.addMetric('iam_bulk_import_batch_error_ratio', MetricUnit.Percent, result.errorRatio);
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
