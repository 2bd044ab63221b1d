import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../functions/auth/claims';
import { AppError, NotFoundError } from '../../functions/shared/errors';
import { errorResponse } from '../../functions/shared/http/error-envelope';
import { parseJsonBody, validate } from '../../functions/shared/http/request-parsing';
import type { RouteLike } from '../../functions/shared/http/router';
import type { DynamoDbFaultProxy } from '../dynamodb/fault-proxy';
import type { LocalEventBus } from '../eventbridge/bus';
import {
  type EventBridgeFaultReport,
  type EventBridgeFaults,
  eventBridgeFaultsSchema,
} from '../eventbridge/faults';
import type { EnsurePrincipal } from '../issuer/ensure-principal';
import type { LocalIssuer } from '../issuer/local-issuer';
import { log } from '../log';
import type { LocalScheduler } from '../schedules/scheduler';
import type { SentEmail } from '../ses/engine';
import { type SesFaultReport, type SesFaults, sesFaultsSchema } from '../ses/faults';
import { DEFAULT_CAPACITY, LOG_LEVELS, type LocalTelemetry } from '../telemetry/telemetry';
import { errorReply, type HttpReply, jsonReply } from './reply';

/** A request to a `/_local/*` endpoint, already read within the API's body limit. */
export interface LocalRequest {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly query: URLSearchParams;
  readonly correlationId: string;
  /** Decoded values of the endpoint path's `{param}` segments. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

export interface LocalRoute extends RouteLike {
  handle(request: LocalRequest): Promise<HttpReply>;
}

export interface LocalEndpointDependencies {
  readonly issuer: LocalIssuer;
  /** Provisions the principal a token or session names (local/issuer/ensure-principal.ts). */
  readonly ensurePrincipal: EnsurePrincipal;
  readonly sentEmails: () => Promise<SentEmail[]>;
  readonly bus: Pick<LocalEventBus, 'events' | 'drain'>;
  /** Fires a schedule of config/schedules.ts as if the clock read a given time. */
  readonly scheduler: Pick<LocalScheduler, 'has' | 'fire'>;
  /** What handlers logged and the metrics they published (local/telemetry/). */
  readonly telemetry: Pick<LocalTelemetry, 'logs' | 'dataPoints'>;
  /** The fault switches of the SES engine and of the bus's PutEvents (tests of messaging faults). */
  readonly messagingFaults: {
    readonly ses: FaultSwitch<SesFaults, SesFaultReport>;
    readonly eventbridge: FaultSwitch<EventBridgeFaults, EventBridgeFaultReport>;
  };
  /** How long `GET /_local/events` waits for deliveries in flight; default 5 s. */
  readonly eventsDrainTimeoutMs?: number;
  /** The proxy in front of DynamoDB Local that throttles a tenant's writes (local/dynamodb/fault-proxy.ts). */
  readonly dynamodbFaults: Pick<DynamoDbFaultProxy, 'throttleWrites' | 'clear' | 'throttling'>;
}

/** Arms a local engine's faults (`undefined` disarms) and reports what they did. */
export interface FaultSwitch<TFaults, TReport> {
  set(faults: TFaults | undefined): void;
  report(): TReport;
}

const TOKEN_LIFETIME_SECONDS = 3600;
const EVENTS_DRAIN_TIMEOUT_MS = 5_000;
const MAX_LOCAL_BODY_BYTES = 16 * 1024;

const principalSchema = z.object({
  tenantId: z.string().trim().min(1).max(128),
  email: z.email(),
  roles: z.array(z.string().trim().min(1)).max(50).optional(),
});
/** Two knobs exist only for tests of the authorizer and of sign-in; no identity provider offers them. */
const tokenRequestSchema = principalSchema
  .extend({
    /** A negative lifetime mints an already expired token. */
    expiresInSeconds: z.number().int().min(-86_400).max(86_400).optional(),
    /**
     * Signs this `sub` and provisions nothing: a token for an identity the directory may not know
     * (a first sign-in, a subject linked to someone else).
     */
    subject: z.string().trim().min(1).max(256).optional(),
  })
  .refine((input) => input.subject === undefined || input.roles === undefined, {
    path: ['roles'],
    message: 'roles provision a user; a token for a given subject provisions nothing',
  });
