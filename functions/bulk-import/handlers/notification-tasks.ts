import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import type { z } from 'zod';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { createSesClient, Mailer } from '../../shared/aws/mailer';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { injectedFault } from '../../shared/chaos';
import { loadConfig } from '../../shared/config';
import { readFlags } from '../../shared/flags';
import { logger, metrics, publishRecordedMetrics } from '../../shared/observability';
import { eventBusConfig, mailConfig, reportsConfig, tableConfig } from '../../shared/runtime-config';
import { ActivationTokenRepository } from '../adapters/activation-token-repository';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { PendingGrantRepository } from '../adapters/pending-grant-repository';
import { notificationFailureRatio } from '../domain/import-metrics';
import { importSettingsConfig } from '../runtime-config';
import { finalizeImport as finalize } from '../use-cases/finalize-import';
import { notifyBatch as notify } from '../use-cases/notify-batch';
import { recordImportMetrics } from './import-run-metrics';
import { batchInputSchema, finalizeInputSchema } from './workflow-input';

const config = loadConfig(
  tableConfig
    .extend(reportsConfig.shape)
    .extend(eventBusConfig.shape)
    .extend(mailConfig.shape)
    .extend(importSettingsConfig.shape),
);
const documents = createDocumentClient(createDynamoDbClient('background'));
const tasks = new ImportTaskRepository(documents, config.TABLE_NAME);
const reports = new ObjectStore(createS3Client(), config.REPORTS_BUCKET);
const mailer = new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);

/** Step Functions task (Distributed Map item): the welcome emails of one batch, once each. */
export const notifyBatch = middy(async (event: unknown) => {
  const input = batchInputSchema.parse(event);
  logger.appendKeys({
    task_id: input.taskId,
    run: input.run,
    batch: input.batch.number,
    tenant_id: input.tenantId,
  });
  logger.setCorrelationId(input.correlationId);
  const { notified, delivery } = await notify(
    {
      tasks,
      reports,
      tokens: new ActivationTokenRepository(documents, config.TABLE_NAME),
      mailer,
      activationUrlBase: config.ACTIVATION_URL_BASE,
      activationTtlHours: config.IMPORT_ACTIVATION_TTL_HOURS,
      clock: () => new Date(),
    },
    { ...input, notificationsEnabled: readFlags()['notify-transactional'] },
  );
  metrics.addMetric('iam_bulk_import_notified_total', MetricUnit.Count, notified);
  const failureRatio = notificationFailureRatio(delivery);
  if (failureRatio !== undefined) {
    metrics.addMetric('iam_bulk_import_notification_failure_ratio', MetricUnit.Percent, failureRatio);
  }
  if (delivery.latencySeconds !== undefined) {
    metrics.addMetric(
      'iam_bulk_import_notification_latency_seconds',
      MetricUnit.Seconds,
      delivery.latencySeconds,
    );
  }
  return { notified };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());

const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const pendingGrants = new PendingGrantRepository(documents, config.TABLE_NAME);

/**
 * Finalizes a run: counts, exports, final status, the bulk_imported event, the summary email. The
 * workflow's last task and the execution-status rule (a run that crashed) both end a run here.
 */
export function finalizeRun(input: z.infer<typeof finalizeInputSchema>) {
  return finalize(
    {
      tasks,
      reports,
      directory,
      pendingGrants,
      publish: (events) => publisher.publish(events),
      ...(readFlags()['notify-transactional'] ? { mailer } : {}),
      recordMetrics: (counts, durationSeconds) => recordImportMetrics(counts, durationSeconds, input),
      clock: () => new Date(),
    },
    input,
  );
}

/** Step Functions task: finalizes the run. */
export const finalizeImport = middy(async (event: unknown) => {
  const input = finalizeInputSchema.parse(event);
  logger.appendKeys({ task_id: input.taskId, run: input.run, tenant_id: input.tenantId });
  logger.setCorrelationId(input.correlationId);
  // Only the workflow's step: the execution-status rule must still end a run whose Finalize failed.
  injectedFault('finalize', input.tenantId, 0);
  const result = await finalizeRun(input);
  logger.info('Import run finished', { status: result.status });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
