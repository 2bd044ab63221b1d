// A load run against a running local stack (`npm run load`, test/heavy/load.test.ts): seeds
// tenants, holds a steady mix of admin user reads, `$batch` envelopes and import status reads for
// a while, then pushes one caller past its `$batch` limit. Autocannon drives both phases.
import autocannon from 'autocannon';
import { z } from 'zod';
import { QUOTA_WINDOW_SECONDS } from '../../functions/batch/domain/request-quota';
import { benchApi, benchToken } from '../bench/local-stack-bench';
import {
  count,
  emptySamples,
  figuresOf,
  type KindSamples,
  type LoadReport,
  mergeSamples,
  type PushFigures,
  REQUEST_KINDS,
  type RequestKind,
} from './report';
import { type SeededTenant, seedTenants } from './seed';

/** Requests in a steady `$batch` envelope: three user reads, a user list and a user creation. */
export const STEADY_BATCH_SIZE = 5;
/**
 * Requests in a push envelope: one short of the most an envelope may hold, so that against a round
 * limit one envelope straddles it and answers both ways (its first requests run, the rest 429).
 */
const PUSH_BATCH_SIZE = 19;
/** The steady phase may use at most this share of a caller's minute, so the limit stays out of it. */
const STEADY_SHARE_OF_LIMIT = 0.5;
const PUSH_CONNECTIONS = 4;
/** Seconds autocannon waits for an answer before it counts a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30;

export interface LoadOptions {
  readonly apiUrl: string;
  /** Length of the steady phase. */
  readonly seconds: number;
  /** Requests a second of each kind in the steady phase. */
  readonly rates: Readonly<Record<RequestKind, number>>;
  /** The stack's `$batch` limit per caller (MUSTER_RATE_LIMIT_RPM): the push goes past it. */
  readonly perCallerLimit: number;
  readonly tenants: number;
  readonly callersPerTenant: number;
  readonly usersPerTenant: number;
  readonly log?: (line: string) => void;
}

/**
 * The `$batch` limits of a stack started for a load run: the defaults, set explicitly so that the
 * run knows what the push goes past and the steady phase stays under.
 */
export const LOAD_RUN_QUOTA = { perCallerPerMinute: 600, perTenantPerMinute: 6000 } as const;

export const DEFAULT_LOAD: Omit<LoadOptions, 'apiUrl' | 'perCallerLimit'> = {
  seconds: 60,
  rates: { users: 8, batch: 4, importStatus: 8 },
  tenants: 4,
  callersPerTenant: 3,
  usersPerTenant: 100,
};

interface Caller {
  readonly tenant: SeededTenant;
  readonly token: string;
}

interface PlannedRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token: string;
  readonly body?: unknown;
}

/**
 * Refuses a plan whose steady `$batch` traffic would bring a caller near its limit: the steady
 * phase measures the API, not the quota.
 */
export function checkSteadyPlan(options: LoadOptions): void {
  const callers = options.tenants * options.callersPerTenant;
  const perCallerPerMinute = (options.rates.batch * STEADY_BATCH_SIZE * 60) / callers;
  if (perCallerPerMinute > options.perCallerLimit * STEADY_SHARE_OF_LIMIT) {
    throw new Error(
      `The steady phase would send each of ${callers} callers ${perCallerPerMinute.toFixed(0)} $batch requests a minute, ` +
        `over ${STEADY_SHARE_OF_LIMIT * 100} % of the ${options.perCallerLimit} a caller may make: add tenants or callers, or lower the $batch rate.`,
    );
  }
}

