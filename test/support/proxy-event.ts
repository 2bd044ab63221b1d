import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { AuthorizerContext } from '../../functions/auth/claims';
import { buildProxyEvent } from '../../local/api/proxy-event';

/**
 * An API Gateway REST proxy event for unit tests of handlers, built by the local front's own
 * builder so it has the shape handlers meet at run time.
 */
export function proxyEvent(
  overrides: {
    method?: string;
    body?: string | null;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    params?: Record<string, string>;
    authorizer?: AuthorizerContext;
  } = {},
): APIGatewayProxyEvent {
  const query = overrides.query ? `?${new URLSearchParams(overrides.query)}` : '';
  return buildProxyEvent(
    {
      method: overrides.method ?? 'GET',
      url: `/test${query}`,
      headers: Object.fromEntries(
        Object.entries(overrides.headers ?? {}).map(([name, value]) => [name.toLowerCase(), [value]]),
      ),
      body: Buffer.from(overrides.body ?? ''),
      sourceIp: '127.0.0.1',
      requestId: 'req-123',
      requestTimeEpoch: Date.now(),
    },
    { resource: '/test', pathParameters: overrides.params ?? {} },
    overrides.authorizer,
  );
}

export const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-function',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-req-1',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
