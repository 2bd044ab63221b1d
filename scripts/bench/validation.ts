import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateImportFile } from '../../functions/bulk-import/domain/file-validator';
import type { TenantDirectoryLookup } from '../../functions/bulk-import/domain/validation-ports';
import type { SheetRecord } from '../../functions/bulk-import/parsing/sheet-record';

/**
 * The benchmark's hook into the validator: reader and validator end to end, with the tenant
 * directory in memory (nobody exists yet) so only our code is timed. Returns the rows validated.
 */
export async function validateRecords(records: AsyncIterable<SheetRecord>): Promise<number> {
  const directory: TenantDirectoryLookup = {
    existingEmails: async () => new Set(),
    existingEmployeeIds: async () => new Set(),
  };
  const scratchDir = await mkdtemp(join(tmpdir(), 'muster-bench-validation-'));
  try {
    const outcome = await validateImportFile(
      {
        records,
        directory,
        scratchDir,
        validRowsPath: join(scratchDir, 'valid-rows.jsonl'),
        settings: {
          maxRows: 1_000_000,
          approvalRoles: new Set(['tenant_admin']),
          knownRoles: new Set(['member', 'operator', 'developer', 'tenant_admin']),
          knownGroups: new Set(['eng']),
          rolePolicy: {
            rules: [{ department: 'Engineering', roles: ['developer'] }],
            fallbackRoles: ['member'],
          },
        },
      },
      { issue: async () => undefined },
    );
    if (outcome.rejected) throw new Error('the validator rejected the benchmark file');
    if (outcome.invalid > 0) throw new Error(`the validator found ${outcome.invalid} invalid benchmark rows`);
    return outcome.total;
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
