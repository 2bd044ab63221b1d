import { ulid } from 'ulid';

/** Prefixed, time-sortable ids: the prefix tells a reader what an id names (`u_` user, `asg_` batch assignment). */
export function newId(prefix: 'u' | 'asg'): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}

/** Whether a string is a user id as `newId('u')` mints them (anything else names a user by email). */
export function isUserId(value: string): boolean {
  return /^u_[0-9a-z]{26}$/.test(value);
}
