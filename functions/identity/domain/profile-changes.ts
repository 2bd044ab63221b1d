import { z } from 'zod';
import { checkPhoneNumber, phoneRegionOf } from '../../bulk-import/domain/phone-number';

/**
 * How a profile field may be changed through the API: one definition for the self-service
 * `PATCH /v1/me` and the admin `PATCH /v1/admin/users/{userId}`, so the two accept the same values.
 */
const text = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

export const displayNameField = text;

export const localeField = z
  .string()
  .refine((value) => isLocale(value), 'must be a BCP 47 language tag such as "en-GB"');

/** Every profile field an administrator may change; the phone is stored as E.164. */
export const adminProfileChangesSchema = z
  .strictObject({
    givenName: text.optional(),
    familyName: text.optional(),
    displayName: displayNameField.optional(),
    employeeId: text.max(64).optional(),
    department: text.optional(),
    jobFamily: text.optional(),
    phone: z.string().trim().min(1).max(64).optional(),
    managerEmail: z.email('must be an email address such as "lee@example.com"').max(254).optional(),
    locale: localeField.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'change at least one profile field',
  })
  .transform((body, context) => {
    if (body.phone === undefined) return body;
    // A national number is read in the region of the locale sent with it, as an import row's is.
    const phone = checkPhoneNumber(body.phone, phoneRegionOf(body.locale));
    if (phone.valid) return { ...body, phone: phone.e164 };
    context.addIssue({ code: 'custom', path: ['phone'], message: `${phone.problem}. ${phone.suggestion}` });
    return z.NEVER;
  });

export type AdminProfileChanges = z.infer<typeof adminProfileChangesSchema>;

function isLocale(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}
