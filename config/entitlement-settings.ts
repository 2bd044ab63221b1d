import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The approval and expiry settings of config/iam-entitlements.yaml, validated. Read by CDK and the
 * local stack only (it reads a file); Lambdas get the values as APPROVAL_* / EXPIRY_* variables.
 */
export const entitlementSettingsSchema = z
  .strictObject({
    approvalSlaMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
    approvalMaxWaitHours: z
      .number()
      .int()
      .min(1)
      .max(30 * 24),
    expiryReminderHours: z
      .array(
        z
          .number()
          .int()
          .min(1)
          .max(90 * 24),
      )
      .max(5),
  })
  .refine((settings) => settings.approvalMaxWaitHours * 60 > settings.approvalSlaMinutes, {
    path: ['approvalMaxWaitHours'],
    message: 'an approval must be able to wait past its SLA before it expires',
  });
export type EntitlementSettings = z.infer<typeof entitlementSettingsSchema>;

const SETTINGS_FILE = join(dirname(fileURLToPath(import.meta.url)), 'iam-entitlements.yaml');

/** The settings file, with changes (a partial object) merged over it. */
export function loadEntitlementSettings(overrides: Record<string, unknown> = {}): EntitlementSettings {
  const base = z.record(z.string(), z.unknown()).parse(parse(readFileSync(SETTINGS_FILE, 'utf8')));
  return entitlementSettingsSchema.parse({ ...base, ...overrides });
}

/** The variables a Lambda with `entitlement-settings` access receives. */
export function entitlementEnvironment(settings: EntitlementSettings): Record<string, string> {
  return {
    APPROVAL_SLA_MINUTES: String(settings.approvalSlaMinutes),
    APPROVAL_MAX_WAIT_HOURS: String(settings.approvalMaxWaitHours),
    EXPIRY_REMINDER_HOURS: settings.expiryReminderHours.join(','),
  };
}
