import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../../functions/auth/claims';

const apiUrl = inject('apiUrl');
const env = inject('env');

function post(path: string, body: unknown, contentType = 'application/json') {
  return fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const tokenSchema = z.object({
  accessToken: z.string(),
  userId: z.string().min(1),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
});
const envelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  correlationId: z.string(),
});

describe('the local OIDC issuer', () => {
  it('publishes its discovery document and the JWKS the handlers are configured with', async () => {
    const response = await fetch(`${apiUrl}/_local/.well-known/openid-configuration`);
    const configuration = z.object({ issuer: z.string(), jwks_uri: z.string() }).parse(await response.json());
    expect(configuration).toEqual(
      expect.objectContaining({ issuer: env.OIDC_ISSUER, jwks_uri: env.OIDC_JWKS_URL }),
    );
    expect(configuration.issuer).toBe(`${apiUrl}/_local`);
  });

  it('mints a token that verifies against the JWKS, with the claims Muster reads', async () => {
    const response = await post('/_local/token', {
      tenantId: 'issuer-tenant',
      email: 'Ada@Example.com',
      roles: ['member'],
    });
    expect(response.status).toBe(200);
    const token = tokenSchema.parse(await response.json());
    expect(token.expiresIn).toBe(3600);

    const jwks = createRemoteJWKSet(new URL(env.OIDC_JWKS_URL ?? ''));
    const { payload, protectedHeader } = await jwtVerify(token.accessToken, jwks, {
      issuer: env.OIDC_ISSUER,
      audience: 'muster-api',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      tenant_id: 'issuer-tenant',
      email: 'Ada@Example.com',
      email_verified: true,
      sub: token.userId,
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(3600);
  });

  it('mints the same user again for the same tenant and email', async () => {
    const first = tokenSchema.parse(
      await (await post('/_local/token', { tenantId: 'again', email: 'b@example.com' })).json(),
    );
    const second = tokenSchema.parse(
      await (await post('/_local/token', { tenantId: 'again', email: 'b@example.com' })).json(),
    );
    expect(second.userId).toBe(first.userId);
  });

  it('signs a chosen subject without provisioning anyone: a token the directory does not know', async () => {
    const tenantId = `subject-${Date.now()}`;
    const response = await post('/_local/token', {
      tenantId,
      email: 'stranger@example.com',
      subject: 'u_someone_else',
    });
    expect(response.status).toBe(200);
    const body = z
      .strictObject({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number() })
      .parse(await response.json());
    expect(decodeJwt(body.accessToken)).toMatchObject({
      sub: 'u_someone_else',
      tenant_id: tenantId,
      email: 'stranger@example.com',
      email_verified: true,
    });
  });

  it('refuses bad input with the JSON error envelope', async () => {
    const cases = [
      { body: '{not json', contentType: 'application/json', status: 400 },
      { body: 'tenantId=local', contentType: 'application/x-www-form-urlencoded', status: 415 },
      { body: { tenantId: 'local' }, contentType: 'application/json', status: 422 },
      { body: { tenantId: '', email: 'a@example.com' }, contentType: 'application/json', status: 422 },
      { body: { tenantId: 'local', email: 'not-an-email' }, contentType: 'application/json', status: 422 },
      {
        body: { tenantId: 'local', email: 'a@example.com', roles: 'admin' },
        contentType: 'application/json',
        status: 422,
      },
    ];
    for (const { body, contentType, status } of cases) {
      const response = await post('/_local/token', body, contentType);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(envelopeSchema.safeParse(await response.json()).success).toBe(true);
    }
  });

  it('opens a browser session: an HttpOnly session cookie bound to a readable CSRF cookie', async () => {
    const response = await post('/_local/session', { tenantId: 'session-tenant', email: 'c@example.com' });
    expect(response.status).toBe(200);
    const { csrfToken, userId } = z
      .object({ csrfToken: z.string(), userId: z.string() })
      .parse(await response.json());
    const cookies = response.headers.getSetCookie();
    const session = cookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
    const csrf = cookies.find((cookie) => cookie.startsWith(`${CSRF_COOKIE}=`));
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Path=\//);
    expect(csrf).toBe(`${CSRF_COOKIE}=${csrfToken}; Path=/; Max-Age=3600; SameSite=Strict`);

    const sessionToken = session?.split(';')[0]?.slice(SESSION_COOKIE.length + 1) ?? '';
    const claims = decodeJwt(sessionToken);
    expect(claims).toMatchObject({ sub: userId, tenant_id: 'session-tenant', email_verified: true });
    expect(claims.csrf).toBe(createHash('sha256').update(csrfToken).digest('base64url'));

    const me = await fetch(`${apiUrl}/v1/me`, { headers: { cookie: `${SESSION_COOKIE}=${sessionToken}` } });
    expect(me.status).toBe(200);
  });
});
