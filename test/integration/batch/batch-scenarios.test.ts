import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { userResourceSchema } from '../../../functions/identity/domain/user';
import {
  apiUrl,
  call,
  documentClient,
  errorCode,
  type Principal,
  principal,
  TABLE_NAME,
  uniqueTenant,
} from '../support/api';
import { answer, answersOf, BATCH, codeOf, createUser, sendBatch, USERS, userOf } from './batch-support';

/** Seed 002, the bulk user acceptance matrix, through `POST /api/v1/$batch` on the local stack. */
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

async function createDirectly(admin: Principal, email: string, extra: Record<string, unknown> = {}) {
  const response = await call('POST', USERS, { token: admin.token, body: { email, ...extra } });
  if (response.status !== 201) throw new Error(`create ${email}: ${response.status} ${response.text}`);
  return userResourceSchema.parse(response.body);
}

async function readUser(admin: Principal, userId: string) {
  const response = await call('GET', `${USERS}/${userId}`, { token: admin.token });
  return {
    status: response.status,
    user: response.status === 200 ? userResourceSchema.parse(response.body) : undefined,
  };
}

/** The tenant's users (each test tenant holds fewer than a page of 100). */
async function usersOfTenant(admin: Principal) {
  const response = await call('GET', `${USERS}?limit=100`, { token: admin.token });
  const page = z
    .object({ items: z.array(userResourceSchema), nextToken: z.never().optional() })
    .parse(response.body);
  return page.items;
}

