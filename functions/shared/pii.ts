/**
 * Masks personal data before it reaches a log line. Emails keep their first character and
 * domain (`j***@example.com`) so an operator can still tell rows apart; phone numbers keep
 * their last two digits.
 */
const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
const PHONE = /\+?\d[\d\s().-]{6,}\d/g;

export function maskEmail(email: string): string {
  return email.replace(EMAIL, (_match, first: string, domain: string) => `${first}***@${domain}`);
}

export function maskText(text: string): string {
  return maskEmail(text).replace(PHONE, (phone) => `***${phone.replace(/\D/g, '').slice(-2)}`);
}

/** Deeply masks every string in a log payload. Keys are left alone: they are ours, not the user's. */
export function maskPii<T>(value: T): T {
  return maskValue(value, new WeakSet()) as T;
}

function maskValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, seen));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskValue(item, seen)]));
}
