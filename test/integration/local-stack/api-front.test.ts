import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { GATEWAY_RESPONSES } from '../../../config/gateway-responses';
import { MAX_REQUEST_BODY_BYTES } from '../../../config/routes';

const apiUrl = inject('apiUrl');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const envelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  correlationId: z.string().min(1),
});

async function envelopeOf(response: Response) {
  return envelopeSchema.parse(await response.json());
}

async function bearerToken(tenantId: string, email: string): Promise<string> {
  const response = await fetch(`${apiUrl}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, email }),
  });
  return z.object({ accessToken: z.string() }).parse(await response.json()).accessToken;
}

describe('the local API front', () => {
  it('serves GET /health from its handler, with or without a trailing slash', async () => {
    for (const path of ['/health', '/health/']) {
      const response = await fetch(`${apiUrl}${path}`);
      expect(response.status, path).toBe(200);
    }
  });

  it('answers an unknown route or method with the ROUTE_NOT_FOUND gateway response', async () => {
    for (const [method, path] of [
      ['GET', '/no/such/route'],
      ['DELETE', '/health'],
    ] as const) {
      const response = await fetch(`${apiUrl}${path}`, { method });
      expect(response.status).toBe(GATEWAY_RESPONSES.ROUTE_NOT_FOUND.status);
      expect(await envelopeOf(response)).toEqual({
        error: {
          code: GATEWAY_RESPONSES.ROUTE_NOT_FOUND.code,
          message: GATEWAY_RESPONSES.ROUTE_NOT_FOUND.message,
        },
        correlationId: expect.stringMatching(UUID),
      });
    }
  });

  it("answers for the gateway as API Gateway does: the request id, not the caller's correlation id", async () => {
    const headers = { 'x-correlation-id': 'trace-from-caller' };
    for (const response of [
      await fetch(`${apiUrl}/no/such/route`, { headers }),
      await fetch(`${apiUrl}/v1/me`, { headers }),
    ]) {
      const envelope = await envelopeOf(response);
      expect(envelope.correlationId).toMatch(UUID);
      expect(response.headers.get('x-correlation-id')).toBeNull();
    }
  });

  it('refuses a body over the API Gateway limit with REQUEST_TOO_LARGE, declared or streamed', async () => {
    const oversized = new Uint8Array(MAX_REQUEST_BODY_BYTES + 1);
    const declared = await fetch(`${apiUrl}/health`, { method: 'POST', body: oversized });
    expect(declared.status).toBe(413);
    expect((await envelopeOf(declared)).error.code).toBe(GATEWAY_RESPONSES.REQUEST_TOO_LARGE.code);

    const chunk = new Uint8Array(1024 * 1024);
    const streamed = await fetch(`${apiUrl}/health`, {
      method: 'POST',
      duplex: 'half',
      body: new ReadableStream({
        start(controller) {
          for (let sent = 0; sent <= MAX_REQUEST_BODY_BYTES; sent += chunk.length) controller.enqueue(chunk);
          controller.close();
        },
      }),
    });
    expect(streamed.status).toBe(413);
    expect((await envelopeOf(streamed)).error.code).toBe(GATEWAY_RESPONSES.REQUEST_TOO_LARGE.code);
  });

  it('runs the authorizer before a principal route: no credentials is UNAUTHORIZED', async () => {
    const response = await fetch(`${apiUrl}/v1/me`);
    expect(response.status).toBe(401);
    expect((await envelopeOf(response)).error.code).toBe(GATEWAY_RESPONSES.UNAUTHORIZED.code);
  });

  it('hands the authorizer context to the handler of a principal route', async () => {
    const tenantId = `front-${Date.now()}`;
    const token = await bearerToken(tenantId, 'front@example.com');
    const response = await fetch(`${apiUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    const body = z
      .object({ user: z.object({ email: z.string() }), tenant: z.object({ tenantId: z.string() }) })
      .parse(await response.json());
    expect(body).toMatchObject({ user: { email: 'front@example.com' }, tenant: { tenantId } });
  });

  it('refuses an expired token', async () => {
    const response = await fetch(`${apiUrl}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'local', email: 'expired@example.com', expiresInSeconds: -60 }),
    });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(await response.json());
    const me = await fetch(`${apiUrl}/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(401);
  });
});
