import { ulid } from 'ulid';
import { z } from 'zod';
import type { Caller } from '../../identity/caller';
import type { ObjectStore } from '../../shared/aws/object-store';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { ImportTask, ImportTaskRepository } from '../adapters/import-task-repository';
import { artifactKeys, taskIdOf } from '../domain/artifact-keys';
import { TASK_STATUSES } from '../domain/import-task';
import { isMacroWorkbookName, macroWorkbook } from '../parsing/detect-format';
import type { ImportSettings } from '../runtime-config';

export interface UploadsDeps {
  readonly tasks: Pick<ImportTaskRepository, 'putUpload' | 'getUpload' | 'ensureTask'>;
  readonly uploads: Pick<ObjectStore, 'presignPost' | 'size'>;
  readonly settings: Pick<ImportSettings, 'IMPORT_MAX_FILE_BYTES' | 'IMPORT_UPLOAD_URL_TTL_SECONDS'>;
  readonly clock: () => Date;
}

const ACCEPTED_EXTENSIONS = ['.csv', '.xlsx', '.txt'];

/** `POST .../uploads`: where and how to send the file. */
export const importUploadSchema = z.strictObject({
  fileId: z.string(),
  uploadUrl: z.string().describe('Send the file here as a multipart form: `fields`, then `file`.'),
  method: z.literal('POST'),
  headers: z.record(z.string(), z.string()),
  fields: z.record(z.string(), z.string()),
  maxBytes: z.number().int(),
  expiresAt: z.string(),
});

/** `POST .../validation`: the file's task (the same one however often it is asked). */
export const validationStartedSchema = z.strictObject({
  taskId: z.string(),
  status: z.enum(TASK_STATUSES),
});

/**
 * `POST .../uploads`: a presigned POST for one new file under the caller's tenant. The key is
 * made of ids we generate; the file name is kept as metadata only.
 */
export async function createUpload(
  deps: UploadsDeps,
  caller: Caller,
  request: { fileName: string; sizeBytes?: number },
): Promise<z.infer<typeof importUploadSchema>> {
  const extension = request.fileName.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? '';
  if (isMacroWorkbookName(request.fileName)) {
    const refusal = macroWorkbook();
    throw new ValidationError(
      'MACRO_WORKBOOK',
      `"${request.fileName}": ${refusal.message} ${refusal.suggestion}`,
    );
  }
  if (!ACCEPTED_EXTENSIONS.includes(extension)) {
    throw new ValidationError(
      'UNSUPPORTED_FILE_TYPE',
      `"${request.fileName}" is not a CSV or XLSX file. Save the sheet as .xlsx or CSV UTF-8 (.csv) and upload that.`,
    );
  }
  const maxBytes = deps.settings.IMPORT_MAX_FILE_BYTES;
  if (request.sizeBytes !== undefined && request.sizeBytes > maxBytes) {
    throw new ValidationError(
      'FILE_TOO_LARGE',
      `The file is ${request.sizeBytes} bytes; uploads are limited to ${maxBytes} bytes. Split it into several files.`,
    );
  }
  const now = deps.clock();
  const fileId = `f_${ulid().toLowerCase()}`;
  const objectKey = artifactKeys.upload(caller.tenantId, fileId);
  await deps.tasks.putUpload({
    tenantId: caller.tenantId,
    fileId,
    taskId: taskIdOf(fileId),
    fileName: request.fileName,
    objectKey,
    ...(request.sizeBytes !== undefined ? { declaredSizeBytes: request.sizeBytes } : {}),
    createdBy: caller.currentUserId,
    createdAt: now.toISOString(),
  });
  const presigned = await deps.uploads.presignPost(
    objectKey,
    maxBytes,
    deps.settings.IMPORT_UPLOAD_URL_TTL_SECONDS,
    now,
  );
  return {
    fileId,
    uploadUrl: presigned.url,
    method: 'POST' as const,
    headers: {},
    fields: presigned.fields,
    maxBytes,
    expiresAt: presigned.expiresAt.toISOString(),
  };
}

/**
 * `POST .../validation {fileId}`: the task of an uploaded file. Validation itself starts when the
 * upload lands (S3 notification); this returns the same task whichever comes first.
 */
export async function startValidation(
  deps: UploadsDeps,
  caller: Caller,
  fileId: string,
): Promise<ImportTask> {
  const upload = await deps.tasks.getUpload(caller.tenantId, fileId);
  if (!upload) throw new NotFoundError('UPLOAD_NOT_FOUND', `No upload ${fileId} in this tenant.`);
  if ((await deps.uploads.size(upload.objectKey)) === undefined) {
    throw new ConflictError(
      'FILE_NOT_UPLOADED',
      'The file has not arrived yet: send it to the uploadUrl first (or request a new one if it expired).',
    );
  }
  return deps.tasks.ensureTask(upload, deps.clock().toISOString());
}
