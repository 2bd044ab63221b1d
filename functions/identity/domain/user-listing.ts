import { z } from 'zod';
import { pageToken } from '../../shared/http/page-token';
import type { UserStatus } from './rbac';
import type { User } from './user';

/** What `GET /v1/admin/users` narrows the listing by; every given criterion must hold. */
export interface UserFilter {
  readonly status?: UserStatus;
  /** A role bound directly to the user; roles held through a group do not count. */
  readonly role?: string;
  readonly group?: string;
  /** The whole department name, ignoring case. */
  readonly department?: string;
  /** A prefix, ignoring case, of the email, the given, family or display name, or "given family". */
  readonly q?: string;
}

export function isUnfiltered(filter: UserFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

export function matchesUserFilter(user: User, filter: UserFilter): boolean {
  if (filter.status !== undefined && user.status !== filter.status) return false;
  if (filter.role !== undefined && !user.roles.includes(filter.role)) return false;
  if (filter.group !== undefined && !user.groups.includes(filter.group)) return false;
  if (filter.department !== undefined && fold(user.department ?? '') !== fold(filter.department))
    return false;
  if (filter.q !== undefined) {
    const prefix = fold(filter.q);
    const fullName = user.givenName && user.familyName ? `${user.givenName} ${user.familyName}` : undefined;
    const texts = [user.email, user.givenName, user.familyName, user.displayName, fullName];
    if (!texts.some((text) => text !== undefined && fold(text).startsWith(prefix))) return false;
  }
  return true;
}

function fold(text: string): string {
  return text.trim().normalize('NFC').toLowerCase();
}

/** Where a page of the listing ended: the listing is in email order, the user id breaks no tie but keys the item. */
export interface UserPosition {
  readonly email: string;
  readonly userId: string;
}

export function positionOf(user: User): UserPosition {
  return { email: user.email, userId: user.userId };
}

const positionSchema = z.strictObject({
  email: z.string().min(1).max(320),
  userId: z.string().min(1).max(128),
});

const userCursor = pageToken(positionSchema);

export function encodeUserCursor(position: UserPosition): string {
  return userCursor.encode(position);
}

export function decodeUserCursor(token: string): UserPosition {
  return userCursor.decode(token);
}
