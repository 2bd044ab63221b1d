import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer';
import { apiUrl, call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const meSchema = z.object({
  user: z.object({ userId: z.string(), email: z.string(), status: z.string(), version: z.number() }),
  tenant: z.object({ tenantId: z.string() }),
  authMethod: z.enum(['bearer', 'session']),
  currentRole: z.string().nullable(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  flags: z.record(z.string(), z.boolean()),
});

/** The `iss` claim of a token, read without verifying it (the test only needs the issuer's name). */
function issuerOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return z.object({ iss: z.string() }).parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')))
    .iss;
}

let stranger: TestIssuer;
beforeAll(async () => {
  stranger = await startTestIssuer('muster-api');
});
afterAll(async () => {
  await stranger.close();
});

describe('bearer tokens', () => {
  it("a valid token reaches /v1/me with the caller's roles and permissions", async () => {
    const tenantId = uniqueTenant();
    const admin = await principal(tenantId, 'Admin@Acme.test', ['tenant_admin']);
    const response = await call('GET', '/v1/me', { token: admin.token });
    expect(response.status).toBe(200);
    const me = meSchema.parse(response.body);
    expect(me.user).toMatchObject({ userId: admin.userId, email: 'admin@acme.test', status: 'ACTIVE' });
    expect(me.tenant.tenantId).toBe(tenantId);
    expect(me.authMethod).toBe('bearer');
    expect(me.currentRole).toBe('tenant_admin');
    expect(me.permissions).toContain('users.manage_all');
    expect(me.permissions).not.toContain('approvals.decide');
    expect(me.flags.user_mgmt_enforce).toBe(true);
  });

  it('an expired token gets 401 with the error envelope', async () => {
    const expired = await principal(uniqueTenant(), 'late@acme.test', ['member'], { expiresInSeconds: -300 });
    const response = await call('GET', '/v1/me', { token: expired.token });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('a token from another issuer gets 401, even naming our tenant and a real user', async () => {
    const tenantId = uniqueTenant();
    const real = await principal(tenantId, 'real@acme.test', ['superuser']);
    const forged = await stranger.sign({ sub: real.userId, tenant_id: tenantId });
    const response = await call('GET', '/v1/me', { token: forged });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('a token for another tenant does not reach a user of this one', async () => {
    const home = uniqueTenant('home');
    const user = await principal(home, 'roamer@acme.test', ['tenant_admin']);
    // The same email and subject, but a token for another tenant, where nobody has that email.
    const crossTenant = await call('POST', '/_local/token', {
      body: { tenantId: uniqueTenant('other'), email: 'roamer@acme.test', subject: user.userId },
    });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(crossTenant.body);
    const response = await call('GET', '/v1/me', { token: accessToken });
    // With OIDC auto-provisioning on (the local stack's flags), the token's own tenant gets a user of
    // its own; the home tenant's user is never reached.
    expect(response.status).toBe(200);
    expect(meSchema.parse(response.body).user.userId).not.toBe(user.userId);
  });

  it("links an identity provider's new subject to the user with its verified email, on first sign-in", async () => {
    const tenantId = uniqueTenant();
    const invited = await principal(tenantId, 'newcomer@acme.test', ['operator']);
    const fromIdp = await call('POST', '/_local/token', {
      body: { tenantId, email: 'Newcomer@Acme.test', subject: 'idp|first-sign-in' },
    });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(fromIdp.body);
    for (let signIn = 0; signIn < 2; signIn++) {
      const response = await call('GET', '/v1/me', { token: accessToken });
      expect(response.status).toBe(200);
      expect(meSchema.parse(response.body)).toMatchObject({
        user: { userId: invited.userId },
        currentRole: 'operator',
      });
    }
    expect(await directory.findUserIdBySubject(tenantId, issuerOf(accessToken), 'idp|first-sign-in')).toBe(
      invited.userId,
    );
  });

  it.each([
    ['garbage', 'Bearer not-a-jwt'],
    ['wrong scheme', 'Basic dXNlcjpwYXNz'],
    ['empty bearer', 'Bearer '],
  ])('a bad Authorization header (%s) gets 401', async (_label, authorization) => {
    const response = await call('GET', '/v1/me', { headers: { authorization } });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it('no credentials at all gets 401', async () => {
    const response = await call('GET', '/v1/me');
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });
});

describe('deactivated users', () => {
  it('are denied whatever roles they hold directly and through groups', async () => {
    const tenantId = uniqueTenant();
    const user = await principal(tenantId, 'gone@acme.test', ['tenant_admin']);
    const now = new Date().toISOString();
    await directory.putGroup(tenantId, { name: 'admins', roles: ['superuser'] }, now);
    await directory.addGroupMember(tenantId, 'admins', user.userId, now);
    expect((await call('GET', '/v1/me', { token: user.token })).status).toBe(200);

    const current = await directory.getUser(tenantId, user.userId);
    await directory.updateUser(tenantId, user.userId, { status: 'DEACTIVATED' }, current?.version ?? 0, now);
    const stored = await directory.getUser(tenantId, user.userId);
    expect(stored?.roles).toContain('tenant_admin');
    expect(stored?.groups).toEqual(['admins']);

    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { locale: 'fr-FR' }],
    ] as const) {
      const response = await call(method, '/v1/me', { token: user.token, body });
      expect(response.status).toBe(403);
      expect(errorCode(response)).toBe('ACCOUNT_DEACTIVATED');
    }
  });
});

describe('browser sessions and CSRF', () => {
  async function session(tenantId: string, email: string) {
    const response = await fetch(`${apiUrl}/_local/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, email, roles: ['member'] }),
    });
    expect(response.status).toBe(200);
    const { csrfToken } = z.object({ csrfToken: z.string().min(16) }).parse(await response.json());
    const cookies = response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]);
    expect(cookies.some((cookie) => cookie?.startsWith('muster_session='))).toBe(true);
    expect(cookies.some((cookie) => cookie === `muster_csrf=${csrfToken}`)).toBe(true);
    return { cookie: cookies.join('; '), csrfToken };
  }

  it('a session reads without a CSRF token', async () => {
    const { cookie } = await session(uniqueTenant(), 'reader@acme.test');
    const response = await call('GET', '/v1/me', { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(meSchema.parse(response.body).authMethod).toBe('session');
  });

  it('a session mutation without the CSRF header is refused', async () => {
    const { cookie } = await session(uniqueTenant(), 'writer@acme.test');
    const response = await call('PATCH', '/v1/me', { headers: { cookie }, body: { locale: 'de-DE' } });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('CSRF_TOKEN_MISSING');
  });

  it('a session mutation with a mismatched CSRF header is refused', async () => {
    const { cookie } = await session(uniqueTenant(), 'writer2@acme.test');
    const response = await call('PATCH', '/v1/me', {
      headers: { cookie, 'x-csrf-token': 'not-the-token' },
      body: { locale: 'de-DE' },
    });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('CSRF_TOKEN_MISMATCH');
  });

  it('a CSRF token from another session is refused', async () => {
    const mine = await session(uniqueTenant(), 'mine@acme.test');
    const theirs = await session(uniqueTenant(), 'theirs@acme.test');
    const response = await call('PATCH', '/v1/me', {
      headers: {
        cookie: mine.cookie.replace(/muster_csrf=[^;]+/, `muster_csrf=${theirs.csrfToken}`),
        'x-csrf-token': theirs.csrfToken,
      },
      body: { locale: 'de-DE' },
    });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('CSRF_TOKEN_MISMATCH');
  });

  it('a session mutation with the matching CSRF header goes through', async () => {
    const { cookie, csrfToken } = await session(uniqueTenant(), 'writer3@acme.test');
    const response = await call('PATCH', '/v1/me', {
      headers: { cookie, 'x-csrf-token': csrfToken },
      body: { locale: 'de-DE' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ locale: 'de-DE', version: 2 });
  });
});
