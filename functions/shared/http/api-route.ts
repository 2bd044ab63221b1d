import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { authorizerContextSchema, CORRELATION_HEADER } from '../../auth/claims';
import type { Caller } from '../../identity/caller';
import type { Permission } from '../../identity/domain/permissions';
import { decideAccess } from '../../identity/domain/rbac';
import type { Principal, SettledIdentity } from '../../identity/use-cases/resolve-principal';
import { AppError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import { type FlagName, type FlagSet, readFlags } from '../flags';
import { logger, metrics, publishRecordedMetrics, tracer } from '../observability';
import { errorResponse, type HttpErrorResponse, internalErrorResponse } from './error-envelope';
import type { RequestIdempotency } from './request-idempotency';
import {
  correlationIdFrom,
  DEFAULT_MAX_JSON_BODY_BYTES,
  headerValue,
  idempotencyKeyOf,
  parseJsonBody,
  validate,
} from './request-parsing';

export interface HttpResult {
  readonly statusCode: number;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as is, for text that is not JSON (a CSV file); set its content-type in `headers`. */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

interface RouteSpec<TBody extends z.ZodType, TQuery extends z.ZodType, TParams extends z.ZodType> {
  /** Names the operation in logs and metrics, e.g. `GetMe`. */
  readonly operation: string;
  /** The route exists only while this flag is on; off, it answers like an unknown route. */
  readonly flag?: FlagName;
  readonly body?: TBody;
  readonly query?: TQuery;
  readonly params?: TParams;
  readonly maxBodyBytes?: number;
  /** For the OpenAPI document only: the body of the success response. */
  readonly responseBody?: z.ZodType;
  /** For the OpenAPI document only, where `body` accepts any JSON and the use-case judges it (`$batch`). */
  readonly documentedBody?: z.ZodType;
}

interface PrincipalRouteSpec<TBody extends z.ZodType, TQuery extends z.ZodType, TParams extends z.ZodType>
  extends RouteSpec<TBody, TQuery, TParams> {
  /** Checked for every request; `user_mgmt_enforce` decides whether a miss denies or is only reported. */
  readonly permission?: Permission;
  readonly resolvePrincipal: (identity: SettledIdentity) => Promise<Principal>;
  /**
   * Honours an `Idempotency-Key` header: the first success under a key is stored and a repeat of
   * the same request answers it again without running; a failure is not stored, so it may be retried.
   */
  readonly idempotency?: RequestIdempotency;
}

/** What a route declares about itself, read by the OpenAPI generator. */
export interface RouteContract {
  readonly operation: string;
  readonly auth: 'public' | 'principal';
  readonly flag?: FlagName;
  readonly permission?: Permission;
  readonly idempotent: boolean;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly params?: z.ZodType;
  readonly responseBody?: z.ZodType;
}

export interface RouteInput<TBody extends z.ZodType, TQuery extends z.ZodType, TParams extends z.ZodType> {
  readonly body: z.infer<TBody>;
  readonly query: z.infer<TQuery>;
  readonly params: z.infer<TParams>;
  readonly correlationId: string;
  readonly flags: FlagSet;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The raw request and invocation, for a route that hands requests on (`$batch`). */
  readonly event: APIGatewayProxyEvent;
  readonly context: Context;
}

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** A route's Lambda handler, with what the rest of the API needs to know of it. */
export interface ApiRoute extends ApiHandler {
  /**
   * The route's own work, without the Lambda wrapper (logger context, tracing, metrics flush):
   * a `$batch` runs each of its requests through this inside its own invocation.
   */
  readonly serve: ApiHandler;
  readonly contract: RouteContract;
}

const ANYTHING = z.unknown();

/** A route anyone may call. */
export function publicRoute<
  TBody extends z.ZodType = typeof ANYTHING,
  TQuery extends z.ZodType = typeof ANYTHING,
  TParams extends z.ZodType = typeof ANYTHING,
>(
  spec: RouteSpec<TBody, TQuery, TParams>,
  run: (input: RouteInput<TBody, TQuery, TParams>) => Promise<HttpResult>,
): ApiRoute {
  return withPowertools(contractOf(spec, 'public', false), async (event, correlationId, context) => {
    const flags = routeFlags(spec);
    return run(parseRequest(spec, event, context, correlationId, flags));
  });
}

/** A route behind the authorizer: the caller is resolved to a directory user and checked. */
export function principalRoute<
  TBody extends z.ZodType = typeof ANYTHING,
  TQuery extends z.ZodType = typeof ANYTHING,
  TParams extends z.ZodType = typeof ANYTHING,
>(
  spec: PrincipalRouteSpec<TBody, TQuery, TParams>,
  run: (input: RouteInput<TBody, TQuery, TParams> & { readonly caller: Caller }) => Promise<HttpResult>,
): ApiRoute {
  const contract = {
    ...contractOf(spec, 'principal', spec.idempotency !== undefined),
    permission: spec.permission,
  };
  return withPowertools(contract, async (event, correlationId, context) => {
    const flags = routeFlags(spec);
    // Who is asking and whether they may is settled before their input is judged: a caller
    // without access learns nothing about the route's schema.
    const caller = await resolveCaller(spec, event, correlationId);
    if (spec.permission) requirePermission(caller, spec.permission, flags);
    const input = { ...parseRequest(spec, event, context, correlationId, flags), caller };
    const key = spec.idempotency ? idempotencyKeyOf(event.headers) : undefined;
    if (!spec.idempotency || key === undefined) return run(input);
    return spec.idempotency.once(
      {
        tenantId: caller.tenantId,
        // A key is the caller's own: another caller's same key is another request.
        key: `${caller.currentUserId}/${key}`,
        // The route and its decoded parameters, not the raw path: `/users/a%40b` and `/users/a@b/` are one request.
        request: {
          method: event.httpMethod,
          route: event.resource,
          params: input.params,
          query: input.query,
          body: input.body,
        },
      },
      () => run(input),
      context,
    );
  });
}

function contractOf(
  spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>,
  auth: RouteContract['auth'],
  idempotent: boolean,
): RouteContract {
  const { operation, flag, query, params, responseBody } = spec;
  return {
    operation,
    auth,
    flag,
    idempotent,
    body: spec.documentedBody ?? spec.body,
    query,
    params,
    responseBody,
  };
}

/**
 * Applies RBAC for one permission. With `user_mgmt_enforce` off (seed 003, before Phase C) the
 * request goes through but the would-be denial is logged and counted, so enforcement can be
 * switched on knowing what it will refuse.
 */
export function requirePermission(caller: Caller, permission: Permission, flags: FlagSet): void {
  const decision = decideAccess(caller.access, permission, flags.user_mgmt_enforce);
  if (decision.outcome === 'allow') return;
  if (decision.outcome === 'deny') {
    logger.warn('RBAC denied', { permission, current_role: caller.currentRole });
    metrics.addMetric('RbacDenied', MetricUnit.Count, 1);
    throw new ForbiddenError('PERMISSION_DENIED', `This action needs the permission "${permission}".`);
  }
  logger.warn('RBAC would deny (enforcement off)', { permission, current_role: caller.currentRole });
  metrics.addMetric('RbacWouldDeny', MetricUnit.Count, 1);
}

/** The flags for this request; a route whose flag is off answers like an unknown route. */
function routeFlags(spec: { readonly flag?: FlagName; readonly operation: string }): FlagSet {
  const flags = readFlags();
  if (spec.flag && !flags[spec.flag]) {
    throw new NotFoundError(
      'ROUTE_NOT_FOUND',
      'No such route. Check the method and path against the API reference.',
    );
  }
  logger.appendKeys({ operation: spec.operation });
  return flags;
}

function parseRequest<TBody extends z.ZodType, TQuery extends z.ZodType, TParams extends z.ZodType>(
  spec: RouteSpec<TBody, TQuery, TParams>,
  event: APIGatewayProxyEvent,
  context: Context,
  correlationId: string,
  flags: FlagSet,
): RouteInput<TBody, TQuery, TParams> {
  const rawBody = spec.body
    ? parseJsonBody(
        event.body,
        event.isBase64Encoded,
        headerValue(event.headers, 'content-type'),
        spec.maxBodyBytes ?? DEFAULT_MAX_JSON_BODY_BYTES,
      )
    : undefined;
  return {
    body: validate(orAnything(spec.body), rawBody, 'body'),
    query: validate(orAnything(spec.query), event.queryStringParameters ?? {}, 'query'),
    params: validate(orAnything(spec.params), event.pathParameters ?? {}, 'path'),
    correlationId,
    flags,
    headers: event.headers,
    event,
    context,
  };
}

/** A part the route declares no schema for is passed through untyped (its type parameter is then `unknown`). */
function orAnything<TSchema extends z.ZodType>(schema: TSchema | undefined): TSchema {
  return schema ?? (ANYTHING as z.ZodType as TSchema);
}

async function resolveCaller<TBody extends z.ZodType, TQuery extends z.ZodType, TParams extends z.ZodType>(
  spec: PrincipalRouteSpec<TBody, TQuery, TParams>,
  event: APIGatewayProxyEvent,
  correlationId: string,
): Promise<Caller> {
  const authorized = authorizerContextSchema.safeParse(event.requestContext.authorizer);
  if (!authorized.success) {
    throw new UnauthenticatedError('UNAUTHENTICATED', 'Missing or invalid credentials.');
  }
  const { tenantId, userId, authMethod } = authorized.data;
  const principal = await spec.resolvePrincipal({ tenantId, ...(userId ? { userId } : {}) });
  const currentUserId = principal.user.userId;
  logger.appendKeys({
    tenant_id: tenantId,
    current_user_id: currentUserId,
    current_role: principal.access.currentRole,
  });
  return {
    ...principal,
    tenantId,
    currentUserId,
    currentRole: principal.access.currentRole,
    authMethod,
    audit: {
      actor: { userId: currentUserId, tenantId },
      correlationId,
      sourceIp: event.requestContext.identity.sourceIp,
      userAgent: headerValue(event.headers, 'user-agent'),
    },
  };
}

function withPowertools(
  contract: RouteContract,
  core: (event: APIGatewayProxyEvent, correlationId: string, context: Context) => Promise<HttpResult>,
): ApiRoute {
  const serve = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const correlationId = correlationIdFrom(
      headerValue(event.headers, CORRELATION_HEADER),
      event.requestContext.requestId,
    );
    logger.setCorrelationId(correlationId);
    try {
      const result = await core(event, correlationId, context);
      if (result.rawBody !== undefined) {
        const proxied = toProxyResult(result.statusCode, undefined, result.headers ?? {}, correlationId);
        return { ...proxied, body: result.rawBody };
      }
      return toProxyResult(result.statusCode, result.body, result.headers ?? {}, correlationId);
    } catch (error) {
      const response = describeFailure(error, correlationId);
      return toProxyResult(response.statusCode, response.envelope, response.headers, correlationId);
    }
  };
  const route = middy(serve);
  if (tracer !== undefined) route.use(captureLambdaHandler(tracer));
  const handler = route.use(injectLambdaContext(logger, { resetKeys: true })).use(publishRecordedMetrics());
  return Object.assign(handler, { serve, contract });
}

function describeFailure(error: unknown, correlationId: string): HttpErrorResponse {
  if (error instanceof AppError) {
    logger.info('Request refused', { code: error.code, kind: error.kind });
    return errorResponse(error, correlationId);
  }
  if (error instanceof Error) logger.error('Unhandled error', error);
  else logger.error('Unhandled error', { error: String(error) });
  return internalErrorResponse(correlationId);
}

function toProxyResult(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  correlationId: string,
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      ...headers,
      [CORRELATION_HEADER]: correlationId,
    },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}
