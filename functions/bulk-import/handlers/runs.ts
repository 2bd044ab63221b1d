import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { WorkflowClient } from '../../shared/aws/workflow-client';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { bulkImportWorkflowConfig, tableConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { commitImport, importRunSchema, redriveRun, retryFailedRows } from '../use-cases/provisioning-runs';

const config = loadConfig(tableConfig.extend(bulkImportWorkflowConfig.shape));
const documents = createDocumentClient();
const runs = {
  tasks: new ImportTaskRepository(documents, config.TABLE_NAME),
  workflow: new WorkflowClient(new SFNClient({})),
  stateMachineArn: config.BULK_IMPORT_STATE_MACHINE_ARN,
  clock: () => new Date(),
};
const resolvePrincipal = principalResolver(
  new DirectoryRepository(documents, config.TABLE_NAME),
  grantsOnTable(documents, config.TABLE_NAME),
);
const guard = {
  resolvePrincipal,
  permission: 'users.import',
  flag: 'user-bulk-import',
  responseBody: importRunSchema,
} as const;
const taskId = z.string().regex(/^t_[0-9a-z]{26}$/, 'must be a taskId');

export const commit = principalRoute(
  {
    ...guard,
    operation: 'CommitImport',
    body: z.strictObject({
      taskId: taskId,
      sendWelcome: z.boolean().default(true),
      approvalNote: z.string().trim().max(2000).optional(),
    }),
  },
  async ({ caller, body }) => ({ statusCode: 202, body: await commitImport(runs, caller, body) }),
);

export const retry = principalRoute(
  { ...guard, operation: 'RetryImportRows', params: z.object({ taskId }) },
  async ({ caller, params }) => ({
    statusCode: 202,
    body: await retryFailedRows(runs, caller, params.taskId),
  }),
);

export const redrive = principalRoute(
  { ...guard, operation: 'RedriveImportRun', params: z.object({ taskId }) },
  async ({ caller, params }) => ({
    statusCode: 202,
    body: await redriveRun(runs, caller, params.taskId),
  }),
);
