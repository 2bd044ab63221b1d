import pLimit from 'p-limit';
import { BadRequestError, type ErrorDetail, ThrottledError } from '../../shared/errors';
import {
  type BatchRequest,
  dependentsToSkip,
  executionPlan,
  parseBatchEnvelope,
  type SkippedRequest,
  succeeded,
} from '../domain/envelope';
import {
  type QuotaLimits,
  type QuotaScope,
  type QuotaWindow,
  quotaWindow,
  withinLimit,
} from '../domain/request-quota';

/** One request of the batch as it is handed to the router. */
export interface SubRequest {
  readonly request: BatchRequest;
  /** `<envelope correlation id>:<request id>`: every log line and audit record of the request carries it. */
  readonly correlationId: string;
  /**
   * The request's own `Idempotency-Key`, else the envelope's joined to the request id, so replaying
   * an envelope under its key replays each request under its own.
   */
  readonly idempotencyKey?: string;
}

/** What the route a request reached answered. */
export interface RouteAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export type BatchOutcome =
  | ({ readonly id: string; readonly kind: 'answered' } & RouteAnswer)
  | { readonly id: string; readonly kind: 'throttled'; readonly retryAfterSeconds: number }
  | ({ readonly id: string; readonly kind: 'not_run' } & SkippedRequest);

export interface BatchDeps {
  /** Why `method url` cannot be part of a batch, or undefined when a batchable route answers it. */
  readonly unroutable: (method: string, url: string) => string | undefined;
  readonly dispatch: (subRequest: SubRequest) => Promise<RouteAnswer>;
  /** Adds `count` to the caller's or the tenant's counter of `window` and returns the counter. */
  readonly countRequests: (scope: QuotaScope, count: number, window: QuotaWindow) => Promise<number>;
  readonly limits: QuotaLimits;
  readonly clock: () => Date;
  /** How many independent requests run at once. */
  readonly concurrency: number;
}

/** Leaves room for ":" and a request id of 64 characters within the 255 of a key. */
const MAX_ENVELOPE_KEY_LENGTH = 190;

export interface BatchInput {
  readonly envelope: unknown;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
}

/**
 * Runs a `$batch` envelope (issue 5, seed 002): refuses it whole when it is too big (413), malformed
 * or reaches a route a batch cannot (400), or when the caller has no requests left this minute
 * (429); otherwise runs its requests wave by wave, independent ones concurrently, and answers every
 * request in request order. A request beyond the caller's remaining quota answers 429; one whose
 * dependency failed is not run (424). One request's failure changes nothing for its siblings.
 */
export async function runBatch(deps: BatchDeps, input: BatchInput): Promise<BatchOutcome[]> {
  const { requests } = parseBatchEnvelope(input.envelope);
  if ((input.idempotencyKey?.length ?? 0) > MAX_ENVELOPE_KEY_LENGTH) {
    throw new BadRequestError(
      'INVALID_IDEMPOTENCY_KEY',
      `A batch's Idempotency-Key is at most ${MAX_ENVELOPE_KEY_LENGTH} characters: each request's key is it joined to the request id.`,
    );
  }
  refuseUnroutable(deps, requests);

  const plan = executionPlan(requests);
  const window = quotaWindow(deps.clock());
  const admitted = await admit(deps, requests.length, window);
  if (admitted === 0) {
    throw new ThrottledError(
      'RATE_LIMITED',
      `You have used this minute's requests (at most ${deps.limits.perCaller} a caller and ${deps.limits.perTenant} a tenant; every request of a batch counts). Nothing was run: retry after ${window.resetsInSeconds} s.`,
      window.resetsInSeconds,
    );
  }
  // Quota goes to the requests that run first, so a throttled request's dependents are never run.
  const throttled = new Set(
    plan
      .flat()
      .slice(admitted)
      .map((request) => request.id),
  );

  const indexOf = new Map(requests.map((request, index) => [request.id, index]));
  const outcomes: BatchOutcome[] = [];
  const failed = new Set<string>();
  const limit = pLimit(deps.concurrency);
  for (const wave of plan) {
    const skipped = dependentsToSkip(plan, failed);
    await Promise.all(
      wave.map((request) =>
        limit(async () => {
          const outcome = await settle(deps, input, request, throttled, skipped, window);
          outcomes[indexOf.get(request.id) ?? -1] = outcome;
          // A request not run is found again through the request that failed (dependentsToSkip).
          if (outcome.kind === 'answered' ? !succeeded(outcome.status) : outcome.kind === 'throttled') {
            failed.add(request.id);
          }
        }),
      ),
    );
  }
  return outcomes;
}

/**
 * How many of `requested` requests both limits admit. The tenant is charged only what the caller's
 * own limit let through: a caller past its limit, however much it keeps sending, cannot use up
 * its colleagues' minute. (The caller is charged everything it sent, and a request the tenant's
 * limit refuses too: both only within a window already spent.)
 */
async function admit(deps: BatchDeps, requested: number, window: QuotaWindow): Promise<number> {
  const { perCaller, perTenant } = deps.limits;
  const forCaller = withinLimit(requested, await deps.countRequests('caller', requested, window), perCaller);
  if (forCaller === 0) return 0;
  return withinLimit(forCaller, await deps.countRequests('tenant', forCaller, window), perTenant);
}

async function settle(
  deps: BatchDeps,
  input: BatchInput,
  request: BatchRequest,
  throttled: ReadonlySet<string>,
  skipped: ReadonlyMap<string, SkippedRequest>,
  window: QuotaWindow,
): Promise<BatchOutcome> {
  const id = request.id;
  const skip = skipped.get(id);
  if (skip) return { id, kind: 'not_run', ...skip };
  if (throttled.has(id)) return { id, kind: 'throttled', retryAfterSeconds: window.resetsInSeconds };
  const answer = await deps.dispatch({
    request,
    correlationId: `${input.correlationId}:${id}`,
    idempotencyKey: request.headers?.['idempotency-key'] ?? derivedKey(input.idempotencyKey, request),
  });
  return { id, kind: 'answered', ...answer };
}

/** Reads change nothing, so only writes take the envelope's key. */
function derivedKey(envelopeKey: string | undefined, request: BatchRequest): string | undefined {
  return envelopeKey === undefined || request.method === 'GET' ? undefined : `${envelopeKey}:${request.id}`;
}

function refuseUnroutable(deps: BatchDeps, requests: readonly BatchRequest[]): void {
  const details: ErrorDetail[] = requests.flatMap((request, index) => {
    const problem = deps.unroutable(request.method, request.url);
    return problem === undefined
      ? []
      : [
          {
            path: `requests.${index}.url`,
            code: 'UNSUPPORTED_ROUTE',
            message: `Request "${request.id}": ${problem}`,
          },
        ];
  });
  const [first] = details;
  if (!first) return;
  throw new BadRequestError(
    'INVALID_BATCH',
    details.length === 1
      ? `The batch is invalid and nothing was run: ${first.message}`
      : `The batch has ${details.length} problems and nothing was run; see details. First: ${first.message}`,
    details,
  );
}
