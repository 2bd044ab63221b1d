import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { authorize, policyAllows } from '../../../local/api/authorizer';
import { buildAuthorizerEvent } from '../../../local/api/proxy-event';

const event: APIGatewayRequestAuthorizerEvent = buildAuthorizerEvent(
  {
    method: 'GET',
    url: '/v1/me',
    headers: { authorization: ['Bearer x'] },
    body: Buffer.alloc(0),
    sourceIp: '127.0.0.1',
    requestId: 'r1',
    requestTimeEpoch: 0,
  },
  { resource: '/v1/me', pathParameters: {} },
);

function policy(
  effect: 'Allow' | 'Deny',
  resource: string | string[] = event.methodArn,
  action = 'execute-api:Invoke',
) {
  return { Version: '2012-10-17', Statement: [{ Effect: effect, Action: action, Resource: resource }] };
}

describe('authorize', () => {
  it('passes an allowing policy context on, stringified, with principalId', async () => {
    const outcome = await authorize(
      async () => ({
        principalId: 'u_1',
        policyDocument: policy('Allow'),
        context: { tenantId: 't1', admin: true, level: 3, absent: null },
      }),
      event,
    );
    expect(outcome).toEqual({
      kind: 'allowed',
      context: {
        tenantId: 't1',
        admin: 'true',
        level: '3',
        principalId: 'u_1',
        integrationLatency: expect.any(Number),
      },
    });
  });

  it("treats `throw new Error('Unauthorized')` as a 401", async () => {
    const outcome = await authorize(async () => {
      throw new Error('Unauthorized');
    }, event);
    expect(outcome).toEqual({ kind: 'unauthorized' });
  });

  it('reports a denial with the code and message the authorizer put in its context', async () => {
    const outcome = await authorize(
      async () => ({
        principalId: 'u_1',
        policyDocument: policy('Deny'),
        context: { denialCode: 'CSRF_MISMATCH', denialMessage: 'Send the x-csrf-token header.' },
      }),
      event,
    );
    expect(outcome).toEqual({
      kind: 'denied',
      code: 'CSRF_MISMATCH',
      message: 'Send the x-csrf-token header.',
    });
    const bare = await authorize(async () => ({ principalId: 'u_1', policyDocument: policy('Deny') }), event);
    expect(bare).toEqual({ kind: 'denied' });
  });

  it('fails on any other error and on a malformed result', async () => {
    const thrown = await authorize(async () => {
      throw new Error('JWKS unreachable');
    }, event);
    expect(thrown.kind).toBe('failed');
    for (const malformed of [
      undefined,
      { principalId: 'u' },
      { principalId: 'u', policyDocument: policy('Allow'), context: { nested: {} } },
    ]) {
      expect((await authorize(async () => malformed, event)).kind).toBe('failed');
    }
  });
});

describe('policyAllows', () => {
  const arn = event.methodArn;

  it('allows with an Allow on the method ARN or a wildcard over it', () => {
    expect(policyAllows(policy('Allow').Statement, arn)).toBe(true);
    expect(
      policyAllows(policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:local/*').Statement, arn),
    ).toBe(true);
    expect(
      policyAllows(
        policy('Allow', ['arn:other', 'arn:aws:execute-api:*:*:local/local/GET/*']).Statement,
        arn,
      ),
    ).toBe(true);
    expect(policyAllows(policy('Allow', arn, 'execute-api:*').Statement, arn)).toBe(true);
    expect(policyAllows(policy('Allow', arn, 'EXECUTE-API:invoke').Statement, arn)).toBe(true);
  });

  it('denies without a matching Allow, and when any Deny matches', () => {
    expect(policyAllows([], arn)).toBe(false);
    expect(
      policyAllows(
        policy('Allow', 'arn:aws:execute-api:us-east-1:000000000000:local/local/POST/*').Statement,
        arn,
      ),
    ).toBe(false);
    expect(policyAllows(policy('Allow', arn, 's3:GetObject').Statement, arn)).toBe(false);
    expect(policyAllows([...policy('Allow', '*').Statement, ...policy('Deny').Statement], arn)).toBe(false);
  });

  it('treats ? as one character and regex characters literally', () => {
    expect(policyAllows(policy('Allow', arn.replace('GET', 'G?T')).Statement, arn)).toBe(true);
    expect(policyAllows(policy('Allow', arn.replace('/v1/me', '/v1.me')).Statement, arn)).toBe(false);
  });
});
