import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { TABLE_SCHEMA } from '../../../config/table';
import { ConflictError } from '../errors';
import type { HttpResult } from '../http/api-route';
import {
  type IdempotentRequest,
  REPLAYED_HEADER,
  type RequestIdempotency,
} from '../http/request-idempotency';

/** As long as a client may reasonably retry (Stripe keeps keys a day too). */
const KEY_LIFETIME_SECONDS = 24 * 60 * 60;

const storedResultSchema = z.object({
  statusCode: z.number().int(),
  body: z.unknown().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

/**
 * Powertools idempotency over the single table. Records share one partition (`IDEMPOTENCY`), as
 * Powertools lays them out for a table with a sort key; the hashed key as sort key spreads them,
 * and DynamoDB splits a busy partition by sort key. They expire through the table's TTL attribute.
 * Keys are stored hashed, so no client key, tenant or user id is readable in the table.
 */
export function requestIdempotencyStore(client: DynamoDBClient, tableName: string): RequestIdempotency {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName,
    awsSdkV3Client: client,
    keyAttr: TABLE_SCHEMA.partitionKey,
    sortKeyAttr: TABLE_SCHEMA.sortKey,
    staticPkValue: 'IDEMPOTENCY',
    expiryAttr: TABLE_SCHEMA.timeToLiveAttribute,
  });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: KEY_LIFETIME_SECONDS,
  });
  const runOnce = makeIdempotent(
    async (_request: IdempotentRequest, work: () => Promise<HttpResult>) =>
      storedResultSchema.parse(await work()),
    // One prefix for every route, so a key reused on another route is caught as another request.
    { persistenceStore, config, keyPrefix: 'request', dataIndexArgument: 0 },
  );

  return {
    async once(request, work, context) {
      config.registerLambdaContext(context);
      let ran = false;
      try {
        const result = storedResultSchema.parse(
          await runOnce(request, () => {
            ran = true;
            return work();
          }),
        );
        return ran ? result : { ...result, headers: { ...result.headers, [REPLAYED_HEADER]: 'true' } };
      } catch (error) {
        throw idempotencyConflict(error) ?? error;
      }
    },
  };
}

function idempotencyConflict(error: unknown): ConflictError | undefined {
  if (error instanceof IdempotencyValidationError) {
    return new ConflictError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was used for a different request (method, path, query or body); use a new key for a new request.',
    );
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return new ConflictError(
      'IDEMPOTENCY_KEY_IN_USE',
      'A request with this Idempotency-Key is still running; retry in a few seconds to get its result.',
    );
  }
  return undefined;
}
