import { NotFoundError } from '../../shared/errors';
import type { User } from '../domain/user';
import { toUserResource } from '../domain/user';
import {
  decodeUserCursor,
  encodeUserCursor,
  isUnfiltered,
  matchesUserFilter,
  positionOf,
  type UserFilter,
  type UserPosition,
} from '../domain/user-listing';

export interface UserPages {
  /** Up to `limit` users after `after` in email order; `more` when the listing may go on. */
  pageOfUsers(
    tenantId: string,
    after: UserPosition | undefined,
    limit: number,
  ): Promise<{ users: User[]; more: boolean }>;
  getUser(tenantId: string, userId: string): Promise<User | undefined>;
}

export const MAX_USERS_PAGE = 100;
/**
 * How many users one request reads at most while looking for matches: a rare filter over a large
 * tenant answers a short (even empty) page with a nextToken instead of reading the whole tenant.
 */
export const MAX_USERS_EXAMINED = 1000;

/**
 * `GET /v1/admin/users`: a page of the tenant's users in email order. Filters apply while paging,
 * so a page may hold fewer than `limit`; the token is the last user read, so following it walks
 * every match once.
 */
export async function listUsers(
  deps: { directory: Pick<UserPages, 'pageOfUsers'> },
  tenantId: string,
  query: { limit: number; nextToken?: string; filter: UserFilter },
) {
  let after = query.nextToken !== undefined ? decodeUserCursor(query.nextToken) : undefined;
  // Unfiltered, the next `limit` users are the page; filtered, read in larger steps.
  const readSize = isUnfiltered(query.filter) ? query.limit : MAX_USERS_PAGE;
  const items: User[] = [];
  let examined = 0;
  for (;;) {
    const page = await deps.directory.pageOfUsers(tenantId, after, readSize);
    for (const [index, user] of page.users.entries()) {
      examined += 1;
      after = positionOf(user);
      if (!matchesUserFilter(user, query.filter)) continue;
      items.push(user);
      if (items.length === query.limit) {
        const endOfListing = !page.more && index === page.users.length - 1;
        return listing(items, endOfListing ? undefined : after);
      }
    }
    if (!page.more) return listing(items, undefined);
    if (examined >= MAX_USERS_EXAMINED) return listing(items, after);
  }
}

function listing(users: readonly User[], next: UserPosition | undefined) {
  return {
    items: users.map(toUserResource),
    ...(next ? { nextToken: encodeUserCursor(next) } : {}),
  };
}

/** `GET /v1/admin/users/{userId}`: one user of the caller's tenant; another tenant's is not found. */
export async function getTenantUser(
  deps: { directory: Pick<UserPages, 'getUser'> },
  tenantId: string,
  userId: string,
): Promise<User> {
  const user = await deps.directory.getUser(tenantId, userId);
  if (!user) throw new NotFoundError('USER_NOT_FOUND', 'No such user in this tenant.');
  return user;
}
