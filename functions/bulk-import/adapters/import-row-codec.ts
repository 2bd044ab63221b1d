import { z } from 'zod';
import { userProfileSchema } from '../../identity/domain/user-profile';
import type { ImportRow } from '../domain/import-row';

/** How valid rows travel between validation, the batch files and provisioning: one JSON object a line. */
export const importRowSchema = userProfileSchema.extend({
  row: z.number().int().min(2),
  email: z.string(),
  startDate: z.string().optional(),
  groups: z.array(z.string()),
  roles: z.array(z.string()),
  rolesPendingApproval: z.array(z.string()),
}) satisfies z.ZodType<ImportRow>;

export function parseRowLines(text: string): ImportRow[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => importRowSchema.parse(JSON.parse(line)));
}

export const batchFileSchema = z.object({ rows: z.array(importRowSchema) });
