import { z } from 'zod';

/** The APPROVAL_* variables of `entitlement-settings` access (config/iam-entitlements.yaml). */
export const approvalSettingsConfig = z.object({
  APPROVAL_SLA_MINUTES: z.coerce.number().int().min(1),
  APPROVAL_MAX_WAIT_HOURS: z.coerce.number().int().min(1),
});
