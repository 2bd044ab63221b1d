import { createServer } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuthenticatedIdentity } from '../../../functions/identity/use-cases/settle-identity';
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
  vi.stubEnv('TABLE_NAME', 'muster-unit');
  vi.stubEnv('EVENT_BUS_NAME', 'muster-unit');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  return import('../../../functions/auth/handlers/authorizer');
}

/**
 * The authorizer around an in-memory directory that knows the subjects of `linked` (subject → user
 * id), recording what it was asked to settle.
 */
async function authorizerWith(
  linked: Record<string, string> = {},
  settle?: (identity: AuthenticatedIdentity) => Promise<string | undefined>,
) {
  const { createAuthorizer } = await coldStart();
  const asked: AuthenticatedIdentity[] = [];
  const handler = createAuthorizer(async (identity) => {
    asked.push(identity);
    return settle ? settle(identity) : linked[identity.subject];
  });
  return { handler, asked };
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
  it('allows a valid bearer token, scoped to the method, with the identity and its user as context', async () => {
    const { handler, asked } = await authorizerWith({ 'idp|1': 'u_1' });
    const token = await issuer.sign({
      sub: 'idp|1',
      tenant_id: 'acme',
      email: 'ann@acme.test',
      email_verified: true,
    });
    const result = await handler(
      requestEvent('GET', { Authorization: `Bearer ${token}`, 'x-correlation-id': 'corr-1' }),
      lambdaContext,
    );
    expect(result.policyDocument.Statement).toEqual([
      expect.objectContaining({ Effect: 'Allow', Resource: expect.stringContaining('/GET/v1/me') }),
    ]);
    expect(result.context).toEqual({
      tenantId: 'acme',
      subject: 'idp|1',
      issuer: issuer.issuer,
      email: 'ann@acme.test',
      emailVerified: 'true',
      authMethod: 'bearer',
      userId: 'u_1',
    });
    expect(asked).toEqual([
      {
        tenantId: 'acme',
        issuer: issuer.issuer,
        subject: 'idp|1',
        verifiedEmail: 'ann@acme.test',
        correlationId: 'corr-1',
      },
    ]);
  });

  it('allows an identity the directory does not know, with no userId in the context', async () => {
    const { handler } = await authorizerWith();
    const token = await issuer.sign({ sub: 'idp|stranger', tenant_id: 'acme' });
    const result = await handler(requestEvent('GET', { authorization: `Bearer ${token}` }), lambdaContext);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(result.context).not.toHaveProperty('userId');
  });

  it('settles an unverified email as no email: only a verified one may link or provision', async () => {
    const { handler, asked } = await authorizerWith();
    const token = await issuer.sign({
      sub: 'idp|1',
      tenant_id: 'acme',
      email: 'ann@acme.test',
      email_verified: false,
    });
    await handler(requestEvent('GET', { authorization: `Bearer ${token}` }), lambdaContext);
    expect(asked).toHaveLength(1);
    expect(asked[0]).not.toHaveProperty('verifiedEmail');
    // No correlation header: the request id stands in, as the route will use it.
    expect(asked[0]?.correlationId).toBe('req-1');
  });

  it('denies (API Gateway 403) with the code and message of a refused first sign-in', async () => {
    // The error class of the module graph the cold start loaded, as the authorizer's own check sees it.
    const { ForbiddenError } = await import('../../../functions/shared/errors');
    const { handler } = await authorizerWith({}, async () => {
      throw new ForbiddenError('EMAIL_NOT_VERIFIED', 'Your "provider" has not verified your email.');
    });
    const token = await issuer.sign({ sub: 'idp|1', tenant_id: 'acme' });
    const result = await handler(requestEvent('GET', { authorization: `Bearer ${token}` }), lambdaContext);
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Deny' });
    expect(result.context).toEqual({
      denialCode: 'EMAIL_NOT_VERIFIED',
      denialMessage: "Your 'provider' has not verified your email.",
    });
  });

  it('fails (API Gateway 5xx), not 401 or 403, when the directory cannot be reached', async () => {
    const down = new Error('DynamoDB unreachable');
    const { handler } = await authorizerWith({}, async () => {
      throw down;
    });
    const token = await issuer.sign({ sub: 'idp|1', tenant_id: 'acme' });
    await expect(
      handler(requestEvent('GET', { authorization: `Bearer ${token}` }), lambdaContext),
    ).rejects.toBe(down);
  });

  it('settles nobody for a request it refuses: no first sign-in without valid credentials and CSRF', async () => {
    const { handler, asked } = await authorizerWith();
    await expect(handler(requestEvent('GET', {}), lambdaContext)).rejects.toThrow(/^Unauthorized$/);
    const session = await issuer.sign({ sub: 'u_1', tenant_id: 'acme', csrf: 'hash' });
    await handler(requestEvent('POST', { cookie: `muster_session=${session}` }), lambdaContext);
    expect(asked).toEqual([]);
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
