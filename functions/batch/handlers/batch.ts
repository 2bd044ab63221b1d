import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { z } from 'zod';
import { CORRELATION_HEADER } from '../../auth/claims';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { AppError, FailedDependencyError, ThrottledError } from '../../shared/errors';
import { principalRoute } from '../../shared/http/api-route';
import { errorResponse } from '../../shared/http/error-envelope';
import { idempotencyKeyOf } from '../../shared/http/request-parsing';
import { logger, metrics } from '../../shared/observability';
import { tableConfig } from '../../shared/runtime-config';
import { RequestCounters } from '../adapters/request-counters';
import { type BatchResponseItem, batchEnvelopeSchema, batchResponseSchema } from '../domain/envelope';
import { requestQuotaConfig } from '../runtime-config';
import { type BatchOutcome, runBatch } from '../use-cases/run-batch';
import { unbatchable } from './batchable-routes';
import { dispatchSubRequest } from './sub-requests';

const config = loadConfig(tableConfig.extend(requestQuotaConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const counters = new RequestCounters(documents, config.TABLE_NAME);
const limits = { perCaller: config.MUSTER_RATE_LIMIT_RPM, perTenant: config.MUSTER_TENANT_RATE_LIMIT_RPM };
/** Enough to overlap the table round trips of independent requests without crowding one invocation. */
const CONCURRENCY = 5;

/** `POST /api/v1/$batch`: up to 20 requests of the user lifecycle and audit API in one call. */
export const postBatch = principalRoute(
  {
    operation: 'Batch',
    flag: 'user_mgmt_core',
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    // Any JSON: runBatch judges the envelope, so that more than 20 requests is a 413 whatever else is wrong.
    body: z.unknown(),
    documentedBody: batchEnvelopeSchema,
    responseBody: batchResponseSchema,
  },
  async ({ caller, body, headers, event, context, correlationId }) => {
    const started = performance.now();
    try {
      const outcomes = await runBatch(
        {
          unroutable: unbatchable,
          dispatch: (subRequest) => dispatchSubRequest(event, context, subRequest),
          countRequests: (scope, count, window) =>
            counters.add({ tenantId: caller.tenantId, userId: caller.currentUserId }, scope, count, window),
          limits,
          clock: () => new Date(),
          concurrency: CONCURRENCY,
        },
        { envelope: body, correlationId, idempotencyKey: idempotencyKeyOf(headers) },
      );
      const responses = outcomes.map((outcome) => responseOf(outcome, correlationId));
      recordBatch(correlationId, 200, responses, performance.now() - started);
      return { statusCode: 200, body: { responses } };
    } catch (error) {
      if (error instanceof AppError)
        recordBatch(correlationId, errorResponse(error, correlationId).statusCode, [], 0);
      throw error;
    }
  },
);

function responseOf(outcome: BatchOutcome, correlationId: string): BatchResponseItem {
  if (outcome.kind === 'answered') {
    const { id, status, headers, body } = outcome;
    return { id, status, ...(headers && Object.keys(headers).length > 0 ? { headers } : {}), body };
  }
  const refusal =
    outcome.kind === 'throttled'
      ? new ThrottledError(
          'RATE_LIMITED',
          `Not run: the batch went past your requests for this minute. Retry it after ${outcome.retryAfterSeconds} s.`,
          outcome.retryAfterSeconds,
        )
      : new FailedDependencyError('DEPENDENCY_FAILED', outcome.message);
  const requestCorrelationId = `${correlationId}:${outcome.id}`;
  const { statusCode, headers, envelope } = errorResponse(refusal, requestCorrelationId);
  return {
    id: outcome.id,
    status: statusCode,
    // As a request that ran: a request not run has its own correlation id too.
    headers: { ...headers, [CORRELATION_HEADER]: requestCorrelationId },
    body: envelope,
  };
}

/** One line and a few metrics per envelope: requests by status class, and how long the batch took. */
function recordBatch(
  correlationId: string,
  status: number,
  responses: readonly BatchResponseItem[],
  durationMs: number,
): void {
  const byClass = new Map<string, number>();
  for (const { status: itemStatus } of responses) {
    const statusClass = `${Math.floor(itemStatus / 100)}xx`;
    byClass.set(statusClass, (byClass.get(statusClass) ?? 0) + 1);
  }
  logger.info('Batch answered', {
    status,
    requests: responses.length,
    by_status: Object.fromEntries(byClass),
    duration_ms: Math.round(durationMs),
  });
  metrics.addMetric('BatchRequests', MetricUnit.Count, 1);
  if (status !== 200) {
    const refused = metrics.singleMetric();
    refused.addMetadata('correlation_id', correlationId);
    refused.addDimension('status', String(status));
    refused.addMetric('BatchRefused', MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric('BatchDuration', MetricUnit.Milliseconds, durationMs);
  for (const [statusClass, count] of byClass) {
    const subrequests = metrics.singleMetric();
    subrequests.addMetadata('correlation_id', correlationId);
    subrequests.addDimension('statusClass', statusClass);
    subrequests.addMetric('BatchSubrequests', MetricUnit.Count, count);
  }
}
