import { z } from 'zod';

/** The IMPORT_* variables (config/iam-bulk-import.yaml as CDK or the local stack hands them over). */
export const importSettingsConfig = z.object({
  IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000),
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1),
  IMPORT_MAX_FILE_BYTES: z.coerce.number().int().min(1),
  IMPORT_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60),
  IMPORT_APPROVAL_ROLES: z.string().transform((value) =>
    value
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean),
  ),
  IMPORT_ACTIVATION_TTL_HOURS: z.coerce.number().int().min(1),
});
export type ImportSettings = z.infer<typeof importSettingsConfig>;
