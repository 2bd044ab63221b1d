import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { CORRELATION_HEADER } from '../../auth/claims';
import { logger, withLogScope } from '../../shared/observability';
import type { RouteAnswer, SubRequest } from '../use-cases/run-batch';
import { type BatchableMatch, batchableRoute } from './batchable-routes';

/** The envelope's own; a request of a batch answers in JSON inside it. */
const ENVELOPE_HEADERS = new Set(['content-type', 'cache-control', 'content-length']);

/**
 * Runs one request of a batch through its route, as API Gateway would call it directly: the same
 * authorizer context (the envelope's caller, already authenticated and, for a browser session,
 * CSRF-checked), the route's own parsing, authorisation, idempotency and audit. Its logs carry
 * its own correlation id and `batch_request_id`.
 */
export async function dispatchSubRequest(
  envelope: APIGatewayProxyEvent,
  context: Context,
  subRequest: SubRequest,
): Promise<RouteAnswer> {
  const { request } = subRequest;
  const [path = request.url, query] = request.url.split(/\?(.*)/s, 2);
  const match = batchableRoute(request.method, path);
  // runBatch refuses a batch with an unbatchable request before any request runs.
  if (!match) throw new Error(`No batchable route for ${request.method} ${path}`);

  return withLogScope({ batch_request_id: request.id }, async () => {
    const started = performance.now();
    const result = await match.handler.serve(
      subRequestEvent(envelope, subRequest, match, path, query),
      context,
    );
    logger.info('Batch request answered', {
      method: request.method,
      route: match.route.path,
      status: result.statusCode,
      duration_ms: Math.round(performance.now() - started),
    });
    const headers = Object.fromEntries(
      Object.entries(result.headers ?? {}).flatMap(([name, value]) =>
        ENVELOPE_HEADERS.has(name.toLowerCase()) || typeof value !== 'string'
          ? []
          : [[name.toLowerCase(), value]],
      ),
    );
    if (result.body === '') return { status: result.statusCode, headers };
    const body: unknown = JSON.parse(result.body);
    return { status: result.statusCode, headers, body };
  });
}

function subRequestEvent(
  envelope: APIGatewayProxyEvent,
  { request, correlationId, idempotencyKey }: SubRequest,
  match: BatchableMatch,
  path: string,
  query: string | undefined,
): APIGatewayProxyEvent {
  const userAgent = Object.entries(envelope.headers).find(
    ([name]) => name.toLowerCase() === 'user-agent',
  )?.[1];
  const headers: Record<string, string> = {
    ...(userAgent ? { 'user-agent': userAgent } : {}),
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...request.headers,
    ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
    [CORRELATION_HEADER]: correlationId,
  };
  const parameters = [...new URLSearchParams(query ?? '')];
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of parameters) multiValueQuery[name] = [...(multiValueQuery[name] ?? []), value];
  return {
    ...envelope,
    httpMethod: request.method,
    path,
    resource: match.route.path,
    pathParameters: { ...match.pathParameters },
    // As API Gateway's REST proxy: the last value of a repeated parameter, and all of them apart.
    queryStringParameters: parameters.length === 0 ? null : Object.fromEntries(parameters),
    multiValueQueryStringParameters: parameters.length === 0 ? null : multiValueQuery,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    body: request.body === undefined ? null : JSON.stringify(request.body),
    isBase64Encoded: false,
    requestContext: {
      ...envelope.requestContext,
      httpMethod: request.method,
      path,
      resourcePath: match.route.path,
      requestId: correlationId,
    },
  };
}
