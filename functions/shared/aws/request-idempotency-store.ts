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

/** Tenants whose store a warm container keeps; beyond, the longest unused is rebuilt when needed. */
const CACHED_TENANT_STORES = 256;

/**
 * Powertools idempotency over the single table. A tenant's records share the partition
 * `TENANT#<t>#IDEMPOTENCY` (tenant data stays under the tenant's prefix; Powertools takes a fixed
 * partition value per store, hence one store per tenant), sorted by the hashed key, so no client
 * key or user id is readable in the table. They expire through the table's TTL attribute.
 */
export function requestIdempotencyStore(client: DynamoDBClient, tableName: string): RequestIdempotency {
  const stores = new Map<string, DynamoDBPersistenceLayer>();
  const storeOf = (tenantId: string): DynamoDBPersistenceLayer => {
    const cached = stores.get(tenantId);
    stores.delete(tenantId);
    const store =
      cached ??
      new DynamoDBPersistenceLayer({
        tableName,
        awsSdkV3Client: client,
        keyAttr: TABLE_SCHEMA.partitionKey,
        sortKeyAttr: TABLE_SCHEMA.sortKey,
        staticPkValue: `TENANT#${tenantId}#IDEMPOTENCY`,
        expiryAttr: TABLE_SCHEMA.timeToLiveAttribute,
      });
    // Map order is insertion order: re-inserting marks it the most recently used.
    stores.set(tenantId, store);
    const [oldest] = stores.keys();
    if (stores.size > CACHED_TENANT_STORES && oldest !== undefined) stores.delete(oldest);
    return store;
  };

  return {
    async once(request, work, context) {
      let ran = false;
      const runOnce = makeIdempotent(
        async (_request: IdempotentRequest) => {
          ran = true;
          return storedResultSchema.parse(await work());
        },
        {
          persistenceStore: storeOf(request.tenantId),
          // Its own config per request: the in-progress deadline is this invocation's.
          config: new IdempotencyConfig({
            eventKeyJmesPath: 'key',
            payloadValidationJmesPath: 'request',
            throwOnNoIdempotencyKey: true,
            expiresAfterSeconds: KEY_LIFETIME_SECONDS,
            lambdaContext: context,
          }),
          // One prefix for every route, so a key reused on another route is caught as another request.
          keyPrefix: 'request',
          dataIndexArgument: 0,
        },
      );
      try {
        const result = storedResultSchema.parse(await runOnce(request));
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
