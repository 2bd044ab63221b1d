import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { AuthorizerContext } from '../../functions/auth/claims';

/** A minimal API Gateway REST proxy event for unit tests of handlers. */
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
  return {
    resource: '/test',
    path: '/test',
    httpMethod: overrides.method ?? 'GET',
    headers: overrides.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: overrides.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: overrides.params ?? null,
    stageVariables: null,
    body: overrides.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authorizer: overrides.authorizer ?? null,
      protocol: 'HTTP/1.1',
      httpMethod: overrides.method ?? 'GET',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: '/test',
      stage: 'test',
      requestId: 'req-123',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: '/test',
    },
  };
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
