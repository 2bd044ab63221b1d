import { describe, expect, it } from 'vitest';
import {
  buildAuthorizerEvent,
  buildProxyEvent,
  isBinaryMediaType,
  methodArn,
  type RequestSnapshot,
} from '../../../local/api/proxy-event';

function snapshot(overrides: Partial<RequestSnapshot> = {}): RequestSnapshot {
  return {
    method: 'POST',
    url: '/v1/admin/users/u_1?expand=roles&tag=a&tag=b%20c&empty',
    headers: {
      'content-type': ['application/json'],
      'x-correlation-id': ['first', 'second'],
      'user-agent': ['vitest'],
      cookie: ['a=1', 'b=2'],
    },
    body: Buffer.from('{"displayName":"Ada"}'),
    sourceIp: '127.0.0.1',
    requestId: 'req-1',
    requestTimeEpoch: Date.UTC(2025, 3, 9, 12, 34, 56),
    ...overrides,
  };
}

const route = { resource: '/v1/admin/users/{userId}', pathParameters: { userId: 'u_1' } };

describe('buildProxyEvent', () => {
  it('builds the REST (v1) proxy event of a request', () => {
    const event = buildProxyEvent(snapshot(), route, {
      tenantId: 't1',
      principalId: 'u_1',
      integrationLatency: 3,
    });
    expect(event).toMatchObject({
      resource: '/v1/admin/users/{userId}',
      path: '/v1/admin/users/u_1',
      httpMethod: 'POST',
      pathParameters: { userId: 'u_1' },
      stageVariables: null,
      body: '{"displayName":"Ada"}',
      isBase64Encoded: false,
      requestContext: {
        stage: 'local',
        requestId: 'req-1',
        path: '/local/v1/admin/users/u_1',
        resourcePath: '/v1/admin/users/{userId}',
        httpMethod: 'POST',
        requestTimeEpoch: Date.UTC(2025, 3, 9, 12, 34, 56),
        requestTime: '09/Apr/2025:12:34:56 +0000',
        identity: { sourceIp: '127.0.0.1', userAgent: 'vitest' },
        authorizer: { tenantId: 't1', principalId: 'u_1', integrationLatency: 3 },
      },
    });
  });

  it('keeps the last value of a repeated header in headers, and all of them in multiValueHeaders', () => {
    const event = buildProxyEvent(snapshot(), route, undefined);
    expect(event.headers['x-correlation-id']).toBe('second');
    expect(event.multiValueHeaders['x-correlation-id']).toEqual(['first', 'second']);
    expect(event.multiValueHeaders.cookie).toEqual(['a=1', 'b=2']);
    expect(event.headers['content-type']).toBe('application/json');
  });

  it('decodes the query string into single and multi-value maps', () => {
    const event = buildProxyEvent(snapshot(), route, undefined);
    expect(event.queryStringParameters).toEqual({ expand: 'roles', tag: 'b c', empty: '' });
    expect(event.multiValueQueryStringParameters).toEqual({
      expand: ['roles'],
      tag: ['a', 'b c'],
      empty: [''],
    });
  });

  it('uses null for an absent query string, path parameters and body', () => {
    const event = buildProxyEvent(
      snapshot({ method: 'GET', url: '/health', body: Buffer.alloc(0) }),
      { resource: '/health', pathParameters: {} },
      undefined,
    );
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('base64-encodes a binary body', () => {
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]);
    const event = buildProxyEvent(
      snapshot({
        headers: { 'content-type': ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
        body: bytes,
      }),
      route,
      undefined,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64')).toEqual(bytes);
  });
});

describe('buildAuthorizerEvent', () => {
  it('is a REQUEST authorizer event for the method ARN, without the body', () => {
    const event = buildAuthorizerEvent(snapshot({ method: 'GET' }), route);
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:us-east-1:000000000000:local/local/GET/v1/admin/users/u_1',
      resource: '/v1/admin/users/{userId}',
      path: '/v1/admin/users/u_1',
      httpMethod: 'GET',
      headers: { cookie: 'b=2' },
      pathParameters: { userId: 'u_1' },
    });
    expect(event).not.toHaveProperty('body');
  });

  it('names the method and the request path in the ARN', () => {
    expect(methodArn('PATCH', '/v1/me')).toBe(
      'arn:aws:execute-api:us-east-1:000000000000:local/local/PATCH/v1/me',
    );
  });
});

describe('isBinaryMediaType', () => {
  it('treats text, JSON, XML and forms as text, and everything else as binary', () => {
    for (const text of [
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'text/csv',
      'TEXT/PLAIN',
      'application/x-www-form-urlencoded',
      'application/xml',
    ]) {
      expect(isBinaryMediaType(text), String(text)).toBe(false);
    }
    for (const binary of [
      'application/octet-stream',
      'multipart/form-data; boundary=x',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'image/png',
    ]) {
      expect(isBinaryMediaType(binary), binary).toBe(true);
    }
  });
});
