import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';

const client = documentClient();

async function eventually<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const localEventSchema = z.object({
  'detail-type': z.string(),
  source: z.string(),
  detail: z.object({
    correlationId: z.string(),
    tenantId: z.string(),
    actor: z.unknown(),
    data: z.record(z.string(), z.unknown()),
  }),
});

describe('PATCH /v1/me', () => {
  it("changes the caller's own profile, publishes the event and writes the audit record", async () => {
    const tenantId = uniqueTenant();
    const user = await principal(tenantId, 'profile@acme.test');
    const correlationId = `corr-${tenantId}`;
    const response = await call('PATCH', '/v1/me', {
      token: user.token,
      headers: { 'x-correlation-id': correlationId },
      body: { displayName: '  Pat Q. Public ', locale: 'en-GB' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    expect(response.body).toMatchObject({
      userId: user.userId,
      displayName: 'Pat Q. Public',
      locale: 'en-GB',
      version: 2,
    });

    const event = await eventually(async () => {
      const events = z.array(localEventSchema).parse((await call('GET', '/_local/events')).body);
      return events.find((candidate) => candidate.detail.correlationId === correlationId);
    }, 'the profile event');
    expect(event).toMatchObject({
      'detail-type': 'iam.user.profile_updated',
      source: 'muster.iam',
      detail: {
        tenantId,
        actor: { type: 'user', userId: user.userId, tenantId },
        data: { userId: user.userId, changedFields: ['displayName', 'locale'], version: 2 },
      },
    });
    // The event names fields, never personal values.
    expect(JSON.stringify(event)).not.toContain('Pat Q. Public');

    const audit = await eventually(async () => {
      const day = new Date().toISOString().slice(0, 10);
      const result = await client.send(
        new QueryCommand({
          TableName: TABLE_NAME,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}#AUDIT#${day}` },
        }),
      );
      return result.Items?.find((item) => item.correlationId === correlationId);
    }, 'the audit record');
    expect(audit).toMatchObject({
      action: 'iam.user.profile_updated',
      targetId: `user:${user.userId}`,
      tenantId,
    });
  });

  it('refuses a stale version with 412 and leaves the profile as it was', async () => {
    const user = await principal(uniqueTenant(), 'stale@acme.test');
    expect(
      (await call('PATCH', '/v1/me', { token: user.token, body: { locale: 'fr-FR', version: 1 } })).status,
    ).toBe(200);
    const stale = await call('PATCH', '/v1/me', { token: user.token, body: { locale: 'it-IT', version: 1 } });
    expect(stale.status).toBe(412);
    expect(errorCode(stale)).toBe('VERSION_MISMATCH');
    const me = z
      .object({ user: z.object({ locale: z.string() }) })
      .parse((await call('GET', '/v1/me', { token: user.token })).body);
    expect(me.user.locale).toBe('fr-FR');
  });
});

describe('bad input gets a clear 4xx envelope, never a 500', () => {
  it.each([
    [
      'malformed JSON',
      { rawBody: '{"locale": ', headers: { 'content-type': 'application/json' } },
      400,
      'MALFORMED_JSON',
    ],
    [
      'wrong content type',
      { rawBody: 'locale=en', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['no body', { headers: { 'content-type': 'application/json' } }, 400, 'BODY_REQUIRED'],
    ['unknown field', { body: { locale: 'en', isAdmin: true } }, 422, 'VALIDATION_FAILED'],
    ['invalid locale', { body: { locale: 'not a locale!' } }, 422, 'VALIDATION_FAILED'],
    ['nothing to change', { body: {} }, 422, 'VALIDATION_FAILED'],
    ['body over the route limit', { body: { displayName: 'x'.repeat(1_100_000) } }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('%s', async (_label, options, status, code) => {
    const user = await principal(uniqueTenant(), 'input@acme.test');
    const response = await call('PATCH', '/v1/me', { token: user.token, ...options });
    expect(response.status).toBe(status);
    expect(errorCode(response)).toBe(code);
  });

  it('a body over the gateway limit', async () => {
    const user = await principal(uniqueTenant(), 'huge@acme.test');
    const response = await call('PATCH', '/v1/me', {
      token: user.token,
      rawBody: `{"displayName":"${'x'.repeat(11 * 1024 * 1024)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
    expect(errorCode(response)).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each([
    ['GET', '/v1/nothing-here'],
    ['DELETE', '/v1/me'],
    ['POST', '/health'],
  ])('unknown route %s %s', async (method, path) => {
    const response = await call(method, path);
    expect(response.status).toBe(404);
    expect(errorCode(response)).toBe('ROUTE_NOT_FOUND');
  });

  it('health answers without credentials', async () => {
    const response = await call('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });
});

describe('POST /_local/token for an existing user', () => {
  it('adds the roles asked for and never takes or adds others', async () => {
    const tenantId = uniqueTenant();
    const first = await principal(tenantId, 'keeper@acme.test', ['tenant_admin']);
    const rolesOf = async (token: string) =>
      z.object({ directRoles: z.array(z.string()) }).parse((await call('GET', '/v1/me', { token })).body)
        .directRoles;

    const noRoles = await call('POST', '/_local/token', { body: { tenantId, email: 'keeper@acme.test' } });
    const again = z.object({ accessToken: z.string(), userId: z.string() }).parse(noRoles.body);
    expect(again.userId).toBe(first.userId);
    expect(await rolesOf(again.accessToken)).toEqual(['tenant_admin']);

    const more = await principal(tenantId, 'keeper@acme.test', ['security_approver']);
    expect(await rolesOf(more.token)).toEqual(['security_approver', 'tenant_admin']);
  });

  it('gives a brand-new user the member role when none is asked for', async () => {
    const response = await call('POST', '/_local/token', {
      body: { tenantId: uniqueTenant(), email: 'fresh@acme.test' },
    });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(response.body);
    const me = z
      .object({ directRoles: z.array(z.string()) })
      .parse((await call('GET', '/v1/me', { token: accessToken })).body);
    expect(me.directRoles).toEqual(['member']);
  });
});
