import { z } from 'zod';
import { requiredName } from '../shared/config';

/**
 * The expiry settings of config/iam-entitlements.yaml as functions with `entitlement-settings`
 * access receive them: `EXPIRY_REMINDER_HOURS` is `"168,24"`, or empty for no reminders.
 */
export const expirySettingsConfig = z.object({
  EXPIRY_REMINDER_HOURS: z
    .string()
    .trim()
    .regex(/^(\d+(,\d+)*)?$/, 'must be hours before the end, comma-separated, e.g. "168,24"')
    .transform((text) => (text === '' ? [] : text.split(',').map(Number))),
});

export const batchAssignWorkflowConfig = z.object({ BATCH_ASSIGN_STATE_MACHINE_ARN: requiredName });
