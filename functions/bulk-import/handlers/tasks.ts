import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { reportsConfig, tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import {
  describeTask,
  importIssuesPageSchema,
  importTaskViewSchema,
  listIssues,
} from '../use-cases/task-view';

const config = loadConfig(tableConfig.extend(reportsConfig.shape));
const documents = createDocumentClient();
const tasks = new ImportTaskRepository(documents, config.TABLE_NAME);
const reports = new ObjectStore(createS3Client(), config.REPORTS_BUCKET);
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));
const guard = { resolvePrincipal, permission: 'users.import', flag: 'user-bulk-import' } as const;
const taskPath = z.object({ taskId: z.string().regex(/^t_[0-9a-z]{26}$/, 'must be a taskId') });

export const getTask = principalRoute(
  { ...guard, operation: 'GetImportTask', params: taskPath, responseBody: importTaskViewSchema },
  async ({ caller, params }) => ({
    statusCode: 200,
    body: await describeTask({ tasks, reports }, caller.tenantId, params.taskId),
  }),
);

export const listErrors = principalRoute(
  {
    ...guard,
    operation: 'ListImportErrors',
    params: taskPath,
    responseBody: importIssuesPageSchema,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      nextToken: z.string().max(200).optional(),
    }),
  },
  async ({ caller, params, query }) => ({
    statusCode: 200,
    body: await listIssues({ tasks, reports }, caller.tenantId, params.taskId, {
      limit: query.limit,
      ...(query.nextToken ? { nextToken: query.nextToken } : {}),
    }),
  }),
);
