import type {
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../environment';

const LOCAL_STAGE = 'local';
const LOCAL_API_ID = 'local';

/** What the front keeps of an HTTP request to build API Gateway events from it. */
export interface RequestSnapshot {
  readonly method: string;
  /** Path and query string as received, still percent-encoded. */
  readonly url: string;
  /** Lower-case names, every value in arrival order (Node's `headersDistinct`). */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
}

/** The matched route: its template (`resource`) and the values of its `{param}` segments. */
export interface ResolvedRoute {
  readonly resource: string;
  readonly pathParameters: Readonly<Record<string, string>>;
}

export type AuthorizerContext = Readonly<Record<string, string | number>>;

/** A REST (v1) Lambda proxy integration event. */
export function buildProxyEvent(
  request: RequestSnapshot,
  route: ResolvedRoute,
  authorizer: AuthorizerContext | undefined,
): APIGatewayProxyEvent {
  const binary = isBinaryMediaType(lastValue(request.headers['content-type']));
  return {
    ...requestParts(request, route),
    requestContext: requestContext(request, route, authorizer),
    body: request.body.length === 0 ? null : request.body.toString(binary ? 'base64' : 'utf8'),
    isBase64Encoded: binary && request.body.length > 0,
  };
}

/** The event of a REQUEST Lambda authorizer: the request without its body. */
export function buildAuthorizerEvent(
  request: RequestSnapshot,
  route: ResolvedRoute,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: methodArn(request.method, pathOf(request.url)),
    ...requestParts(request, route),
    requestContext: requestContext(request, route, undefined),
  };
}

/** `arn:aws:execute-api:{region}:{account}:{api}/{stage}/{method}/{path}`, as an authorizer policy names it. */
export function methodArn(method: string, path: string): string {
  return `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${LOCAL_API_ID}/${LOCAL_STAGE}/${method}${path}`;
}

/**
 * API Gateway base64-encodes the body when its media type is one of the API's binary media
 * types. Locally everything that is not text is binary: uploads (spreadsheets, multipart) arrive
 * base64-encoded as they would with the binary types the API declares, and JSON stays text.
 */
export function isBinaryMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (!mediaType) return false;
  return !(
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType.endsWith('+json') ||
    mediaType === 'application/xml' ||
    mediaType.endsWith('+xml') ||
    mediaType === 'application/x-www-form-urlencoded' ||
    mediaType === 'application/javascript'
  );
}

function requestParts(request: RequestSnapshot, route: ResolvedRoute) {
  const query = new URLSearchParams(queryOf(request.url));
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of query) multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  const hasPathParameters = Object.keys(route.pathParameters).length > 0;
  return {
    resource: route.resource,
    path: pathOf(request.url),
    httpMethod: request.method,
    // API Gateway keeps the last value of a repeated header or query parameter in the single-value maps.
    headers: mapValues(request.headers, lastValue),
    multiValueHeaders: mapValues(request.headers, (values) => [...values]),
    queryStringParameters: hasQuery ? mapValues(multiValueQuery, lastValue) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: hasPathParameters ? { ...route.pathParameters } : null,
    stageVariables: null,
  };
}

function requestContext<TAuthorizer>(
  request: RequestSnapshot,
  route: ResolvedRoute,
  authorizer: TAuthorizer,
): APIGatewayEventRequestContextWithAuthorizer<TAuthorizer> {
  return {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: LOCAL_API_ID,
    authorizer,
    protocol: 'HTTP/1.1',
    httpMethod: request.method,
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
      sourceIp: request.sourceIp,
      user: null,
      userAgent: lastValue(request.headers['user-agent']) ?? null,
      userArn: null,
    },
    path: `/${LOCAL_STAGE}${pathOf(request.url)}`,
    stage: LOCAL_STAGE,
    requestId: request.requestId,
    requestTime: formatRequestTime(new Date(request.requestTimeEpoch)),
    requestTimeEpoch: request.requestTimeEpoch,
    resourceId: route.resource,
    resourcePath: route.resource,
  };
}

function pathOf(url: string): string {
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

function queryOf(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}

function lastValue(values: readonly string[] | undefined): string | undefined {
  return values?.at(-1);
}

function mapValues<TIn, TOut>(
  record: Readonly<Record<string, TIn>>,
  map: (value: TIn) => TOut | undefined,
): Record<string, TOut> {
  return Object.fromEntries(
    Object.entries(record).flatMap(([name, value]) => {
      const mapped = map(value);
      return mapped === undefined ? [] : [[name, mapped]];
    }),
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime`: `09/Apr/2015:12:34:56 +0000`. */
function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
