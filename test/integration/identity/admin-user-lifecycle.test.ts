import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import {
  type ApiResponse,
  call,
  documentClient,
  errorCode,
  type Principal,
  principal,
  TABLE_NAME,
  uniqueTenant,
} from '../support/api';

const USERS = '/v1/admin/users';
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

const userViewSchema = z.object({
  userId: z.string(),
  email: z.string(),
  status: z.enum(['INVITED', 'ACTIVE', 'DEACTIVATED']),
  roles: z.array(z.string()),
  groups: z.array(z.string()),
  version: z.number(),
});
const detailsSchema = z.object({
  error: z.object({
    details: z.array(z.object({ path: z.string().optional(), code: z.string().optional() })),
  }),
});
const localEventSchema = z.object({
  'detail-type': z.string(),
  detail: z.object({
    eventId: z.string(),
    correlationId: z.string(),
    tenantId: z.string(),
    actor: z.unknown(),
    data: z.record(z.string(), z.unknown()),
  }),
});

/** The bus's events of one request; waits for at least one unless `wait` is false. */
async function eventsOf(correlationId: string, wait = true) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = z
      .array(localEventSchema)
      .parse((await call('GET', '/_local/events')).body)
      .filter((event) => event.detail.correlationId === correlationId);
    if (!wait || events.length > 0 || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function user(response: ApiResponse) {
  return userViewSchema.parse(response.body);
}

const create = (admin: Principal, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', USERS, { token: admin.token, body, headers });
const lifecycle = (
  admin: Principal,
  userId: string,
  action: 'deactivate' | 'reactivate',
  correlationId?: string,
) =>
  call('POST', `${USERS}/${userId}/${action}`, {
    token: admin.token,
    ...(correlationId ? { headers: { 'x-correlation-id': correlationId } } : {}),
  });

describe('POST /v1/admin/users', () => {
  const tenantId = uniqueTenant('create');
  let admin: Principal;

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('scenario 1: creates a valid user, active, with its ETag, and publishes iam.user.created', async () => {
    const correlationId = `corr-${tenantId}-create`;
    const response = await create(
      admin,
      { email: '  New.Hire@Acme.test ', givenName: 'Nia', roles: ['operator'] },
      { 'x-correlation-id': correlationId },
    );
    expect(response.status, response.text).toBe(201);
    const created = user(response);
    expect(created).toMatchObject({
      email: 'new.hire@acme.test',
      status: 'ACTIVE',
      roles: ['operator'],
      groups: [],
      version: 1,
    });
    expect(response.headers.get('etag')).toBe('"1"');

    const read = await call('GET', `${USERS}/${created.userId}`, { token: admin.token });
    expect(user(read)).toMatchObject({ email: 'new.hire@acme.test', status: 'ACTIVE' });

    const [event, ...others] = await eventsOf(correlationId);
    expect(others).toEqual([]);
    expect(event).toMatchObject({
      'detail-type': 'iam.user.created',
      detail: {
        tenantId,
        actor: { type: 'user', userId: admin.userId, tenantId },
        data: {
          userId: created.userId,
          status: 'ACTIVE',
          roles: ['operator'],
          source: { type: 'admin_api' },
        },
      },
    });
    // The bus feeds the audit trail: no personal data in clear.
    expect(JSON.stringify(event)).not.toContain('new.hire');
  });

  it('creates an INVITED user when the body asks it', async () => {
    const response = await create(admin, { email: 'invitee@acme.test', status: 'INVITED' });
    expect(response.status, response.text).toBe(201);
    expect(user(response)).toMatchObject({ status: 'INVITED', roles: [] });
  });

  it('scenario 5: refuses a duplicate email in the tenant with 409 EMAIL_TAKEN, whatever its case', async () => {
    expect((await create(admin, { email: 'dup@acme.test' })).status).toBe(201);
    const again = await create(admin, { email: 'DUP@acme.test' });
    expect(again.status, again.text).toBe(409);
    expect(errorCode(again)).toBe('EMAIL_TAKEN');
  });

  it('lets another tenant use the same email', async () => {
    const other = await principal(uniqueTenant('create'), 'admin@acme.test', ['tenant_admin']);
    expect((await create(other, { email: 'dup@acme.test' })).status).toBe(201);
  });

  it.each([
    ['no email', { givenName: 'Nia' }, 'body.email'],
    ['a malformed email', { email: 'not-an-email' }, 'body.email'],
    ['an unknown status', { email: 'a@acme.test', status: 'DEACTIVATED' }, 'body.status'],
    ['roles that are no list', { email: 'a@acme.test', roles: 'operator' }, 'body.roles'],
    ['an unknown field', { email: 'a@acme.test', password: 'x' }, 'body'],
    ['a blank given name', { email: 'a@acme.test', givenName: '  ' }, 'body.givenName'],
  ])('scenario 6: refuses a payload with %s with 422 and the field at fault', async (_label, body, path) => {
    const response = await create(admin, body);
    expect(response.status, response.text).toBe(422);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    const paths = detailsSchema.parse(response.body).error.details.map((detail) => detail.path);
    expect(paths.some((candidate) => candidate?.startsWith(path))).toBe(true);
  });

  it('refuses an unknown role with 422 UNKNOWN_ROLE', async () => {
    const response = await create(admin, { email: 'ghost-role@acme.test', roles: ['ghost'] });
    expect(response.status, response.text).toBe(422);
    expect(errorCode(response)).toBe('UNKNOWN_ROLE');
  });

  it('refuses a role beyond the caller’s own permissions with 403 and creates nothing', async () => {
    const response = await create(admin, { email: 'escalate@acme.test', roles: ['superuser'] });
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe('BEYOND_OWN_PERMISSIONS');
    expect(await directory.findUserIdByEmail(tenantId, 'escalate@acme.test')).toBeUndefined();
  });

  it.each([
    ['scenario 11: a non-admin', 'member'],
    ['scenario 12: a workspace owner', 'workspace_owner'],
    ['a reader without users.manage_all', 'operator'],
  ])('%s may not create users (403)', async (_label, role) => {
    const caller = await principal(tenantId, `${role}@acme.test`, [role]);
    const response = await create(caller, { email: `by-${role}@acme.test` });
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe('PERMISSION_DENIED');
  });
});

describe('POST /v1/admin/users/{userId}/deactivate and /reactivate', () => {
  const tenantId = uniqueTenant('lifecycle');
  let admin: Principal;

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
  });

  it('scenario 3 and 14: a deactivated user loses access at once, despite direct and group roles; reactivation restores it', async () => {
    const operator = await principal(tenantId, 'operator@acme.test', ['operator']);
    await directory.putGroup(
      tenantId,
      { name: 'readers', roles: ['security_approver'] },
      new Date().toISOString(),
    );
    await directory.addGroupMember(tenantId, 'readers', operator.userId, new Date().toISOString());
    expect((await call('GET', USERS, { token: operator.token })).status).toBe(200);

    const correlationId = `corr-${tenantId}-deactivate`;
    const deactivated = await lifecycle(admin, operator.userId, 'deactivate', correlationId);
    expect(deactivated.status, deactivated.text).toBe(200);
    const view = user(deactivated);
    expect(view).toMatchObject({ status: 'DEACTIVATED', roles: ['operator'], groups: ['readers'] });
    expect(deactivated.headers.get('etag')).toBe(`"${view.version}"`);

    for (const path of [USERS, '/v1/me']) {
      const denied = await call('GET', path, { token: operator.token });
      expect(denied.status, `${path}: ${denied.text}`).toBe(403);
      expect(errorCode(denied)).toBe('ACCOUNT_DEACTIVATED');
    }
    const [event] = await eventsOf(correlationId);
    expect(event).toMatchObject({
      'detail-type': 'iam.user.deactivated',
      detail: { data: { userId: operator.userId, previousStatus: 'ACTIVE', version: view.version } },
    });

    const reactivated = await lifecycle(admin, operator.userId, 'reactivate', `${correlationId}-re`);
    expect(reactivated.status, reactivated.text).toBe(200);
    expect(user(reactivated)).toMatchObject({ status: 'ACTIVE', version: view.version + 1 });
    expect((await call('GET', USERS, { token: operator.token })).status).toBe(200);
    const [reEvent] = await eventsOf(`${correlationId}-re`);
    expect(reEvent?.['detail-type']).toBe('iam.user.reactivated');
  });

  it('deactivating twice answers 200 with the same state and writes and publishes nothing the second time', async () => {
    const target = await principal(tenantId, 'twice@acme.test', ['member']);
    const first = await lifecycle(admin, target.userId, 'deactivate');
    expect(first.status, first.text).toBe(200);
    const correlationId = `corr-${tenantId}-twice`;
    const second = await lifecycle(admin, target.userId, 'deactivate', correlationId);
    expect(second.status, second.text).toBe(200);
    expect(user(second)).toEqual(user(first));
    // Each request publishes before it answers: once a later request's event is on the bus, an
    // event of the repeated deactivation would be too.
    const later = `${correlationId}-later`;
    expect((await lifecycle(admin, target.userId, 'reactivate', later)).status).toBe(200);
    expect(await eventsOf(later)).toHaveLength(1);
    expect(await eventsOf(correlationId, false)).toEqual([]);
  });

  it('reactivating an active user answers 200 and changes nothing', async () => {
    const target = await principal(tenantId, 'active@acme.test', ['member']);
    const before = user(await call('GET', `${USERS}/${target.userId}`, { token: admin.token }));
    const response = await lifecycle(admin, target.userId, 'reactivate');
    expect(response.status, response.text).toBe(200);
    expect(user(response)).toEqual(before);
  });

  it('scenario 8: answers 404 for an unknown user, and for another tenant’s user', async () => {
    const stranger = await principal(uniqueTenant('lifecycle'), 'stranger@acme.test', ['member']);
    for (const userId of ['u_00000000000000000000000000', stranger.userId]) {
      const response = await lifecycle(admin, userId, 'deactivate');
      expect(response.status, response.text).toBe(404);
      expect(errorCode(response)).toBe('USER_NOT_FOUND');
    }
    expect((await call('GET', '/v1/me', { token: stranger.token })).status).toBe(200);
  });

  it.each([
    ['scenario 11: a non-admin', 'member'],
    ['scenario 12: a workspace owner', 'workspace_owner'],
  ])('%s may not deactivate users (403)', async (_label, role) => {
    const target = await principal(tenantId, `target-of-${role}@acme.test`, ['member']);
    const caller = await principal(tenantId, `${role}-lc@acme.test`, [role]);
    const response = await lifecycle(caller, target.userId, 'deactivate');
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe('PERMISSION_DENIED');
    expect((await call('GET', '/v1/me', { token: target.token })).status).toBe(200);
  });
});
