import { describe, expect, it } from 'vitest';
import type { User } from '../../../functions/identity/domain/user';
import {
  matchesUserFilter,
  type UserFilter,
  type UserPosition,
} from '../../../functions/identity/domain/user-listing';
import {
  getTenantUser,
  listUsers,
  MAX_USERS_EXAMINED,
  type UserPages,
} from '../../../functions/identity/use-cases/admin-users';

function user(index: number): User {
  const id = String(index).padStart(5, '0');
  return {
    tenantId: 'acme',
    userId: `u_${id}`,
    email: `user${id}@acme.test`,
    givenName: index % 7 === 0 ? 'Zoe' : 'Max',
    department: index % 3 === 0 ? 'Finance' : 'Sales',
    status: index % 5 === 0 ? 'DEACTIVATED' : 'ACTIVE',
    roles: index % 2 === 0 ? ['operator'] : ['member'],
    groups: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: index,
  };
}

/** The directory as DynamoDB pages it: email order, `more` whenever a page came back full. */
function directoryOf(users: readonly User[]) {
  const sorted = [...users].sort((a, b) => a.email.localeCompare(b.email));
  const reads: number[] = [];
  const directory: UserPages = {
    async pageOfUsers(tenantId: string, after: UserPosition | undefined, limit: number) {
      const start = after ? sorted.findIndex((candidate) => candidate.email > after.email) : 0;
      const rest =
        start < 0 ? [] : sorted.slice(start).filter((candidate) => candidate.tenantId === tenantId);
      const page = rest.slice(0, limit);
      reads.push(page.length);
      return { users: page, more: page.length === limit };
    },
    async getUser(tenantId: string, userId: string) {
      return sorted.find((candidate) => candidate.tenantId === tenantId && candidate.userId === userId);
    },
  };
  return { directory, reads };
}

async function walk(directory: UserPages, limit: number, filter: UserFilter) {
  const seen: string[] = [];
  const pageSizes: number[] = [];
  let nextToken: string | undefined;
  do {
    const page = await listUsers({ directory }, 'acme', {
      limit,
      filter,
      ...(nextToken ? { nextToken } : {}),
    });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    pageSizes.push(page.items.length);
    seen.push(...page.items.map((item) => item.userId));
    nextToken = page.nextToken;
  } while (nextToken);
  return { seen, pageSizes };
}

const USERS = Array.from({ length: 2500 }, (_, index) => user(index));

describe('listUsers', () => {
  it.each<[number, UserFilter]>([
    [50, {}],
    [7, {}],
    [100, { status: 'DEACTIVATED' }],
    [13, { role: 'operator', department: 'finance' }],
    [50, { q: 'zo' }],
    [1, { q: 'user0001' }],
  ])('walks every match once, in email order (limit %i, filter %j)', async (limit, filter) => {
    const { directory } = directoryOf(USERS);
    const { seen } = await walk(directory, limit, filter);
    const expected = USERS.filter((candidate) => matchesUserFilter(candidate, filter)).map((u) => u.userId);
    expect(expected.length).toBeGreaterThan(0);
    expect(seen).toEqual(expected);
  });

  it('fills unfiltered pages to the limit and reads no more than it returns', async () => {
    const { directory, reads } = directoryOf(USERS.slice(0, 120));
    const { pageSizes } = await walk(directory, 50, {});
    expect(pageSizes).toEqual([50, 50, 20]);
    expect(reads).toEqual([50, 50, 20]);
  });

  it('ends without a token when the page fills on the last user of the listing', async () => {
    const { directory } = directoryOf(USERS.slice(0, 9));
    const page = await listUsers({ directory }, 'acme', { limit: 5, filter: { role: 'operator' } });
    expect(page.items.map((item) => item.userId)).toEqual([
      'u_00000',
      'u_00002',
      'u_00004',
      'u_00006',
      'u_00008',
    ]);
    expect(page.nextToken).toBeUndefined();
  });

  it('stops a rare filter after reading its share and hands back a token to go on', async () => {
    const { directory, reads } = directoryOf(USERS);
    const first = await listUsers({ directory }, 'acme', { limit: 10, filter: { q: 'nobody' } });
    expect(first.items).toEqual([]);
    expect(first.nextToken).toBeDefined();
    expect(reads.reduce((sum, size) => sum + size, 0)).toBe(MAX_USERS_EXAMINED);
    const { seen, pageSizes } = await walk(directory, 10, { q: 'nobody' });
    expect(seen).toEqual([]);
    expect(pageSizes).toHaveLength(Math.ceil(USERS.length / MAX_USERS_EXAMINED));
  });

  it('shows users without their tenant', async () => {
    const { directory } = directoryOf(USERS.slice(0, 1));
    const page = await listUsers({ directory }, 'acme', { limit: 5, filter: {} });
    expect(page.items[0]).not.toHaveProperty('tenantId');
    expect(page.items[0]).toMatchObject({ userId: 'u_00000', email: 'user00000@acme.test', version: 0 });
  });

  it('refuses a tampered token before reading anything', async () => {
    const { directory, reads } = directoryOf(USERS);
    await expect(
      listUsers({ directory }, 'acme', { limit: 5, filter: {}, nextToken: 'tampered' }),
    ).rejects.toMatchObject({ code: 'INVALID_NEXT_TOKEN' });
    expect(reads).toEqual([]);
  });
});

describe('getTenantUser', () => {
  it("finds the tenant's user and reports any other as USER_NOT_FOUND", async () => {
    const { directory } = directoryOf([user(1), { ...user(2), tenantId: 'other' }]);
    await expect(getTenantUser({ directory }, 'acme', 'u_00001')).resolves.toMatchObject({
      userId: 'u_00001',
    });
    await expect(getTenantUser({ directory }, 'acme', 'u_00002')).rejects.toMatchObject({
      code: 'USER_NOT_FOUND',
    });
  });
});