describe('$batch, functional scenarios', () => {
  const tenantId = uniqueTenant('batch');
  let admin: Principal;

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('scenario 1: creates 3 valid users, each 201, active and readable', async () => {
    const answers = answersOf(
      await sendBatch(admin, [
        createUser('a', 'one@acme.test', { givenName: 'One' }),
        createUser('b', 'two@acme.test'),
        createUser('c', 'three@acme.test', { roles: ['operator'] }),
      ]),
    );
    for (const id of ['a', 'b', 'c']) {
      const created = answer(answers, id);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      expect(created.headers?.etag).toBe('"1"');
      const { user } = await readUser(admin, userOf(created).userId);
      expect(user).toMatchObject({ status: 'ACTIVE', email: userOf(created).email });
    }
    expect(userOf(answer(answers, 'c')).roles).toEqual(['operator']);
  });

  it('scenario 2: updates 3 existing users, each 200, the fields persisted', async () => {
    const users = await Promise.all(
      ['u1', 'u2', 'u3'].map((name) => createDirectly(admin, `${name}@update.acme.test`)),
    );
    const answers = answersOf(
      await sendBatch(
        admin,
        users.map((user, index) => ({
          id: `update-${index}`,
          method: 'PATCH',
          url: `${USERS}/${user.userId}`,
          headers: { 'If-Match': `"${user.version}"` },
          body: { department: `Dept ${index}` },
        })),
      ),
    );
    for (const [index, user] of users.entries()) {
      const updated = answer(answers, `update-${index}`);
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
      expect((await readUser(admin, user.userId)).user).toMatchObject({
        department: `Dept ${index}`,
        version: user.version + 1,
      });
    }
  });

  it('scenario 3: deactivates 2 users, each 200; they are inactive and denied at once', async () => {
    const first = await principal(tenantId, 'leaver1@acme.test', ['operator']);
    const second = await principal(tenantId, 'leaver2@acme.test', ['operator']);
    expect((await call('GET', USERS, { token: first.token })).status).toBe(200);

    const answers = answersOf(
      await sendBatch(admin, [
        { id: 'd1', method: 'POST', url: `${USERS}/${first.userId}/deactivate` },
        { id: 'd2', method: 'POST', url: `${USERS}/${second.userId}/deactivate` },
      ]),
    );
    for (const [id, leaver] of [
      ['d1', first],
      ['d2', second],
    ] as const) {
      expect(answer(answers, id).status).toBe(200);
      expect(userOf(answer(answers, id)).status).toBe('DEACTIVATED');
      const denied = await call('GET', USERS, { token: leaver.token });
      expect(denied.status).toBe(403);
      expect(errorCode(denied)).toBe('ACCOUNT_DEACTIVATED');
    }
  });

  it('scenario 4: mixed create, update and deactivate answer each their own status, with no bleed', async () => {
    const toUpdate = await createDirectly(admin, 'mixed.update@acme.test');
    const toDeactivate = await createDirectly(admin, 'mixed.leaver@acme.test');
    const stale = await createDirectly(admin, 'mixed.stale@acme.test');
    const answers = answersOf(
      await sendBatch(admin, [
        createUser('create', 'mixed.new@acme.test'),
        {
          id: 'update',
          method: 'PATCH',
          url: `${USERS}/${toUpdate.userId}`,
          headers: { 'If-Match': '"1"' },
          body: { familyName: 'Engineer' },
        },
        { id: 'deactivate', method: 'POST', url: `${USERS}/${toDeactivate.userId}/deactivate` },
        // An ETag conflict: the user is at version 1, the request claims 7.
        {
          id: 'stale',
          method: 'PATCH',
          url: `${USERS}/${stale.userId}`,
          headers: { 'If-Match': '"7"' },
          body: { familyName: 'Nope' },
        },
      ]),
    );
    expect(answer(answers, 'create').status).toBe(201);
    expect(answer(answers, 'update').status).toBe(200);
    expect(answer(answers, 'deactivate').status).toBe(200);
    expect(answer(answers, 'stale').status).toBe(412);
    expect((await readUser(admin, toUpdate.userId)).user).toMatchObject({ version: 2 });
    expect((await readUser(admin, toDeactivate.userId)).user?.status).toBe('DEACTIVATED');
    expect((await readUser(admin, stale.userId)).user).toMatchObject({ version: 1 });
    expect((await readUser(admin, stale.userId)).user).not.toHaveProperty('familyName');
  });

  it('scenario 5: a duplicate email create is 409 while a valid update succeeds', async () => {
    const existing = await createDirectly(admin, 'taken@acme.test');
    const answers = answersOf(
      await sendBatch(admin, [
        createUser('dup', 'Taken@acme.test'),
        {
          id: 'update',
          method: 'PATCH',
          url: `${USERS}/${existing.userId}`,
          headers: { 'If-Match': '"1"' },
          body: { givenName: 'Tay' },
        },
      ]),
    );
    expect(answer(answers, 'dup').status).toBe(409);
    expect(codeOf(answer(answers, 'dup'))).toBe('EMAIL_TAKEN');
    expect(answer(answers, 'update').status).toBe(200);
    expect(userOf(answer(answers, 'update')).givenName).toBe('Tay');
  });

  it('scenario 6: one invalid payload in the middle is 422 with field errors; its siblings run', async () => {
    const answers = answersOf(
      await sendBatch(admin, [
        createUser('first', 'first.valid@acme.test'),
        createUser('invalid', 'not-an-email'),
        createUser('last', 'last.valid@acme.test'),
      ]),
    );
    expect(answer(answers, 'first').status).toBe(201);
    expect(answer(answers, 'invalid').status).toBe(422);
    expect(JSON.stringify(answer(answers, 'invalid').body)).toContain('email');
    expect(answer(answers, 'last').status).toBe(201);
  });

  it('scenario 7: an item granting beyond the caller is 403; the authorized siblings run', async () => {
    const target = await createDirectly(admin, 'escalation.target@acme.test');
    const answers = answersOf(
      await sendBatch(admin, [
        createUser('allowed', 'allowed@acme.test'),
        {
          id: 'escalate',
          method: 'PUT',
          url: `${USERS}/${target.userId}/roles`,
          headers: { 'If-Match': '"1"' },
          body: { roles: ['superuser'] },
        },
        { id: 'read', method: 'GET', url: `${USERS}/${target.userId}` },
      ]),
    );
    expect(answer(answers, 'allowed').status).toBe(201);
    expect(answer(answers, 'escalate').status).toBe(403);
    expect(codeOf(answer(answers, 'escalate'))).toBe('BEYOND_OWN_PERMISSIONS');
    expect(answer(answers, 'read').status).toBe(200);
    expect((await readUser(admin, target.userId)).user?.roles).toEqual([]);
  });

  it('scenario 8: an unknown user update or deactivation is 404; siblings unaffected', async () => {
    const answers = answersOf(
      await sendBatch(admin, [
        {
          id: 'update-ghost',
          method: 'PATCH',
          url: `${USERS}/u_ghost`,
          headers: { 'If-Match': '"1"' },
          body: { givenName: 'Ghost' },
        },
        { id: 'deactivate-ghost', method: 'POST', url: `${USERS}/u_ghost/deactivate` },
        createUser('real', 'real@acme.test'),
      ]),
    );
    expect(answer(answers, 'update-ghost').status).toBe(404);
    expect(answer(answers, 'deactivate-ghost').status).toBe(404);
    expect(answer(answers, 'real').status).toBe(201);
  });

  it('scenario 9: the dependents of a failed request answer 424 without running, transitively', async () => {
    const before = (await usersOfTenant(admin)).length;
    const response = await sendBatch(admin, [
      createUser('parent', 'not-an-email'),
      { ...createUser('child', 'child@acme.test'), dependsOn: ['parent'] },
      { ...createUser('grandchild', 'grandchild@acme.test'), dependsOn: ['child'] },
      createUser('sibling', 'sibling@acme.test'),
    ]);
    const answers = answersOf(response);
    expect(answer(answers, 'parent').status).toBe(422);
    for (const id of ['child', 'grandchild']) {
      expect(answer(answers, id).status).toBe(424);
      expect(codeOf(answer(answers, id))).toBe('DEPENDENCY_FAILED');
    }
    // Run or not, every answer carries its own correlation id, as its error body names it.
    const envelopeId = response.headers.get('x-correlation-id');
    for (const [id, found] of answers) {
      expect(found.headers?.['x-correlation-id'], id).toBe(`${envelopeId}:${id}`);
    }
    const childBody = z.object({ correlationId: z.string() }).parse(answer(answers, 'child').body);
    expect(childBody.correlationId).toBe(`${envelopeId}:child`);
    expect(JSON.stringify(answer(answers, 'grandchild').body)).toMatch(/because request .+parent.+ failed/);
    expect(answer(answers, 'sibling').status).toBe(201);
    expect((await usersOfTenant(admin)).length).toBe(before + 1);
  });

  it('runs a dependent after the request it depends on succeeded', async () => {
    const target = await createDirectly(admin, 'chain@acme.test');
    const answers = answersOf(
      await sendBatch(admin, [
        {
          id: 'reactivate',
          method: 'POST',
          url: `${USERS}/${target.userId}/reactivate`,
          dependsOn: ['deactivate'],
        },
        { id: 'deactivate', method: 'POST', url: `${USERS}/${target.userId}/deactivate` },
      ]),
    );
    expect(userOf(answer(answers, 'deactivate')).status).toBe('DEACTIVATED');
    expect(userOf(answer(answers, 'reactivate')).status).toBe('ACTIVE');
  });

  it("passes a request's query to its route, as a direct call would", async () => {
    const answers = answersOf(
      await sendBatch(admin, [
        { id: 'page', method: 'GET', url: `${USERS}?limit=2` },
        { id: 'bad-limit', method: 'GET', url: `${USERS}?limit=0` },
        { id: 'audit', method: 'GET', url: `/v1/admin/audit?targetId=user:${admin.userId}` },
      ]),
    );
    const page = z
      .object({ items: z.array(userResourceSchema), nextToken: z.string() })
      .parse(answer(answers, 'page').body);
    expect(page.items).toHaveLength(2);
    expect(answer(answers, 'bad-limit').status).toBe(422);
    expect(answer(answers, 'audit').status).toBe(200);
  });

  it("a request's own headers reach its route, but never its identity or correlation id", async () => {
    const answers = answersOf(
      await sendBatch(
        admin,
        [
          { ...createUser('as-text', 'text.body@acme.test'), headers: { 'Content-Type': 'text/plain' } },
          {
            ...createUser('own-correlation', 'own.corr@acme.test'),
            headers: { 'X-Correlation-Id': 'spoofed' },
          },
        ],
        { 'x-correlation-id': 'envelope-corr' },
      ),
    );
    expect(answer(answers, 'as-text').status).toBe(415);
    expect(answer(answers, 'own-correlation').status).toBe(201);
    expect(answer(answers, 'own-correlation').headers?.['x-correlation-id']).toBe(
      'envelope-corr:own-correlation',
    );
  });

  it('scenario 10: more than 20 requests is 413 for the whole envelope, and nothing runs', async () => {
    const before = (await usersOfTenant(admin)).length;
    const response = await sendBatch(
      admin,
      Array.from({ length: 21 }, (_, index) => createUser(`r${index}`, `bulk${index}@acme.test`)),
    );
    expect(response.status).toBe(413);
    expect(errorCode(response)).toBe('TOO_MANY_REQUESTS');
    expect((await usersOfTenant(admin)).length).toBe(before);
  });

  it('a dependency cycle is 400 naming the cycle, and nothing runs', async () => {
    const before = (await usersOfTenant(admin)).length;
    const response = await sendBatch(admin, [
      { ...createUser('a', 'cycle.a@acme.test'), dependsOn: ['b'] },
      { ...createUser('b', 'cycle.b@acme.test'), dependsOn: ['a'] },
    ]);
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('INVALID_BATCH');
    expect(response.text).toContain('DEPENDENCY_CYCLE');
    expect((await usersOfTenant(admin)).length).toBe(before);
  });

  it('a request no batch may reach is 400 for the whole envelope, and nothing runs', async () => {
    const before = (await usersOfTenant(admin)).length;
    const response = await sendBatch(admin, [
      createUser('ok', 'unroutable.sibling@acme.test'),
      { id: 'import', method: 'POST', url: '/internal/iam/users/bulk-import/commit', body: {} },
    ]);
    expect(response.status).toBe(400);
    expect(response.text).toContain('UNSUPPORTED_ROUTE');
    expect((await usersOfTenant(admin)).length).toBe(before);
  });
});

