import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { newId } from '../../../functions/identity/domain/ids';
import type { User } from '../../../functions/identity/domain/user';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { FIXTURE_TIME, fixtureUser } from './user-fixtures';

const USERS = '/v1/admin/users';
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

const userViewSchema = z.strictObject({
  userId: z.string(),
  email: z.string(),
  givenName: z.string().optional(),
  familyName: z.string().optional(),
  displayName: z.string().optional(),
  employeeId: z.string().optional(),
  department: z.string().optional(),
  jobFamily: z.string().optional(),
  phone: z.string().optional(),
  managerEmail: z.string().optional(),
  locale: z.string().optional(),
  status: z.enum(['INVITED', 'ACTIVE', 'DEACTIVATED']),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
const pageSchema = z.strictObject({ items: z.array(userViewSchema), nextToken: z.string().optional() });

async function createAll(users: readonly User[]): Promise<void> {
  for (let start = 0; start < users.length; start += 50) {
    await Promise.all(users.slice(start, start + 50).map((user) => directory.createUser(user)));
  }
}

/** Follows nextToken to the end, returning every user seen and each page's size. */
async function walk(token: string, query: Record<string, string>) {
  const seen: z.infer<typeof userViewSchema>[] = [];
  const pageSizes: number[] = [];
  let nextToken: string | undefined;
  do {
    const params = new URLSearchParams({ ...query, ...(nextToken ? { nextToken } : {}) });
    const response = await call('GET', `${USERS}?${params}`, { token });
    expect(response.status, response.text).toBe(200);
    const page = pageSchema.parse(response.body);
    seen.push(...page.items);
    pageSizes.push(page.items.length);
    nextToken = page.nextToken;
  } while (nextToken);
  return { seen, pageSizes };
}

describe('GET /v1/admin/users over 1,000 users', () => {
  const tenantId = uniqueTenant('users1k');
  const fixtures = Array.from({ length: 1000 }, (_, index) =>
    fixtureUser(tenantId, `user${String(index).padStart(4, '0')}@acme.test`, {
      department: index % 4 === 0 ? 'Finance' : 'Sales',
    }),
  );
  let reader: { token: string; userId: string };

  beforeAll(async () => {
    reader = await principal(tenantId, 'reader@acme.test', ['operator']);
    await createAll(fixtures);
  }, 120_000);

  it('walks every user once, in email order, a full page at a time', async () => {
    const { seen, pageSizes } = await walk(reader.token, { limit: '100' });
    const ids = seen.map((user) => user.userId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...fixtures.map((user) => user.userId), reader.userId].sort());
    const emails = seen.map((user) => user.email);
    expect(emails).toEqual([...emails].sort());
    expect(pageSizes.slice(0, 10)).toEqual(Array(10).fill(100));
  });

  it('serves 50 by default', async () => {
    const response = await call('GET', USERS, { token: reader.token });
    expect(pageSchema.parse(response.body).items).toHaveLength(50);
  });

  it('walks a filter across pages without gaps or repeats', async () => {
    const { seen } = await walk(reader.token, { department: 'finance', limit: '7' });
    const finance = fixtures.filter((user) => user.department === 'Finance').map((user) => user.email);
    expect(finance).toHaveLength(250);
    expect(seen.map((user) => user.email)).toEqual(finance);
  });
});

describe('GET /v1/admin/users filters and refusals', () => {
  const tenantId = uniqueTenant('users');
  const ann = fixtureUser(tenantId, 'ann.lee@acme.test', {
    givenName: 'Ann',
    familyName: 'Lee',
    department: 'Finance',
    roles: ['operator'],
    groups: ['payroll'],
  });
  const bob = fixtureUser(tenantId, 'bob@acme.test', { displayName: 'Bobby Annan', department: 'Sales' });
  const cid = fixtureUser(tenantId, 'cid@acme.test', { status: 'INVITED', department: 'finance' });
  const dee = fixtureUser(tenantId, 'dee@acme.test', { status: 'DEACTIVATED', roles: ['operator'] });
  let reader: { token: string; userId: string };

  beforeAll(async () => {
    reader = await principal(tenantId, 'reader@acme.test', ['security_approver']);
    await directory.putGroup(tenantId, { name: 'payroll', roles: [] }, FIXTURE_TIME);
    await createAll([ann, bob, cid, dee]);
  });

  async function emailsFor(query: Record<string, string>): Promise<string[]> {
    return (await walk(reader.token, query)).seen.map((user) => user.email);
  }

  it.each<[string, Record<string, string>, string[]]>([
    ['status', { status: 'INVITED' }, ['cid@acme.test']],
    ['role', { role: 'operator' }, ['ann.lee@acme.test', 'dee@acme.test']],
    ['group', { group: 'payroll' }, ['ann.lee@acme.test']],
    ['department, ignoring case', { department: 'FINANCE' }, ['ann.lee@acme.test', 'cid@acme.test']],
    ['q on email', { q: 'CID@' }, ['cid@acme.test']],
    ['q on a family name', { q: 'LEE' }, ['ann.lee@acme.test']],
    ['q on a display name', { q: 'bobby a' }, ['bob@acme.test']],
    ['q as a prefix only, not a later word', { q: 'annan' }, []],
    ['q on the full name', { q: 'ann l' }, ['ann.lee@acme.test']],
    ['several at once', { role: 'operator', status: 'ACTIVE' }, ['ann.lee@acme.test']],
    ['nothing matching', { q: 'zed' }, []],
  ])('filters by %s', async (_label, query, expected) => {
    expect(await emailsFor(query)).toEqual(expected);
  });

  it.each([
    ['limit 0', 'limit=0'],
    ['limit 101', 'limit=101'],
    ['a limit that is no number', 'limit=ten'],
    ['an unknown status', 'status=GONE'],
    ['an empty q', 'q='],
  ])('refuses %s with 422', async (_label, query) => {
    const response = await call('GET', `${USERS}?${query}`, { token: reader.token });
    expect(response.status, response.text).toBe(422);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('refuses a tampered nextToken with 400', async () => {
    const first = pageSchema.parse((await call('GET', `${USERS}?limit=2`, { token: reader.token })).body);
    expect(first.nextToken).toBeDefined();
    for (const nextToken of [`${first.nextToken}x`, 'garbage', `x${first.nextToken?.slice(1)}`, '']) {
      const response = await call('GET', `${USERS}?${new URLSearchParams({ nextToken })}`, {
        token: reader.token,
      });
      expect(response.status, response.text).toBe(400);
      expect(errorCode(response)).toBe('INVALID_NEXT_TOKEN');
    }
  });

  it('refuses a caller without users.read with 403', async () => {
    const member = await principal(tenantId, 'member@acme.test', ['member']);
    const list = await call('GET', USERS, { token: member.token });
    expect(list.status).toBe(403);
    expect(errorCode(list)).toBe('PERMISSION_DENIED');
    const one = await call('GET', `${USERS}/${ann.userId}`, { token: member.token });
    expect(one.status).toBe(403);
  });

  it("never lists another tenant's users", async () => {
    const other = await principal(uniqueTenant('users'), 'reader@acme.test', ['operator']);
    const { seen } = await walk(other.token, {});
    expect(seen.map((user) => user.userId)).toEqual([other.userId]);
  });
});

describe('GET /v1/admin/users/{userId}', () => {
  const tenantId = uniqueTenant('user');
  const ann = fixtureUser(tenantId, 'ann@acme.test', {
    givenName: 'Ann',
    phone: '+44 20 7946 0000',
    version: 3,
  });

  beforeAll(async () => {
    await createAll([ann]);
  });

  it('answers the user view with its version as ETag', async () => {
    const { token } = await principal(tenantId, 'reader@acme.test', ['operator']);
    const response = await call('GET', `${USERS}/${ann.userId}`, { token });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('etag')).toBe('"3"');
    const { tenantId: _tenant, ...view } = ann;
    expect(userViewSchema.parse(response.body)).toEqual(view);
  });

  it("answers 404 USER_NOT_FOUND for an unknown user and for another tenant's", async () => {
    const stranger = await principal(uniqueTenant('user'), 'reader@acme.test', ['tenant_admin']);
    for (const [token, userId] of [
      [stranger.token, ann.userId],
      [stranger.token, newId('u')],
    ] as const) {
      const response = await call('GET', `${USERS}/${userId}`, { token });
      expect(response.status, response.text).toBe(404);
      expect(errorCode(response)).toBe('USER_NOT_FOUND');
    }
  });
});