/** Cycles through the callers and their data, one request of a kind at a time. */
function steadyRequests(tenants: readonly SeededTenant[]) {
  const callers: Caller[] = tenants.flatMap((tenant) => tenant.callers.map((token) => ({ tenant, token })));
  const turns: Record<RequestKind, number> = { users: 0, batch: 0, importStatus: 0 };
  const turn = (kind: RequestKind) => turns[kind]++;
  const userOf = (tenant: SeededTenant, index: number) => tenant.userIds[index % tenant.userIds.length];

  return (kind: RequestKind): PlannedRequest => {
    const index = turn(kind);
    const { tenant, token } = callers[index % callers.length] as Caller;
    switch (kind) {
      case 'users':
        return { method: 'GET', path: '/v1/admin/users?limit=25', token };
      case 'importStatus':
        return { method: 'GET', path: `/internal/iam/users/bulk-import/${tenant.taskId}`, token };
      case 'batch':
        return {
          method: 'POST',
          path: '/api/v1/$batch',
          token,
          body: {
            requests: [
              ...[0, 1, 2].map((offset) => ({
                id: `read${offset}`,
                method: 'GET',
                url: `/v1/admin/users/${userOf(tenant, index * 3 + offset)}`,
              })),
              { id: 'list', method: 'GET', url: '/v1/admin/users?limit=10' },
              {
                id: 'create',
                method: 'POST',
                url: '/v1/admin/users',
                body: { email: `new${index}@${tenant.tenantId}.test` },
              },
            ],
          },
        };
    }
  };
}

const batchAnswersSchema = z.object({
  responses: z.array(z.object({ status: z.number(), headers: z.record(z.string(), z.string()).optional() })),
});

function header(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
  return typeof found === 'string' ? found : undefined;
}

/** A `Retry-After` a client can act on: whole seconds, at most the quota's one-minute window. */
function usableRetryAfter(value: string | undefined): boolean {
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 60;
}

/** One autocannon run: the requests `next` plans, as `shape` says, every answer to `onAnswer`. */
function cannon(
  apiUrl: string,
  shape: Pick<autocannon.Options, 'duration' | 'amount' | 'overallRate' | 'connections'>,
  next: () => PlannedRequest,
  onAnswer: (status: number, body: string, headers: Record<string, unknown>) => void,
  onLatency: (status: number, latencyMs: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: apiUrl,
        ...shape,
        timeout: REQUEST_TIMEOUT_SECONDS,
        requests: [
          {
            setupRequest: (request) => {
              const planned = next();
              return {
                ...request,
                method: planned.method,
                path: planned.path,
                headers: {
                  authorization: `Bearer ${planned.token}`,
                  ...(planned.body === undefined ? {} : { 'content-type': 'application/json' }),
                },
                ...(planned.body === undefined ? {} : { body: JSON.stringify(planned.body) }),
              };
            },
            onResponse: (status, body, _context, headers) => onAnswer(status, body, headers ?? {}),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, status, _bytes, latencyMs) => onLatency(status, latencyMs));
  });
}

async function steadyKind(
  options: LoadOptions,
  kind: RequestKind,
  next: (kind: RequestKind) => PlannedRequest,
): Promise<KindSamples> {
  const samples = emptySamples();
  const rate = options.rates[kind];
  const result = await cannon(
    options.apiUrl,
    // A connection per request a second: each may take up to a second before the rate slips.
    { duration: options.seconds, overallRate: rate, connections: rate },
    () => next(kind),
    (status, body) => {
      if (kind !== 'batch' || status !== 200) return;
      for (const answer of batchAnswersSchema.parse(JSON.parse(body)).responses)
        count(samples.subStatuses, answer.status);
    },
    (status, latencyMs) => {
      samples.latenciesMs.push(latencyMs);
      count(samples.statuses, status);
    },
  );
  samples.transportErrors = result.errors;
  return samples;
}

