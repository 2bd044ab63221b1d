import type { components } from '../../../clients/muster-api';
import { countOf } from './progress';

/** One of a user's grants, as `GET /v1/admin/users/{userId}/entitlements` lists them. */
export type UserEntitlement = components['schemas']['UserEntitlement'];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A day as a person writes it: "3 Nov", with the year only when it is not this one. */
export function shortDate(at: Date, now: Date, timeZone?: string): string {
  const yearOf = (date: Date) =>
    new Intl.DateTimeFormat('en-GB', { year: 'numeric', ...(timeZone ? { timeZone } : {}) }).format(date);
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    ...(yearOf(at) === yearOf(now) ? {} : { year: 'numeric' }),
    ...(timeZone ? { timeZone } : {}),
  }).format(at);
}

/** How long until `end`, rounded down to whole days, or up to whole hours under a day: "12 days", "5 hours". */
function timeUntil(end: number, now: number): string {
  const left = end - now;
  return left >= DAY ? countOf(Math.floor(left / DAY), 'day') : countOf(Math.ceil(left / HOUR), 'hour');
}

/**
 * A grant's window as a person reads it: "no expiry", "expires in 12 days", "expired 3 Nov",
 * "starts 5 Dec". A grant that ended without expiring (revoked, rejected) reads "was until 3 Dec".
 */
export function describeValidity(
  grant: Pick<UserEntitlement, 'status' | 'validFrom' | 'validUntil'>,
  now: Date,
  timeZone?: string,
): string {
  const at = now.getTime();
  const start = Date.parse(grant.validFrom);
  const end = grant.validUntil === undefined ? undefined : Date.parse(grant.validUntil);
  const ended = grant.status === 'REVOKED' || grant.status === 'REJECTED';
  if (end === undefined || Number.isNaN(end)) return ended ? 'had no expiry' : 'no expiry';
  const endText = shortDate(new Date(end), now, timeZone);
  if (ended) return `was until ${endText}`;
  if (grant.status === 'EXPIRED' || end <= at) return `expired ${endText}`;
  if (start > at) return `starts ${shortDate(new Date(start), now, timeZone)}, until ${endText}`;
  return `expires in ${timeUntil(end, at)}`;
}

export type StatusTone = 'good' | 'waiting' | 'ended';

/**
 * The status badge: what the stored status means now. An ACTIVE grant outside its window grants
 * nothing, so it does not read "active".
 */
export function describeStatus(
  grant: Pick<UserEntitlement, 'status' | 'inForce' | 'validFrom'>,
  now: Date,
): { readonly label: string; readonly tone: StatusTone } {
  switch (grant.status) {
    case 'ACTIVE':
      if (grant.inForce) return { label: 'active', tone: 'good' };
      return Date.parse(grant.validFrom) > now.getTime()
        ? { label: 'not started', tone: 'waiting' }
        : { label: 'lapsed', tone: 'ended' };
    case 'PENDING_APPROVAL':
      return { label: 'pending approval', tone: 'waiting' };
    case 'EXPIRED':
      return { label: 'expired', tone: 'ended' };
    case 'REVOKED':
      return { label: 'revoked', tone: 'ended' };
    case 'REJECTED':
      return { label: 'rejected', tone: 'ended' };
  }
}

/** How the grant came about: "batch assignment asg_…", "import t_…, row 12", "granted directly". */
export function describeSource(source: UserEntitlement['source']): string {
  switch (source.type) {
    case 'batch_assign':
      return `batch assignment ${source.assignmentId}`;
    case 'bulk_import':
      return `import ${source.taskId}, row ${source.row}`;
    case 'direct':
      return 'granted directly';
  }
}
