import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { createSesClient, Mailer } from '../../shared/aws/mailer';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { readFlags } from '../../shared/flags';
import { logger } from '../../shared/observability';
import { eventBusConfig, mailConfig, reportsConfig, tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { PendingGrantRepository } from '../adapters/pending-grant-repository';
import { settleImportGrants } from '../use-cases/settle-grants';
import { settleInputSchema } from './workflow-input';

const config = loadConfig(
  tableConfig.extend(reportsConfig.shape).extend(eventBusConfig.shape).extend(mailConfig.shape),
);
const documents = createDocumentClient(createDynamoDbClient('background'));
const mailer = new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const deps = {
  tasks: new ImportTaskRepository(documents, config.TABLE_NAME),
  reports: new ObjectStore(createS3Client(), config.REPORTS_BUCKET),
  directory: new DirectoryRepository(documents, config.TABLE_NAME),
  pendingGrants: new PendingGrantRepository(documents, config.TABLE_NAME),
  publish: (events: Parameters<EventPublisher['publish']>[0]) => publisher.publish(events),
  clock: () => new Date(),
};

/**
 * Step Functions task after an import's approval: activates or rejects the run's sensitive role
 * grants and ends the run. Throws, so the state machine retries.
 */
export const settleGrants = middy(async (event: unknown) => {
  const input = settleInputSchema.parse(event);
  logger.appendKeys({ task_id: input.taskId, run: input.run, tenant_id: input.tenantId });
  logger.setCorrelationId(input.correlationId);
  const result = await settleImportGrants(
    { ...deps, ...(readFlags()['notify-transactional'] ? { mailer } : {}) },
    input,
  );
  logger.info('Import grants settled', { status: result.status, decision: input.outcome.decision });
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
