import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { loadConfig } from '../../shared/config';
import { logger, metrics, publishRecordedMetrics } from '../../shared/observability';
import { eventBusConfig, tableConfig } from '../../shared/runtime-config';
import { AssignmentRepository } from '../adapters/assignment-repository';
import { BundleRepository } from '../adapters/bundle-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { expirySettingsConfig } from '../runtime-config';
import {
  activateAssignment,
  failAssignment,
  prepareAssignment,
  type RunInput,
  rejectAssignment,
} from '../use-cases/assignment-workflow';
import {
  activateInputSchema,
  assignmentRunSchema,
  failInputSchema,
  rejectInputSchema,
} from './assignment-input';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape).extend(expirySettingsConfig.shape));
const documents = createDocumentClient(createDynamoDbClient('background'));
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const deps = {
  assignments: new AssignmentRepository(documents, config.TABLE_NAME),
  entitlements: new EntitlementRepository(documents, config.TABLE_NAME),
  directory: new DirectoryRepository(documents, config.TABLE_NAME),
  bundles: new BundleRepository(documents, config.TABLE_NAME),
  publish: (events: Parameters<EventPublisher['publish']>[0]) => publisher.publish(events),
  clock: () => new Date(),
};

/** Step Functions tasks rethrow: the state machine's Retry and Catch decide what happens next. */
function task<TInput extends RunInput, TResult>(
  parse: (event: unknown) => TInput,
  run: (input: TInput) => Promise<TResult>,
) {
  return middy(async (event: unknown) => {
    const input = parse(event);
    logger.appendKeys({ assignment_id: input.assignmentId, tenant_id: input.tenantId });
    logger.setCorrelationId(input.correlationId);
    return run(input);
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishRecordedMetrics());
}

export const prepare = task(assignmentRunSchema.parse, (input) =>
  prepareAssignment(
    {
      ...deps,
      recordQueueLatency: (seconds) =>
        metrics.addMetric('iam.batch_assign.queue_latency', MetricUnit.Seconds, seconds),
    },
    input,
  ),
);

export const activateGrants = task(activateInputSchema.parse, (input) =>
  activateAssignment({ ...deps, reminderHours: config.EXPIRY_REMINDER_HOURS }, input),
);

export const rejectGrants = task(rejectInputSchema.parse, (input) =>
  rejectAssignment(deps, { ...input, outcome: input.approvalFailure }),
);

export const markFailed = task(failInputSchema.parse, (input) => failAssignment(deps, input));
