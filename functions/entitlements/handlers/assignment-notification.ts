import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { createSesClient, Mailer } from '../../shared/aws/mailer';
import { loadConfig } from '../../shared/config';
import { readFlags } from '../../shared/flags';
import { logger, metrics, publishRecordedMetrics } from '../../shared/observability';
import { eventBusConfig, mailConfig, tableConfig } from '../../shared/runtime-config';
import { AssignmentRepository } from '../adapters/assignment-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { notifyAssignment } from '../use-cases/notify-assignment';
import { assignmentRunSchema } from './assignment-input';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape).extend(mailConfig.shape));
const documents = createDocumentClient(createDynamoDbClient('background'));
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const mailer = new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS);

/** Step Functions task: granted events, emails to members and requester, final status and metrics. */
export const notify = middy(async (event: unknown) => {
  const input = assignmentRunSchema.parse(event);
  logger.appendKeys({ assignment_id: input.assignmentId, tenant_id: input.tenantId });
  logger.setCorrelationId(input.correlationId);
  const result = await notifyAssignment(
    {
      assignments: new AssignmentRepository(documents, config.TABLE_NAME),
      entitlements: new EntitlementRepository(documents, config.TABLE_NAME),
      directory: new DirectoryRepository(documents, config.TABLE_NAME),
      publish: (events) => publisher.publish(events),
      ...(readFlags()['notify-transactional'] ? { mailer } : {}),
      recordFailureRatio: (ratio) =>
        metrics.addMetric('iam.batch_assign.failure_ratio', MetricUnit.Percent, 100 * ratio),
      clock: () => new Date(),
    },
    input,
  );
  logger.info('Batch assignment finished', { status: result.status, notified: result.notified });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
