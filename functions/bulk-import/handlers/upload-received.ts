import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { RoleCatalog } from '../../identity/adapters/role-catalog';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { logger } from '../../shared/observability';
import { reportsConfig, tableConfig, uploadsConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { writeIssueReports } from '../adapters/report-writers';
import { RolePolicyRepository } from '../adapters/role-policy-repository';
import { tenantDirectoryLookup, validationSettings } from '../adapters/tenant-directory-lookup';
import { validateImportFile } from '../domain/file-validator';
import { openSheet } from '../parsing/open-sheet';
import { importSettingsConfig } from '../runtime-config';
import { validateUpload } from '../use-cases/validate-upload';

const config = loadConfig(
  tableConfig.extend(uploadsConfig.shape).extend(reportsConfig.shape).extend(importSettingsConfig.shape),
);
const documents = createDocumentClient(createDynamoDbClient('background'));
const s3 = createS3Client();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const roleCatalog = new RoleCatalog(directory);
const policies = new RolePolicyRepository(documents, config.TABLE_NAME);
const deps = {
  tasks: new ImportTaskRepository(documents, config.TABLE_NAME),
  uploads: new ObjectStore(s3, config.UPLOADS_BUCKET),
  reports: new ObjectStore(s3, config.REPORTS_BUCKET),
  lookupFor: (tenantId: string) => tenantDirectoryLookup(directory, tenantId),
  settingsFor: (tenantId: string) =>
    validationSettings({ directory, roleCatalog, policies, settings: config }, tenantId),
  openRecords: async function* (body: Parameters<typeof openSheet>[0]['body'], fileName: string) {
    // A file rejected before its first record (wrong type, encrypted) throws here, inside the
    // records, so the validator reports it like any other file-level problem.
    yield* (await openSheet({ body, fileName })).records;
  },
  validate: validateImportFile,
  writeReports: writeIssueReports,
  maxFileBytes: config.IMPORT_MAX_FILE_BYTES,
  clock: () => new Date(),
};

/**
 * S3 ObjectCreated on the uploads bucket: validates each new upload. Failures are thrown, so the
 * asynchronous invocation is retried and then dead-lettered; a retry starts the file over.
 */
export const handler = middy(async (event: S3Event): Promise<void> => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replaceAll('+', ' '));
    logger.setCorrelationId(record.responseElements?.['x-amz-request-id'] ?? key);
    const outcome = await validateUpload(deps, { key, size: record.s3.object.size });
    logger.info('Upload handled', { outcome });
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));