type TokenRequest = z.infer<typeof tokenRequestSchema>;

const chaosRequestSchema = z.union([
  z.strictObject({
    point: z.string().min(1),
    tenantId: z.string().min(1),
    /** Points without rows (`finalize`) pass row 0: the default fails them on their first call. */
    afterRow: z.number().int().min(0).default(0),
    times: z.number().int().min(1).max(10_000).default(1),
  }),
  /** With a tenant: disarms that tenant's fault only; `{}`: every tenant's. */
  z.strictObject({ point: z.undefined().optional(), tenantId: z.string().min(1).optional() }),
]);

const armedChaosSchema = z.array(z.object({ tenantId: z.string() }).loose());

const dynamodbFaultsSchema = z.union([
  z.strictObject({
    tenantId: z.string().trim().min(1).max(128),
    /** The share of the tenant's writes answered with a throttling error (or, in a batch, left unprocessed). */
    writeThrottleRate: z.number().min(0).max(1),
  }),
  z.strictObject({}),
]);
const dynamodbFaultsQuerySchema = z.strictObject({ tenantId: z.string().trim().min(1).max(128) });

const scheduleRunSchema = z.strictObject({
  /** The clock the run sees; absent: now. Tests pass a time ahead to see reminders and expiries. */
  at: z.iso.datetime({ offset: true }).optional(),
  /** Narrows the run to one tenant, so a test's fake clock reaches no other test's tenant. */
  tenantId: z.string().trim().min(1).max(128).optional(),
});

const DEFAULT_TELEMETRY_LIMIT = 1_000;
const telemetryLimit = z.coerce
  .number()
  .int()
  .min(1)
  .max(Math.max(DEFAULT_CAPACITY.logRecords, DEFAULT_CAPACITY.dataPoints))
  .default(DEFAULT_TELEMETRY_LIMIT);
const correlationIdFilter = z.string().trim().min(1).max(256).optional();

const logQuerySchema = z.strictObject({
  correlationId: correlationIdFilter,
  /** Any case, as LOG_LEVEL takes it. */
  level: z
    .preprocess((level) => (typeof level === 'string' ? level.toUpperCase() : level), z.enum(LOG_LEVELS))
    .optional(),
  message: z.string().min(1).max(256).optional(),
  limit: telemetryLimit,
});

const metricQuerySchema = z.strictObject({
  name: z.string().trim().min(1).max(256).optional(),
  correlationId: correlationIdFilter,
  limit: telemetryLimit,
});

