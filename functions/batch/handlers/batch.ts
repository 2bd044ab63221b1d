import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { AppError } from '../../shared/errors';
import { principalRoute } from '../../shared/http/api-route';
import { errorResponse } from '../../shared/http/error-envelope';
import { idempotencyKeyOf } from '../../shared/http/request-parsing';
import { tableConfig } from '../../shared/runtime-config';
import { RequestCounters } from '../adapters/request-counters';
import { batchEnvelopeSchema, batchResponseSchema } from '../domain/envelope';
import { requestQuotaConfig } from '../runtime-config';
import { runBatch } from '../use-cases/run-batch';
import { responseOf } from './batch-answers';
import { recordBatch } from './batch-telemetry';
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
