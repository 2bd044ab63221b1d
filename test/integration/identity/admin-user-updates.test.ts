import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { newId } from '../../../functions/identity/domain/ids';
import type { User } from '../../../functions/identity/domain/user';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { fixtureUser } from './user-fixtures';

const USERS = '/v1/admin/users';
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

const localEventSchema = z.object({
  'detail-type': z.string(),
  detail: z.object({
    correlationId: z.string(),
    actor: z.unknown(),
    data: z.record(z.string(), z.unknown()),
  }),
});

async function eventFor(correlationId: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const events = z.array(localEventSchema).parse((await call('GET', '/_local/events')).body);
    const found = events.find((candidate) => candidate.detail.correlationId === correlationId);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no event with correlation id ${correlationId}`);
}

async function newUser(tenantId: string, email: string, overrides: Partial<User> = {}): Promise<User> {
  const user = fixtureUser(tenantId, email, overrides);
  await directory.createUser(user);
  return user;
}

function patch(token: string, userId: string, body: unknown, ifMatch?: string, correlationId?: string) {
  return call('PATCH', `${USERS}/${userId}`, {
    token,
    body,
    headers: {
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
  });
}

function putRoles(token: string, userId: string, roles: unknown, ifMatch?: string, correlationId?: string) {
  return call('PUT', `${USERS}/${userId}/roles`, {
    token,
    body: { roles },
    headers: {
      ...(ifMatch ? { 'if-match': ifMatch } : {}),
      ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
    },
  });
}

describe('PATCH /v1/admin/users/{userId}', () => {
  const tenantId = uniqueTenant('patch');
  let admin: { token: string; userId: string };

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('scenario 2: updates the fields sent, persists them, answers the new view and ETag, and names the fields in the event', async () => {
    const user = await newUser(tenantId, 'ann@acme.test', { givenName: 'Ann', department: 'Sales' });
    const correlationId = `patch-${crypto.randomUUID()}`;
    const response = await patch(
      admin.token,
      user.userId,
      { department: 'Finance', phone: '+44 20 7946 0000' },
      '"1"',
      correlationId,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body).toMatchObject({
      givenName: 'Ann',
      department: 'Finance',
      phone: '+442079460000',
      version: 2,
    });
    const stored = await directory.getUser(tenantId, user.userId);
    expect(stored).toMatchObject({
      givenName: 'Ann',
      department: 'Finance',
      phone: '+442079460000',
      version: 2,
    });

    const event = await eventFor(correlationId);
    expect(event['detail-type']).toBe('iam.user.profile_updated');
    expect(event.detail.actor).toMatchObject({ type: 'user', userId: admin.userId });
    expect(event.detail.data).toEqual({
      userId: user.userId,
      changedFields: ['department', 'phone'],
      version: 2,
    });
    expect(JSON.stringify(event)).not.toContain('Finance');
  });

  it('answers 412 VERSION_MISMATCH for a stale If-Match and changes nothing', async () => {
    const user = await newUser(tenantId, 'stale@acme.test', { department: 'Sales', version: 4 });
    const response = await patch(admin.token, user.userId, { department: 'Finance' }, '"3"');
    expect(response.status, response.text).toBe(412);
    expect(errorCode(response)).toBe('VERSION_MISMATCH');
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ department: 'Sales', version: 4 });
  });

  it('answers 428 IF_MATCH_REQUIRED without If-Match and 400 for a malformed one', async () => {
    const user = await newUser(tenantId, 'blind@acme.test');
    const missing = await patch(admin.token, user.userId, { department: 'Finance' });
    expect(missing.status, missing.text).toBe(428);
    expect(errorCode(missing)).toBe('IF_MATCH_REQUIRED');
    const malformed = await patch(admin.token, user.userId, { department: 'Finance' }, 'latest');
    expect(malformed.status, malformed.text).toBe(400);
    expect(errorCode(malformed)).toBe('INVALID_IF_MATCH');
  });

  it('scenario 6: answers 422 with a detail per invalid field', async () => {
    const user = await newUser(tenantId, 'invalid@acme.test');
    const response = await patch(
      admin.token,
      user.userId,
      { locale: 'not a locale', managerEmail: 'lee' },
      '"1"',
    );
    expect(response.status, response.text).toBe(422);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    const details = z
      .object({ error: z.object({ details: z.array(z.object({ path: z.string() })) }) })
      .parse(response.body);
    expect(details.error.details.map((detail) => detail.path).sort()).toEqual([
      'body.locale',
      'body.managerEmail',
    ]);
  });

  it("scenario 8: answers 404 USER_NOT_FOUND for an unknown user and another tenant's", async () => {
    const user = await newUser(tenantId, 'other@acme.test');
    const stranger = await principal(uniqueTenant('patch'), 'admin@acme.test', ['tenant_admin']);
    for (const [token, userId] of [
      [stranger.token, user.userId],
      [admin.token, newId('u')],
    ] as const) {
      const response = await patch(token, userId, { department: 'Finance' }, '"1"');
      expect(response.status, response.text).toBe(404);
      expect(errorCode(response)).toBe('USER_NOT_FOUND');
    }
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ version: 1 });
  });

  it('scenarios 11 and 12: a non-admin and a workspace owner get 403', async () => {
    const user = await newUser(tenantId, 'target@acme.test');
    for (const roles of [['member'], ['workspace_owner'], ['operator']]) {
      const caller = await principal(tenantId, `${roles[0]}@acme.test`, roles);
      const response = await patch(caller.token, user.userId, { department: 'Finance' }, '"1"');
      expect(response.status, response.text).toBe(403);
      expect(errorCode(response)).toBe('PERMISSION_DENIED');
    }
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ version: 1 });
  });
});

describe('PUT /v1/admin/users/{userId}/roles', () => {
  const tenantId = uniqueTenant('roles');
  let admin: { token: string; userId: string };

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('replaces the direct roles and publishes the lists before and after', async () => {
    const user = await newUser(tenantId, 'ann@acme.test', { roles: ['member'] });
    const correlationId = `roles-${crypto.randomUUID()}`;
    const response = await putRoles(
      admin.token,
      user.userId,
      ['operator', 'tenant_admin'],
      '"1"',
      correlationId,
    );
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get('etag')).toBe('"2"');
    expect(response.body).toMatchObject({ roles: ['operator', 'tenant_admin'], version: 2 });
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({
      roles: ['operator', 'tenant_admin'],
    });
    const event = await eventFor(correlationId);
    expect(event['detail-type']).toBe('iam.user.roles_changed');
    expect(event.detail.data).toEqual({
      userId: user.userId,
      before: ['member'],
      after: ['operator', 'tenant_admin'],
      version: 2,
    });
  });

  it('takes every role away with an empty list', async () => {
    const user = await newUser(tenantId, 'none@acme.test', { roles: ['member', 'operator'] });
    const response = await putRoles(admin.token, user.userId, [], '"1"');
    expect(response.status, response.text).toBe(200);
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ roles: [], version: 2 });
  });

  it('scenario 15: replaying the same PUT changes nothing more', async () => {
    const user = await newUser(tenantId, 'replay@acme.test');
    expect((await putRoles(admin.token, user.userId, ['operator'], '"1"')).status).toBe(200);
    const replay = await putRoles(admin.token, user.userId, ['operator'], '"2"');
    expect(replay.status, replay.text).toBe(200);
    expect(replay.headers.get('etag')).toBe('"2"');
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ roles: ['operator'], version: 2 });
  });

  it('answers 422 UNKNOWN_ROLE for a role that does not exist', async () => {
    const user = await newUser(tenantId, 'unknown@acme.test');
    const response = await putRoles(admin.token, user.userId, ['operator', 'wizard'], '"1"');
    expect(response.status, response.text).toBe(422);
    expect(errorCode(response)).toBe('UNKNOWN_ROLE');
  });

  it('scenario 7: granting superuser (beyond the caller) is 403 BEYOND_OWN_PERMISSIONS and changes nothing', async () => {
    const user = await newUser(tenantId, 'climber@acme.test');
    const response = await putRoles(admin.token, user.userId, ['superuser'], '"1"');
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe('BEYOND_OWN_PERMISSIONS');
    const superuser = await principal(tenantId, 'root@acme.test', ['superuser']);
    const strip = await putRoles(admin.token, superuser.userId, ['member'], '"1"');
    expect(strip.status, strip.text).toBe(403);
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ roles: ['member'], version: 1 });
  });

  it('scenario 12: a workspace owner may not change roles (403)', async () => {
    const user = await newUser(tenantId, 'ws@acme.test');
    const owner = await principal(tenantId, 'owner@acme.test', ['workspace_owner']);
    const response = await putRoles(owner.token, user.userId, ['member'], '"1"');
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe('PERMISSION_DENIED');
  });

  it('answers 412 for a stale version, 428 without one, 404 across tenants', async () => {
    const user = await newUser(tenantId, 'guard@acme.test', { version: 3 });
    const stale = await putRoles(admin.token, user.userId, ['operator'], '"2"');
    expect(stale.status, stale.text).toBe(412);
    const missing = await putRoles(admin.token, user.userId, ['operator']);
    expect(missing.status, missing.text).toBe(428);
    const stranger = await principal(uniqueTenant('roles'), 'admin@acme.test', ['tenant_admin']);
    const foreign = await putRoles(stranger.token, user.userId, ['operator'], '"3"');
    expect(foreign.status, foreign.text).toBe(404);
    expect(await directory.getUser(tenantId, user.userId)).toMatchObject({ roles: ['member'], version: 3 });
  });
});
