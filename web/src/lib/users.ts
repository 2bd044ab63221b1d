/** The users list's filters as the page holds them; blank means "any". */
export interface UserFilters {
  readonly q: string;
  readonly status: '' | 'INVITED' | 'ACTIVE' | 'DEACTIVATED';
  readonly role: string;
  readonly group: string;
  readonly department: string;
}

export const NO_FILTERS: UserFilters = { q: '', status: '', role: '', group: '', department: '' };

/**
 * The query `GET /v1/admin/users` takes: blank criteria left out, since the route refuses an empty
 * one (422) rather than reading it as "any".
 */
export interface UserQuery {
  q?: string;
  status?: Exclude<UserFilters['status'], ''>;
  role?: string;
  group?: string;
  department?: string;
}

export function userQuery(filters: UserFilters): UserQuery {
  const query: UserQuery = {};
  for (const key of ['q', 'role', 'group', 'department'] as const) {
    const value = filters[key].trim();
    if (value) query[key] = value;
  }
  if (filters.status) query.status = filters.status;
  return query;
}

/** The `If-Match` of a change to a user read at that version (the ETag the API sends). */
export function ifMatch(version: number): string {
  return `"${version}"`;
}

/** Roles typed as a list (commas or spaces), without blanks or repeats, in the order given. */
export function parseRoles(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
