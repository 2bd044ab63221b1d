import type { Entitlement } from './entitlement';

/**
 * When a grant with an end reminds its holder and when it ends (seed 001: reminders a configured
 * time before `validUntil`, 7 days and 1 day by default; revocation at `validUntil`). Thresholds are
 * hours before the end. A reminder that is sent is recorded in `remindersSent`; thresholds further
 * from the end than one already sent are over, so a sweep that comes late sends only the nearest.
 */
const HOUR_MS = 3_600_000;

export type ExpiryDecision =
  /** At or past the end: revoke. */
  | { readonly action: 'revoke' }
  /** Send the reminder for `hours`; then wait until `nextDueAt`. */
  | { readonly action: 'remind'; readonly hours: number; readonly nextDueAt: Date }
  /** Nothing is due yet (a sweep ran early or the index was stale): wait until `nextDueAt`. */
  | { readonly action: 'wait'; readonly nextDueAt: Date };

type Timed = Pick<Entitlement, 'validUntil'> & { readonly remindersSent?: readonly number[] };

/** Thresholds not yet over: nearer to the end than every reminder already sent. */
function pendingThresholds(thresholds: readonly number[], remindersSent: readonly number[]): number[] {
  const nearestSent = Math.min(...remindersSent);
  return [...new Set(thresholds)].filter((hours) => hours > 0 && hours < nearestSent).sort((a, b) => b - a);
}

/**
 * The next time something is due after `after`: the earliest pending reminder still ahead, else the
 * end itself. `undefined` for a grant without an end (or with an unreadable one: nothing to time).
 */
export function nextDueAt(entitlement: Timed, thresholds: readonly number[], after: Date): Date | undefined {
  if (entitlement.validUntil === undefined) return undefined;
  const end = Date.parse(entitlement.validUntil);
  if (Number.isNaN(end)) return undefined;
  for (const hours of pendingThresholds(thresholds, entitlement.remindersSent ?? [])) {
    const at = end - hours * HOUR_MS;
    if (at > after.getTime()) return new Date(at);
  }
  return new Date(end);
}

/** What a sweep at `now` does with an ACTIVE grant found due. */
export function decideExpiry(entitlement: Timed, thresholds: readonly number[], now: Date): ExpiryDecision {
  const end = entitlement.validUntil === undefined ? Number.NaN : Date.parse(entitlement.validUntil);
  // A grant found due without a readable end is ended: failing closed, like isInForce.
  if (Number.isNaN(end) || now.getTime() >= end) return { action: 'revoke' };
  const passed = pendingThresholds(thresholds, entitlement.remindersSent ?? []).filter(
    (hours) => now.getTime() >= end - hours * HOUR_MS,
  );
  const nearest = passed.at(-1);
  if (nearest === undefined) {
    return { action: 'wait', nextDueAt: nextDueAt(entitlement, thresholds, now) ?? new Date(end) };
  }
  const reminded = { ...entitlement, remindersSent: [...(entitlement.remindersSent ?? []), nearest] };
  return {
    action: 'remind',
    hours: nearest,
    nextDueAt: nextDueAt(reminded, thresholds, now) ?? new Date(end),
  };
}