describe('$batch, security and policy scenarios', () => {
  const tenantId = uniqueTenant('batchsec');
  let admin: Principal;
  let target: { userId: string };

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    target = await createDirectly(admin, 'target@acme.test');
  });

  const mutations = () => [
    createUser('create', 'intruder.made@acme.test'),
    {
      id: 'update',
      method: 'PATCH',
      url: `${USERS}/${target.userId}`,
      headers: { 'If-Match': '"1"' },
      body: { givenName: 'Hacked' },
    },
    { id: 'deactivate', method: 'POST', url: `${USERS}/${target.userId}/deactivate` },
  ];

  for (const [scenario, role] of [
    ['scenario 11: a non-admin caller', 'member'],
    ['scenario 12: a workspace owner', 'workspace_owner'],
  ] as const) {
    it(`${scenario} is denied 403 on every user mutation, and nothing changes`, async () => {
      const caller = await principal(tenantId, `${role}@acme.test`, [role]);
      const answers = answersOf(await sendBatch(caller, mutations()));
      for (const id of ['create', 'update', 'deactivate']) {
        expect(answer(answers, id).status, id).toBe(403);
        expect(codeOf(answer(answers, id))).toBe('PERMISSION_DENIED');
      }
      expect((await readUser(admin, target.userId)).user).toMatchObject({ status: 'ACTIVE', version: 1 });
      expect((await usersOfTenant(admin)).map((user) => user.email)).not.toContain('intruder.made@acme.test');
    });
  }

  it('scenario 13: a browser session without the CSRF token is refused like a direct mutation; with it, runs', async () => {
    const sessionResponse = await fetch(`${apiUrl}/_local/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, email: 'browser.admin@acme.test', roles: ['tenant_admin'] }),
    });
    expect(sessionResponse.status).toBe(200);
    const { csrfToken } = z.object({ csrfToken: z.string() }).parse(await sessionResponse.json());
    const cookie = sessionResponse.headers
      .getSetCookie()
      .map((value) => value.split(';')[0])
      .join('; ');

    const direct = await call('POST', USERS, {
      headers: { cookie },
      body: { email: 'csrf.direct@acme.test' },
    });
    const batched = await sendBatch({ headers: { cookie } }, [createUser('a', 'csrf.batch@acme.test')]);
    expect(batched.status).toBe(direct.status);
    expect(batched.status).toBe(403);
    expect(errorCode(batched)).toBe('CSRF_TOKEN_MISSING');
    const wrong = await sendBatch({ headers: { cookie, 'x-csrf-token': 'forged' } }, [
      createUser('a', 'csrf.batch@acme.test'),
    ]);
    expect(errorCode(wrong)).toBe('CSRF_TOKEN_MISMATCH');
    expect((await usersOfTenant(admin)).map((user) => user.email)).not.toContain('csrf.batch@acme.test');

    const allowed = answersOf(
      await sendBatch({ headers: { cookie, 'x-csrf-token': csrfToken } }, [
        createUser('a', 'csrf.batch@acme.test'),
      ]),
    );
    expect(answer(allowed, 'a').status).toBe(201);
  });

  it('a request of a batch may not bring its own credentials', async () => {
    const response = await sendBatch(admin, [
      { ...createUser('a', 'forged.creds@acme.test'), headers: { Authorization: 'Bearer other' } },
    ]);
    expect(response.status).toBe(400);
    expect(response.text).toContain('authorization');
  });

  it('scenario 14: a user deactivated through a batch keeps direct and group roles, yet is denied', async () => {
    const operator = await principal(tenantId, 'grouped.operator@acme.test', ['operator']);
    const now = new Date().toISOString();
    await directory.putGroup(tenantId, { name: 'auditors', roles: ['security_approver'] }, now);
    await directory.addGroupMember(tenantId, 'auditors', operator.userId, now);
    expect((await call('GET', USERS, { token: operator.token })).status).toBe(200);

    const answers = answersOf(
      await sendBatch(admin, [{ id: 'off', method: 'POST', url: `${USERS}/${operator.userId}/deactivate` }]),
    );
    expect(userOf(answer(answers, 'off'))).toMatchObject({
      status: 'DEACTIVATED',
      roles: ['operator'],
      groups: ['auditors'],
    });
    for (const path of [USERS, '/v1/admin/audit', '/v1/me']) {
      const denied = await call('GET', path, { token: operator.token });
      expect(denied.status, path).toBe(403);
    }
    // Through a batch of their own, too.
    const own = await sendBatch(operator, [{ id: 'list', method: 'GET', url: USERS }]);
    expect(own.status).toBe(403);
  });
});

describe('$batch, retries', () => {
  const tenantId = uniqueTenant('batchretry');
  let admin: Principal;

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('scenario 15: replaying an envelope under its key re-runs only the failed requests, never duplicating a success', async () => {
    const key = `retry-${tenantId}`;
    const target = await createDirectly(admin, 'retry.target@acme.test');
    const requests = (fixedEmail: string) => [
      createUser('create', 'retry.new@acme.test'),
      {
        id: 'update',
        method: 'PATCH',
        url: `${USERS}/${target.userId}`,
        headers: { 'If-Match': '"1"' },
        body: { givenName: 'Once' },
      },
      createUser('broken', fixedEmail),
    ];
    const first = answersOf(await sendBatch(admin, requests('broken-email'), { 'Idempotency-Key': key }));
    expect([...first.values()].map((found) => found.status)).toEqual([201, 200, 422]);
    const created = userOf(answer(first, 'create'));

    const retry = answersOf(await sendBatch(admin, requests('fixed@acme.test'), { 'Idempotency-Key': key }));
    expect(answer(retry, 'create')).toMatchObject({
      status: 201,
      headers: { 'idempotent-replayed': 'true' },
    });
    expect(userOf(answer(retry, 'create')).userId).toBe(created.userId);
    // Replayed, not run again: with If-Match "1" a second run would have been a 412.
    expect(answer(retry, 'update')).toMatchObject({
      status: 200,
      headers: { 'idempotent-replayed': 'true' },
    });
    expect(answer(retry, 'broken').status).toBe(201);
    expect(answer(retry, 'broken').headers).not.toHaveProperty('idempotent-replayed');

    const emails = (await usersOfTenant(admin)).map((user) => user.email);
    expect(emails.filter((email) => email === 'retry.new@acme.test')).toHaveLength(1);
    expect((await readUser(admin, target.userId)).user).toMatchObject({ givenName: 'Once', version: 2 });
  });

  it('a key reused for another request is 409 for that request, which does not run', async () => {
    const key = `reuse-${tenantId}`;
    answersOf(await sendBatch(admin, [createUser('a', 'reuse.first@acme.test')], { 'Idempotency-Key': key }));
    const reused = answersOf(
      await sendBatch(admin, [createUser('a', 'reuse.second@acme.test')], { 'Idempotency-Key': key }),
    );
    expect(answer(reused, 'a').status).toBe(409);
    expect(codeOf(answer(reused, 'a'))).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await usersOfTenant(admin)).map((user) => user.email)).not.toContain('reuse.second@acme.test');
  });

  it('a direct call with an Idempotency-Key is replayed the same way', async () => {
    const headers = { 'Idempotency-Key': `direct-${tenantId}` };
    const body = { email: 'direct.once@acme.test' };
    const first = await call('POST', USERS, { token: admin.token, body, headers });
    const again = await call('POST', USERS, { token: admin.token, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(userResourceSchema.parse(again.body).userId).toBe(userResourceSchema.parse(first.body).userId);
  });

  it('a key names the route and its parameters, not their spelling: a trailing slash or percent-encoding replays', async () => {
    const target = await createDirectly(admin, 'spelling@acme.test');
    const headers = { 'Idempotency-Key': `spelling-${tenantId}` };
    const first = await call('POST', `${USERS}/${target.userId}/deactivate`, { token: admin.token, headers });
    const again = await call('POST', `${USERS}/${encodeURIComponent(target.userId)}/deactivate/`, {
      token: admin.token,
      headers,
    });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('$batch envelope', () => {
  it('is refused 400 with a precise message when it is not an envelope', async () => {
    const admin = await principal(uniqueTenant('batchenv'), 'admin@acme.test', ['tenant_admin']);
    const response = await call('POST', BATCH, { token: admin.token, body: { requests: [{ id: 'a' }] } });
    expect(response.status).toBe(400);
    expect(errorCode(response)).toBe('INVALID_BATCH');
    expect(response.text).toContain('method is required');
  });
});
