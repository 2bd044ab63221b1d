import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The bulk-import settings of config/iam-bulk-import.yaml, validated. Read by CDK and the local
 * stack only (it reads a file); Lambdas get the values as IMPORT_* environment variables.
 */
export const bulkImportSettingsSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(1000),
  concurrency: z.number().int().min(1).max(1000),
  retry: z.strictObject({
    maxAttempts: z.number().int().min(0).max(10),
    intervalSeconds: z.number().int().min(1).max(300),
    backoffRate: z.number().min(1).max(10),
  }),
  maxRows: z.number().int().min(1).max(1_000_000),
  maxFileBytes: z.number().int().min(1024),
  uploadUrlTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(7 * 24 * 3600),
  activationTtlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  approvalRoles: z.array(z.string().min(1)),
});
export type BulkImportSettings = z.infer<typeof bulkImportSettingsSchema>;

const SETTINGS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'iam-bulk-import.yaml');

/** The settings file, with an environment's overrides (a partial object) merged over it. */
export function loadBulkImportSettings(overrides: Record<string, unknown> = {}): BulkImportSettings {
  const base = z.record(z.string(), z.unknown()).parse(parse(readFileSync(SETTINGS_FILE, 'utf8')));
  const retryBase = z.record(z.string(), z.unknown()).parse(base.retry ?? {});
  const retryOverrides = z.record(z.string(), z.unknown()).parse(overrides.retry ?? {});
  return bulkImportSettingsSchema.parse({
    ...base,
    ...overrides,
    retry: { ...retryBase, ...retryOverrides },
  });
}

/** The IMPORT_* variables a Lambda with `import-settings` access receives. */
export function bulkImportEnvironment(settings: BulkImportSettings): Record<string, string> {
  return {
    IMPORT_BATCH_SIZE: String(settings.batchSize),
    IMPORT_MAX_ROWS: String(settings.maxRows),
    IMPORT_MAX_FILE_BYTES: String(settings.maxFileBytes),
    IMPORT_UPLOAD_URL_TTL_SECONDS: String(settings.uploadUrlTtlSeconds),
    IMPORT_APPROVAL_ROLES: settings.approvalRoles.join(','),
    IMPORT_ACTIVATION_TTL_HOURS: String(settings.activationTtlHours),
  };
}

/** Values the bulk-import ASL takes as `${Placeholder}` substitutions besides its task ARNs. */
export function bulkImportDefinitionParameters(settings: BulkImportSettings): Record<string, string> {
  return {
    ProvisionConcurrency: String(settings.concurrency),
    ProvisionMaxAttempts: String(settings.retry.maxAttempts),
    ProvisionIntervalSeconds: String(settings.retry.intervalSeconds),
    ProvisionBackoffRate: String(settings.retry.backoffRate),
  };
}
