import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { domainEventDetailSchema } from '../../shared/events/domain-event';
import { logger } from '../../shared/observability';
import { tableConfig } from '../../shared/runtime-config';
import { AuditRepository } from '../adapters/audit-repository';
import { auditRecordFrom } from '../domain/audit-record';

const config = loadConfig(tableConfig);
const audit = new AuditRepository(
  createDocumentClient(createDynamoDbClient('background')),
  config.TABLE_NAME,
);

/**
 * Target of the `iam.*` rule: turns each event into an audit record. It throws on anything it
 * cannot store, so EventBridge retries and finally dead-letters the event instead of losing it.
 */
export const handler = middy(async (event: EventBridgeEvent<string, unknown>): Promise<void> => {
  const detail = domainEventDetailSchema.parse(event.detail);
  logger.setCorrelationId(detail.correlationId);
  logger.appendKeys({ tenant_id: detail.tenantId, event_id: detail.eventId, action: event['detail-type'] });
  const outcome = await audit.append(auditRecordFrom(event['detail-type'], detail));
  logger.debug('Audit record written', { outcome });
}).use(injectLambdaContext(logger, { resetKeys: true }));
