import { createServer } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../support/proxy-event';
import { startTestIssuer, type TestIssuer } from '../../support/test-issuer';

const AUDIENCE = 'muster-api';
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer(AUDIENCE);
});
afterAll(async () => {
  await issuer.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** Imports the authorizer as a cold start would, with the OIDC configuration given. */
async function coldStart(jwksUrl = issuer.jwksUrl) {
  vi.stubEnv('OIDC_ISSUER', issuer.issuer);
  vi.stubEnv('OIDC_JWKS_URL', jwksUrl);
  vi.stubEnv('OIDC_AUDIENCE', AUDIENCE);
  return import('../../../functions/auth/handlers/authorizer');
}

function requestEvent(method: string, headers: Record<string, string>): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:us-east-1:123456789012:api/dev/${method}/v1/me`,
    resource: '/v1/me',
    path: '/v1/me',
    httpMethod: method,
    headers,
    multiValueHeaders: {},
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'req-1' } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

describe('authorizer handler', () => {
  it('allows a valid bearer token, scoped to the method, with the identity as context', async () => {
    const { handler } = await coldStart();
    const token = await issuer.sign({
      sub: 'u_1',
      tenant_id: 'acme',
      email: 'ann@acme.test',
      email_verified: true,
    });
    const result = await handler(requestEvent('GET', { Authorization: `Bearer ${token}` }), lambdaContext);
    expect(result.policyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Resource: expect.stringContaining('/GET/v1/me') }),
    ]);
    expect(result.context).toEqual({
      tenantId: 'acme',
      subject: 'u_1',
      issuer: issuer.issuer,
      email: 'ann@acme.test',
      emailVerified: 'true',
      authMethod: 'bearer',
    });
  });

  it('answers Unauthorized (API Gateway 401) without credentials', async () => {
    const { handler } = await coldStart();
    await expect(handler(requestEvent('GET', {}), lambdaContext)).rejects.toThrow(/^Unauthorized$/);
  });

  it('denies a session mutation without CSRF token with a code and a message safe inside a JSON template', async () => {
    const { handler } = await coldStart();
    const session = await issuer.sign({ sub: 'u_1', tenant_id: 'acme', csrf: 'hash' });
    const result = await handler(
      requestEvent('POST', { cookie: `muster_session=${session}` }),
      lambdaContext,
    );
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context?.denialCode).toBe('CSRF_TOKEN_MISSING');
    const rendered = `{"error":{"code":"${result.context?.denialCode}","message":"${result.context?.denialMessage}"}}`;
    expect(JSON.parse(rendered).error.message).toMatch(/x-csrf-token/);
  });

  it('fails (API Gateway 5xx), not 401, when the identity provider cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await new Promise((resolve) => closed.close(resolve));
    const { handler } = await coldStart(`http://127.0.0.1:${port}/jwks.json`);
    const token = await issuer.sign({ sub: 'u_1', tenant_id: 'acme' });
    const outcome = await handler(
      requestEvent('GET', { authorization: `Bearer ${token}` }),
      lambdaContext,
    ).then(
      () => 'allowed',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(outcome).not.toBe('allowed');
    expect(outcome).not.toBe('Unauthorized');
  });
});

describe('templateSafe', () => {
  it('removes what would break a JSON string', async () => {
    const { templateSafe } = await coldStart();
    const unsafe = 'say "hi" \\ then\nnewline\ttab';
    expect(JSON.parse(`"${templateSafe(unsafe)}"`)).toBe("say 'hi' / then newline tab");
  });
});
