import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';

// The local stack runs with every flag on, so `user_mgmt_core` and `oidc_auto_provision_users` are
// both on here; flags-off.test.ts runs its own stack to see each of them off.
const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const meSchema = z.object({
  user: z.object({ userId: z.string(), email: z.string(), status: z.string() }),
  roles: z.array(z.string()),
});
const createdEventSchema = z.object({
  'detail-type': z.literal('iam.user.created'),
  detail: z.object({
    correlationId: z.string(),
    data: z.object({
      userId: z.string(),
      status: z.string(),
      roles: z.array(z.string()),
      source: z.object({ type: z.string(), issuer: z.string().optional() }),
    }),
  }),
});

/** A token from the identity provider for a subject the directory has never seen. */
async function firstSignInToken(tenantId: string, email: string, subject = `idp|${randomUUID()}`) {
  const response = await call('POST', '/_local/token', { body: { tenantId, email, subject } });
  return { subject, token: z.object({ accessToken: z.string() }).parse(response.body).accessToken };
}

function issuerOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return z.object({ iss: z.string() }).parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')))
    .iss;
}

async function createdEvents(correlationId: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = z
      .array(z.unknown())
      .parse((await call('GET', '/_local/events?detailType=iam.user.created')).body)
      .flatMap((event) => {
        const parsed = createdEventSchema.safeParse(event);
        return parsed.success && parsed.data.detail.correlationId === correlationId ? [parsed.data] : [];
      });
    if (events.length > 0 || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('OIDC auto-provisioning (issue 5)', () => {
  it('the first request of an unknown identity creates the user with the default roles, links the sub and publishes iam.user.created', async () => {
    const tenantId = uniqueTenant('oidc');
    const { subject, token } = await firstSignInToken(tenantId, 'Fresh.Face@Acme.test');
    const correlationId = `oidc-${randomUUID()}`;

    const first = await call('GET', '/v1/me', { token, headers: { 'x-correlation-id': correlationId } });
    expect(first.status).toBe(200);
    const me = meSchema.parse(first.body);
    expect(me.user).toMatchObject({ email: 'fresh.face@acme.test', status: 'ACTIVE' });
    expect(me.roles).toEqual(['member']);
    expect(await directory.findUserIdBySubject(tenantId, issuerOf(token), subject)).toBe(me.user.userId);

    const again = await call('GET', '/v1/me', { token });
    expect(meSchema.parse(again.body).user.userId).toBe(me.user.userId);

    const events = await createdEvents(correlationId);
    expect(events).toHaveLength(1);
    expect(events[0]?.detail.data).toMatchObject({
      userId: me.user.userId,
      status: 'ACTIVE',
      roles: ['member'],
      source: { type: 'oidc', issuer: issuerOf(token) },
    });
  });

  it("takes the tenant's default role policy fallback roles", async () => {
    const tenantId = uniqueTenant('oidc-policy');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const policy = await call('PUT', '/internal/iam/role-policies/default', {
      token: admin.token,
      body: { rules: [{ department: 'Sales', roles: ['workspace_owner'] }], fallbackRoles: ['operator'] },
    });
    expect(policy.status).toBe(200);
    const { token } = await firstSignInToken(tenantId, 'newbie@acme.test');

    const response = await call('GET', '/v1/me', { token });
    expect(response.status).toBe(200);
    expect(meSchema.parse(response.body).roles).toEqual(['operator']);
  });

  it('an invited user with the same email is activated and linked, not duplicated', async () => {
    const tenantId = uniqueTenant('oidc-invited');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const invited = await call('POST', '/v1/admin/users', {
      token: admin.token,
      body: { email: 'invitee@acme.test', status: 'INVITED', roles: ['operator'] },
    });
    expect(invited.status).toBe(201);
    const invitedId = z.object({ userId: z.string() }).parse(invited.body).userId;
    const { subject, token } = await firstSignInToken(tenantId, 'Invitee@Acme.test');

    const response = await call('GET', '/v1/me', { token });
    expect(response.status).toBe(200);
    expect(meSchema.parse(response.body)).toMatchObject({
      user: { userId: invitedId, status: 'ACTIVE' },
      roles: ['operator'],
    });
    expect(await directory.findUserIdBySubject(tenantId, issuerOf(token), subject)).toBe(invitedId);
  });

  it('concurrent first requests of one identity make one user', async () => {
    const tenantId = uniqueTenant('oidc-race');
    const { token } = await firstSignInToken(tenantId, 'racer@acme.test');

    const responses = await Promise.all(Array.from({ length: 4 }, () => call('GET', '/v1/me', { token })));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    const userIds = new Set(responses.map((response) => meSchema.parse(response.body).user.userId));
    expect(userIds.size).toBe(1);
    expect(
      (await directory.listAllUsers(tenantId)).filter((user) => user.email === 'racer@acme.test'),
    ).toHaveLength(1);
  });

  it('a deactivated user with the same email stays out and gets no new link', async () => {
    const tenantId = uniqueTenant('oidc-deactivated');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const former = await principal(tenantId, 'former@acme.test', ['member']);
    expect(
      (await call('POST', `/v1/admin/users/${former.userId}/deactivate`, { token: admin.token })).status,
    ).toBe(200);
    const { subject, token } = await firstSignInToken(tenantId, 'former@acme.test');

    const response = await call('GET', '/v1/me', { token });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('ACCOUNT_DEACTIVATED');
    expect(await directory.findUserIdBySubject(tenantId, issuerOf(token), subject)).toBeUndefined();
  });
});

describe('OIDC auto-provisioning on the first request to any route, not only GET /v1/me', () => {
  it('an unknown identity whose first call is GET /v1/admin/users is provisioned, then refused there as a member', async () => {
    const tenantId = uniqueTenant('oidc-any-route');
    const { subject, token } = await firstSignInToken(tenantId, 'API.Consumer@Acme.test');
    const correlationId = `oidc-${randomUUID()}`;

    const first = await call('GET', '/v1/admin/users', {
      token,
      headers: { 'x-correlation-id': correlationId },
    });

    // The user exists by now: refused for lacking the permission, not for being unknown.
    expect(first.status).toBe(403);
    expect(errorCode(first)).toBe('PERMISSION_DENIED');
    const userId = await directory.findUserIdByEmail(tenantId, 'api.consumer@acme.test');
    expect(userId).toBeDefined();
    expect(await directory.getUser(tenantId, userId as string)).toMatchObject({
      status: 'ACTIVE',
      roles: ['member'],
    });
    expect(await directory.findUserIdBySubject(tenantId, issuerOf(token), subject)).toBe(userId);

    const me = await call('GET', '/v1/me', { token });
    expect(me.status).toBe(200);
    expect(meSchema.parse(me.body).user.userId).toBe(userId);
    const events = await createdEvents(correlationId);
    expect(events).toHaveLength(1);
    expect(events[0]?.detail.data).toMatchObject({
      userId,
      status: 'ACTIVE',
      roles: ['member'],
      source: { type: 'oidc', issuer: issuerOf(token) },
    });
    expect((await directory.listAllUsers(tenantId)).map((user) => user.userId)).toEqual([userId]);
  });

  it.each([
    ['GET /internal/iam/users/bulk-import/{taskId}', '/internal/iam/users/bulk-import/no-such-task'],
    ['GET /v1/admin/users', '/v1/admin/users'],
  ])(
    'an invited user whose first call is the read-only %s is activated and linked there',
    async (_route, path) => {
      const tenantId = uniqueTenant('oidc-invited-read');
      const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
      const invited = await call('POST', '/v1/admin/users', {
        token: admin.token,
        body: { email: 'reader@acme.test', status: 'INVITED', roles: ['member'] },
      });
      expect(invited.status).toBe(201);
      const invitedId = z.object({ userId: z.string() }).parse(invited.body).userId;
      const { subject, token } = await firstSignInToken(tenantId, 'Reader@Acme.test');

      const first = await call('GET', path, { token });

      // The route answers the now active member (not a refusal as an unknown identity, nor a 5xx).
      expect(first.status).toBe(403);
      expect(errorCode(first)).toBe('PERMISSION_DENIED');
      expect(await directory.getUser(tenantId, invitedId)).toMatchObject({ status: 'ACTIVE' });
      expect(await directory.findUserIdBySubject(tenantId, issuerOf(token), subject)).toBe(invitedId);
      expect(await directory.listAllUsers(tenantId)).toHaveLength(2);
    },
  );
});