/** One new caller sends whole envelopes, four at a time, until well past its limit. */
async function push(
  options: LoadOptions,
  tenant: SeededTenant,
  api: ReturnType<typeof benchApi>,
): Promise<PushFigures> {
  const token = await benchToken(api, tenant.tenantId, `pusher@${tenant.tenantId}.test`, ['tenant_admin']);
  // Two and a half minutes' worth: whatever second of a quota window it starts in, it crosses the limit.
  const envelopes = Math.ceil((options.perCallerLimit * 2.5) / PUSH_BATCH_SIZE);
  const requests = Array.from({ length: PUSH_BATCH_SIZE }, (_, index) => ({
    id: `r${index}`,
    method: 'GET',
    url: `/v1/admin/users/${tenant.userIds[index % tenant.userIds.length]}`,
  }));
  const figures = {
    statuses: {} as Record<number, number>,
    throttledEnvelopes: 0,
    throttledEnvelopesWithRetryAfter: 0,
    throttledRequests: 0,
    throttledRequestsWithRetryAfter: 0,
    admittedRequests: 0,
  };
  const startedAt = Date.now();
  const result = await cannon(
    options.apiUrl,
    { amount: envelopes, connections: PUSH_CONNECTIONS },
    () => ({ method: 'POST', path: '/api/v1/$batch', token, body: { requests } }),
    (status, body, headers) => {
      count(figures.statuses, status);
      if (status === 429) {
        figures.throttledEnvelopes += 1;
        if (usableRetryAfter(header(headers, 'retry-after'))) figures.throttledEnvelopesWithRetryAfter += 1;
      }
      if (status !== 200) return;
      for (const answer of batchAnswersSchema.parse(JSON.parse(body)).responses) {
        if (answer.status !== 429) {
          figures.admittedRequests += 1;
          continue;
        }
        figures.throttledRequests += 1;
        if (usableRetryAfter(header(answer.headers, 'retry-after')))
          figures.throttledRequestsWithRetryAfter += 1;
      }
    },
    () => undefined,
  );
  const endedAt = Date.now();
  const windowOf = (epochMs: number) => Math.floor(epochMs / (QUOTA_WINDOW_SECONDS * 1000));
  return {
    perCallerLimit: options.perCallerLimit,
    quotaWindows: windowOf(endedAt) - windowOf(startedAt) + 1,
    seconds: (endedAt - startedAt) / 1000,
    envelopes,
    envelopeSize: PUSH_BATCH_SIZE,
    requestsSent: envelopes * PUSH_BATCH_SIZE,
    transportErrors: result.errors,
    ...figures,
  };
}

/** One request of each kind before the clock starts, so the steady figures hold no cold start. */
async function warm(
  api: ReturnType<typeof benchApi>,
  next: (kind: RequestKind) => PlannedRequest,
): Promise<void> {
  await Promise.all(
    REQUEST_KINDS.map((kind) => {
      const planned = next(kind);
      return api(planned.method, planned.path, planned.token, planned.body);
    }),
  );
}

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  checkSteadyPlan(options);
  const log = options.log ?? (() => undefined);
  const api = benchApi({ apiUrl: options.apiUrl });
  log(`seeding ${options.tenants} tenants of ${options.usersPerTenant} imported users…`);
  const tenants = await seedTenants(api, options);
  // One sequence for the warm-up and the steady phase: each creation in a `$batch` has a new email.
  const next = steadyRequests(tenants);
  await warm(api, next);

  log(`steady phase: ${options.seconds} s…`);
  const samples = await Promise.all(REQUEST_KINDS.map((kind) => steadyKind(options, kind, next)));
  const byKind = Object.fromEntries(
    REQUEST_KINDS.map((kind, index) => [kind, figuresOf(samples[index] ?? emptySamples(), options.seconds)]),
  ) as Record<RequestKind, ReturnType<typeof figuresOf>>;

  log(`push phase: one caller past ${options.perCallerLimit} $batch requests a minute…`);
  const pushed = await push(options, tenants[0] as SeededTenant, api);
  return {
    seconds: options.seconds,
    rates: options.rates,
    tenants: tenants.length,
    callers: tenants.length * options.callersPerTenant,
    seededUsers: tenants.length * options.usersPerTenant,
    steady: { kinds: byKind, overall: figuresOf(mergeSamples(samples), options.seconds) },
    push: pushed,
  };
}
