import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { createS3Client, ObjectStore } from '../../shared/aws/object-store';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig, uploadsConfig } from '../../shared/runtime-config';
import { ImportTaskRepository } from '../adapters/import-task-repository';
import { importSettingsConfig } from '../runtime-config';
import {
  createUpload as createUploadUseCase,
  importUploadSchema,
  startValidation as startValidationUseCase,
  validationStartedSchema,
} from '../use-cases/uploads';

const config = loadConfig(tableConfig.extend(uploadsConfig.shape).extend(importSettingsConfig.shape));
const documents = createDocumentClient();
const deps = {
  tasks: new ImportTaskRepository(documents, config.TABLE_NAME),
  uploads: new ObjectStore(createS3Client(), config.UPLOADS_BUCKET),
  settings: config,
  clock: () => new Date(),
};
const resolvePrincipal = principalResolver(
  new DirectoryRepository(documents, config.TABLE_NAME),
  grantsOnTable(documents, config.TABLE_NAME),
);
const guard = { resolvePrincipal, permission: 'users.import', flag: 'user-bulk-import' } as const;

export const createUpload = principalRoute(
  {
    ...guard,
    operation: 'CreateImportUpload',
    responseBody: importUploadSchema,
    body: z.strictObject({
      fileName: z.string().trim().min(1).max(255),
      sizeBytes: z.number().int().positive().optional(),
    }),
  },
  async ({ caller, body }) => ({ statusCode: 201, body: await createUploadUseCase(deps, caller, body) }),
);

export const startValidation = principalRoute(
  {
    ...guard,
    operation: 'StartImportValidation',
    responseBody: validationStartedSchema,
    body: z.strictObject({
      fileId: z.string().regex(/^f_[0-9a-z]{26}$/, 'must be a fileId returned by /uploads'),
    }),
  },
  async ({ caller, body }) => {
    const task = await startValidationUseCase(deps, caller, body.fileId);
    return { statusCode: 202, body: { taskId: task.taskId, status: task.status } };
  },
);