/** The local-only conveniences of DESIGN.md "Local stack"; never deployed. */
export function localEndpoints(deps: LocalEndpointDependencies): LocalRoute[] {
  const { issuer } = deps;

  function readInput<TSchema extends z.ZodType>(request: LocalRequest, schema: TSchema): z.infer<TSchema> {
    const body = parseJsonBody(
      request.body.toString('utf8'),
      false,
      request.contentType,
      MAX_LOCAL_BODY_BYTES,
    );
    return validate(schema, body, 'body');
  }

  /** The principal's own identity, provisioned if missing; with `subject`, that `sub` and no user. */
  async function identityOf(input: TokenRequest): Promise<{ subject: string; userId?: string }> {
    if (input.subject !== undefined) return { subject: input.subject };
    return deps.ensurePrincipal({
      tenantId: input.tenantId,
      email: input.email,
      ...(input.roles ? { roles: input.roles } : {}),
      issuer: issuer.issuer,
    });
  }

  async function mint(input: TokenRequest, csrf?: string) {
    const { subject, userId } = await identityOf(input);
    const expiresIn = input.expiresInSeconds ?? TOKEN_LIFETIME_SECONDS;
    const claims = {
      sub: subject,
      tenant_id: input.tenantId,
      email: input.email,
      ...(csrf ? { csrf } : {}),
    };
    const token = await issuer.sign(claims, expiresIn);
    return { expiresIn, token, ...(userId === undefined ? {} : { userId }) };
  }

  return [
    {
      method: 'GET',
      path: '/_local/.well-known/jwks.json',
      handle: async () => jsonReply(200, issuer.jwks()),
    },
    {
      method: 'GET',
      path: '/_local/.well-known/openid-configuration',
      handle: async () => jsonReply(200, issuer.openIdConfiguration()),
    },
    {
      method: 'POST',
      path: '/_local/token',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const { token, expiresIn, ...user } = await mint(readInput(request, tokenRequestSchema));
          return jsonReply(200, { accessToken: token, ...user, tokenType: 'Bearer', expiresIn });
        }),
    },
    {
      method: 'POST',
      path: '/_local/session',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const csrfToken = randomBytes(32).toString('base64url');
          const csrfHash = createHash('sha256').update(csrfToken).digest('base64url');
          const { userId, token } = await mint(readInput(request, principalSchema), csrfHash);
          const attributes = `Path=/; Max-Age=${TOKEN_LIFETIME_SECONDS}; SameSite=Strict`;
          return jsonReply(
            200,
            { csrfToken, userId },
            {
              'set-cookie': [
                `${SESSION_COOKIE}=${token}; ${attributes}; HttpOnly`,
                // Readable by the page, which echoes it in the x-csrf-token header.
                `${CSRF_COOKIE}=${csrfToken}; ${attributes}`,
              ],
            },
          );
        }),
    },
    {
      // Arms one tenant's fault of the chaos hook of functions/shared/chaos.ts on this running stack,
      // for tests of crashes mid-batch (every handler here shares the process); `{tenantId}`
      // disarms that tenant's, `{}` every tenant's.
      method: 'PUT',
      path: '/_local/chaos',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const chaos = readInput(request, chaosRequestSchema);
          const armed = armedChaosSchema.parse(JSON.parse(process.env.MUSTER_CHAOS ?? '[]'));
          const others =
            chaos.tenantId === undefined ? [] : armed.filter((fault) => fault.tenantId !== chaos.tenantId);
          const faults = chaos.point === undefined ? others : [...others, { ...chaos, armedAt: Date.now() }];
          if (faults.length === 0) delete process.env.MUSTER_CHAOS;
          else process.env.MUSTER_CHAOS = JSON.stringify(faults);
          return jsonReply(200, { armed: chaos.point !== undefined });
        }),
    },
    ...messagingFaultRoutes(deps.messagingFaults, readInput),
    {
      // Throttles one tenant's writes (`{tenantId, writeThrottleRate}`, each tenant on its own) or,
      // with `{}`, nobody's; what was injected stays readable with GET.
      method: 'PUT',
      path: '/_local/faults/dynamodb',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const faults = readInput(request, dynamodbFaultsSchema);
          if (!('tenantId' in faults)) deps.dynamodbFaults.clear();
          else deps.dynamodbFaults.throttleWrites(faults.tenantId, faults.writeThrottleRate);
          return jsonReply(200, { armed: 'tenantId' in faults && faults.writeThrottleRate > 0 });
        }),
    },
    {
      // What the proxy did to the tenant's writes since they were armed: errors by code, partial batches.
      method: 'GET',
      path: '/_local/faults/dynamodb',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const { tenantId } = validate(
            dynamodbFaultsQuerySchema,
            Object.fromEntries(request.query),
            'query',
          );
          const throttling = deps.dynamodbFaults.throttling(tenantId);
          if (!throttling) {
            throw new NotFoundError(
              'FAULTS_NOT_ARMED',
              `No DynamoDB faults were armed for tenant "${tenantId}".`,
            );
          }
          return jsonReply(200, {
            tenantId,
            writeThrottleRate: throttling.rate,
            injected: throttling.injected,
          });
        }),
    },
    {
      // Runs a schedule's target once with the given time as its clock (config/schedules.ts).
      method: 'POST',
      path: '/_local/schedules/{name}/run',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const name = request.pathParameters.name ?? '';
          if (!deps.scheduler.has(name)) {
            throw new NotFoundError('SCHEDULE_NOT_FOUND', `No schedule "${name}" in config/schedules.ts.`);
          }
          const { at, tenantId } = readInput(request, scheduleRunSchema);
          const clock = at === undefined ? new Date() : new Date(at);
          const result = await deps.scheduler.fire(name, clock, tenantId === undefined ? {} : { tenantId });
          return jsonReply(200, { schedule: name, at: clock.toISOString(), result: result ?? null });
        }),
    },
    {
      method: 'GET',
      path: '/_local/emails',
      handle: async () => jsonReply(200, await deps.sentEmails()),
    },
    {
      // Handlers' structured log records (local CloudWatch Logs), oldest first.
      method: 'GET',
      path: '/_local/logs',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const query = validate(logQuerySchema, Object.fromEntries(request.query), 'query');
          return jsonReply(200, { records: deps.telemetry.logs(query) });
        }),
    },
    {
      // Handlers' EMF metrics, one data point per metric and dimension set, oldest first.
      method: 'GET',
      path: '/_local/metrics',
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const query = validate(metricQuerySchema, Object.fromEntries(request.query), 'query');
          return jsonReply(200, { dataPoints: deps.telemetry.dataPoints(query) });
        }),
    },
    {
      method: 'GET',
      path: '/_local/events',
      handle: async (request) => {
        // Deliveries settle first, so a listed event's targets have run (or been dead-lettered). A
        // target that hangs must not hang the caller: past the limit, the list says what is still pending.
        const timeoutMs = deps.eventsDrainTimeoutMs ?? EVENTS_DRAIN_TIMEOUT_MS;
        const drained = await Promise.race([
          deps.bus.drain().then(() => true),
          delay(timeoutMs, false, { ref: false }),
        ]);
        if (!drained) log.warn(`/_local/events: deliveries still in flight after ${timeoutMs} ms`);
        const detailType = request.query.get('detailType') ?? undefined;
        // `?bus=default`: what AWS services put on the account's default bus (Step Functions' status changes).
        const bus = request.query.get('bus') === 'default' ? 'default' : 'muster';
        return jsonReply(200, deps.bus.events({ bus, ...(detailType === undefined ? {} : { detailType }) }));
      },
    },
  ];
}

