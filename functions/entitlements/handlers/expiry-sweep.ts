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
import { sweepScopeOf } from '../../shared/scheduled-run';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { expirySettingsConfig } from '../runtime-config';
import { sweepEntitlementExpiry } from '../use-cases/expiry-sweep';

const config = loadConfig(
  tableConfig.extend(eventBusConfig.shape).extend(mailConfig.shape).extend(expirySettingsConfig.shape),
);
const documents = createDocumentClient(createDynamoDbClient('background'));
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const mailer = new Mailer(createSesClient(), config.MAIL_FROM_ADDRESS);
const entitlements = new EntitlementRepository(documents, config.TABLE_NAME);
const directory = new DirectoryRepository(documents, config.TABLE_NAME);

/** The EntitlementExpirySweep schedule: reminders before grants end, revocation at their end. */
export const handler = middy(async (event: unknown) => {
  const scope = sweepScopeOf(event);
  const result = await sweepEntitlementExpiry(
    {
      entitlements,
      directory,
      publish: (events) => publisher.publish(events),
      ...(readFlags()['notify-transactional'] ? { mailer } : {}),
    },
    scope,
    config.EXPIRY_REMINDER_HOURS,
  );
  metrics.addMetric('iam.permission.expiry_reminders', MetricUnit.Count, result.reminded);
  metrics.addMetric('iam.permission.expired', MetricUnit.Count, result.revoked);
  logger.info('Entitlement expiry sweep', {
    ...result,
    at: scope.now.toISOString(),
    scope: scope.tenantId ?? 'all',
  });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(publishRecordedMetrics());
