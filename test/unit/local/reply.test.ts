import { describe, expect, it } from 'vitest';
import { GATEWAY_RESPONSES } from '../../../config/gateway-responses';
import { gatewayReply } from '../../../local/api/reply';

const REQUEST_ID = 'c0ffee00-0000-4000-8000-000000000001';

function bodyOf(reply: ReturnType<typeof gatewayReply>): unknown {
  return JSON.parse(reply.body.toString('utf8'));
}

describe('gatewayReply', () => {
  it('answers in the envelope with the request id as correlation id, as $context.requestId in AWS', () => {
    const reply = gatewayReply('ROUTE_NOT_FOUND', REQUEST_ID);
    expect(reply.statusCode).toBe(404);
    expect(bodyOf(reply)).toEqual({
      error: {
        code: GATEWAY_RESPONSES.ROUTE_NOT_FOUND.code,
        message: GATEWAY_RESPONSES.ROUTE_NOT_FOUND.message,
      },
      correlationId: REQUEST_ID,
    });
  });

  it('sends no x-correlation-id header, which API Gateway cannot fill with the request id', () => {
    for (const kind of Object.keys(GATEWAY_RESPONSES) as (keyof typeof GATEWAY_RESPONSES)[]) {
      expect(gatewayReply(kind, REQUEST_ID).headers, kind).not.toHaveProperty('x-correlation-id');
    }
  });

  it('sends the configured headers: Retry-After on THROTTLED', () => {
    const reply = gatewayReply('THROTTLED', REQUEST_ID);
    expect(reply.statusCode).toBe(429);
    expect(reply.headers).toEqual({ 'content-type': ['application/json'], 'retry-after': ['1'] });
    expect(gatewayReply('UNAUTHORIZED', REQUEST_ID).headers).toEqual({
      'content-type': ['application/json'],
    });
  });

  it('lets a denying authorizer name the code and message', () => {
    const reply = gatewayReply('ACCESS_DENIED', REQUEST_ID, {
      code: 'CSRF_TOKEN_MISSING',
      message: 'Send it.',
    });
    expect(reply.statusCode).toBe(403);
    expect(bodyOf(reply)).toEqual({
      error: { code: 'CSRF_TOKEN_MISSING', message: 'Send it.' },
      correlationId: REQUEST_ID,
    });
  });
});
