import { findPhoneNumbersInText } from 'libphonenumber-js/max';

/**
 * Masks personal data before it reaches a log line. Emails keep their first character and
 * domain (`j***@example.com`) so an operator can still tell rows apart; phone numbers keep their
 * last two digits. Ids, timestamps and counts are left alone: correlation ids must stay
 * searchable, so phone numbers are recognised by libphonenumber (international format in free
 * text) or by the key they are logged under, never by "a run of digits".
 */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONE_KEY = /phone|mobile|msisdn|^tel/i;

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`);
}

function maskPhone(phone: string): string {
  return `***${phone.replace(/\D/g, '').slice(-2)}`;
}

/** Masks emails and internationally written phone numbers inside free text. */
export function maskText(text: string): string {
  const masked = maskEmail(text);
  if (!masked.includes('+')) return masked;
  let result = '';
  let cursor = 0;
  for (const found of findPhoneNumbersInText(masked)) {
    result += masked.slice(cursor, found.startsAt) + maskPhone(masked.slice(found.startsAt, found.endsAt));
    cursor = found.endsAt;
  }
  return result + masked.slice(cursor);
}

/**
 * Deeply masks a log payload: every string as free text, and whole values logged under a
 * phone-like key. Errors are first turned into plain objects by `describeError`, so their
 * message and stack survive (their fields are not enumerable).
 */
export function maskAttributes(
  attributes: Readonly<Record<string, unknown>>,
  describeError: (error: Error) => Record<string, unknown> = plainError,
): Record<string, unknown> {
  const seen = new WeakSet<object>([attributes]);
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [key, maskValue(value, key, seen, describeError)]),
  );
}

function plainError(error: Error): Record<string, unknown> {
  return { name: error.name, message: error.message, stack: error.stack };
}

function maskValue(
  value: unknown,
  key: string | undefined,
  seen: WeakSet<object>,
  describeError: (error: Error) => Record<string, unknown>,
): unknown {
  if (typeof value === 'string') return key && PHONE_KEY.test(key) ? maskPhone(value) : maskText(value);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) return maskValue(describeError(value), key, seen, describeError);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, key, seen, describeError));
  return Object.fromEntries(
    Object.entries(value).map(([entryKey, item]) => [
      entryKey,
      maskValue(item, entryKey, seen, describeError),
    ]),
  );
}
