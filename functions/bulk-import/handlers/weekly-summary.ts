import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/observability';
import { reportsConfig, tableConfig } from '../../shared/runtime-config';
import { sweepScopeOf } from '../../shared/scheduled-run';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { writeWeeklyImportSummary } from '../use-cases/weekly-import-summary';

const config = loadConfig(tableConfig.extend(reportsConfig.shape));
const tasks = new ImportTaskRepository(
  createDocumentClient(createDynamoDbClient('background')),
  config.TABLE_NAME,
);
const reports = new ObjectStore(createS3Client(), config.REPORTS_BUCKET);

/** `BulkImportWeeklySummary` (config/schedules.ts): last week's imports per tenant, as CSV in the reports bucket. */
export const handler = middy(async (event: unknown) => {
  const scope = sweepScopeOf(event);
  const result = await writeWeeklyImportSummary({ tasks, reports }, scope);
  logger.info('Weekly import summary written', {
    ...result,
    at: scope.now.toISOString(),
    scope: scope.tenantId ?? 'all',
  });
  return result;
}).use(injectLambdaContext(logger, { resetKeys: true }));
