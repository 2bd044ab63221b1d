import { z } from 'zod';

/** The `$batch` quota (config/request-quota.ts), requests a minute. */
export const requestQuotaConfig = z.object({
  MUSTER_RATE_LIMIT_RPM: z.coerce.number().int().min(1),
  MUSTER_TENANT_RATE_LIMIT_RPM: z.coerce.number().int().min(1),
});
