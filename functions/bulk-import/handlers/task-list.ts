import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { pageSchema } from '../../shared/http/page-token';
import { tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { listedImportSchema } from '../domain/import-listing';
import { TASK_STATUSES } from '../domain/import-task';
import { listImports, MAX_IMPORTS_PAGE } from '../use-cases/list-imports';

// Its own module, apart from tasks.ts: listing reads the table only, never the reports bucket.
const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const tasks = new ImportTaskRepository(documents, config.TABLE_NAME);
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));

/** `GET .../bulk-import?limit=&nextToken=&status=`: the tenant's imports, newest first. */
export const listTasks = principalRoute(
  {
    resolvePrincipal,
    permission: 'users.import',
    flag: 'user-bulk-import',
    operation: 'ListImportTasks',
    responseBody: pageSchema(listedImportSchema),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_IMPORTS_PAGE).default(25),
      nextToken: z.string().max(1024).optional(),
      status: z.enum(TASK_STATUSES).optional(),
    }),
  },
  async ({ caller, query: { limit, nextToken, status } }) => ({
    statusCode: 200,
    body: await listImports({ tasks, directory }, caller.tenantId, {
      limit,
      ...(nextToken !== undefined ? { nextToken } : {}),
      filter: status !== undefined ? { status } : {},
    }),
  }),
);