/**
 * `PUT /_local/faults/{ses,eventbridge}` arms an engine's faults (`{}` disarms) and answers its
 * report; `GET` reads the report (attempts and rejections since the arming).
 */
function messagingFaultRoutes(
  switches: LocalEndpointDependencies['messagingFaults'],
  readInput: <TSchema extends z.ZodType>(request: LocalRequest, schema: TSchema) => z.infer<TSchema>,
): LocalRoute[] {
  const routes = <TFaults, TReport>(
    engine: string,
    schema: z.ZodType<TFaults>,
    faultSwitch: FaultSwitch<TFaults, TReport>,
  ): LocalRoute[] => [
    {
      method: 'PUT',
      path: `/_local/faults/${engine}`,
      handle: (request) =>
        withErrorEnvelope(request, async () => {
          const disarm = z.strictObject({}).transform(() => undefined);
          faultSwitch.set(readInput(request, z.union([disarm, schema])));
          return jsonReply(200, faultSwitch.report());
        }),
    },
    {
      method: 'GET',
      path: `/_local/faults/${engine}`,
      handle: async () => jsonReply(200, faultSwitch.report()),
    },
  ];
  return [
    ...routes('ses', sesFaultsSchema, switches.ses),
    ...routes('eventbridge', eventBridgeFaultsSchema, switches.eventbridge),
  ];
}

/** Input errors get the API's own envelope and statuses (400 malformed, 415 not JSON, 422 invalid). */
async function withErrorEnvelope(
  request: LocalRequest,
  produce: () => Promise<HttpReply>,
): Promise<HttpReply> {
  try {
    return await produce();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const response = errorResponse(error, request.correlationId);
    return errorReply(response.statusCode, response.envelope.error, request.correlationId);
  }
}
