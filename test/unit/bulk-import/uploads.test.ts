import { describe, expect, it } from 'vitest';
import type { Upload } from '../../../functions/bulk-import/adapters/import-task-repository';
import { createUpload, type UploadsDeps } from '../../../functions/bulk-import/use-cases/uploads';
import type { Caller } from '../../../functions/identity/caller';
import { ValidationError } from '../../../functions/shared/errors';

const caller = { tenantId: 'acme', currentUserId: 'u_admin' } as unknown as Caller;

function uploadsWithRecords(): { deps: UploadsDeps; stored: Upload[] } {
  const stored: Upload[] = [];
  const deps: UploadsDeps = {
    tasks: {
      putUpload: async (upload) => {
        stored.push(upload);
      },
      getUpload: async () => undefined,
      ensureTask: async () => {
        throw new Error('not called by createUpload');
      },
    },
    uploads: {
      presignPost: async (key) => ({
        url: 'http://s3.local/uploads',
        fields: { key },
        expiresAt: new Date('2026-11-22T10:15:00.000Z'),
      }),
      size: async () => undefined,
    },
    settings: { IMPORT_MAX_FILE_BYTES: 1000, IMPORT_UPLOAD_URL_TTL_SECONDS: 900 },
    clock: () => new Date('2026-11-22T10:00:00.000Z'),
  };
  return { deps, stored };
}

async function refusal(request: { fileName: string; sizeBytes?: number }): Promise<ValidationError> {
  const { deps, stored } = uploadsWithRecords();
  const error = await createUpload(deps, caller, request).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ValidationError))
    throw new Error(`expected a ValidationError, got ${String(error)}`);
  expect(stored).toEqual([]);
  return error;
}

describe('createUpload', () => {
  it('hands out an upload under the caller tenant for a .csv, .txt or .xlsx name', async () => {
    for (const fileName of ['people.csv', 'people.TXT', 'People.xlsx']) {
      const { deps, stored } = uploadsWithRecords();
      const created = await createUpload(deps, caller, { fileName, sizeBytes: 10 });
      expect(created.fields.key).toBe(`tenants/acme/uploads/${created.fileId}`);
      expect(stored).toEqual([
        expect.objectContaining({ tenantId: 'acme', fileName, declaredSizeBytes: 10 }),
      ]);
    }
  });

  it('refuses a macro-enabled name with MACRO_WORKBOOK and how to save it as .xlsx', async () => {
    for (const fileName of ['people.xlsm', 'People.XLTM', 'addin.xlam']) {
      const error = await refusal({ fileName });
      expect(error.code).toBe('MACRO_WORKBOOK');
      expect(error.message).toBe(
        `"${fileName}": The file is a macro-enabled workbook; those are not accepted because macros can run code. Open it in Excel and choose File › Save As › Excel Workbook (*.xlsx), then upload the .xlsx file.`,
      );
    }
  });

  it('refuses other names with UNSUPPORTED_FILE_TYPE, and a declared size over the limit', async () => {
    for (const fileName of ['people.xls', 'people.pdf', 'people']) {
      expect((await refusal({ fileName })).code).toBe('UNSUPPORTED_FILE_TYPE');
    }
    const tooLarge = await refusal({ fileName: 'people.csv', sizeBytes: 1001 });
    expect(tooLarge.code).toBe('FILE_TOO_LARGE');
  });
});
