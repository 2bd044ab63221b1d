import { setTimeout as sleep } from 'node:timers/promises';
import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import { ThrottledError } from '../errors';
import { publishCount } from '../observability';

/**
 * Attempts per DynamoDB call, by who waits for it. A request's caller waits behind API Gateway's
 * 29 s and the route's own timeout, so it keeps the SDK's default (3 attempts, a second or two of
 * backoff) and a table still throttled after that is a 429 the client retries. Background work
 * (workflow steps, event targets, schedules) has minutes: 8 attempts with the SDK's throttling
 * backoff ride out a throttled table, where the default gives up on one write in 125 when a fifth
 * of them are throttled and fails a whole bulk-import batch.
 */
export const DYNAMODB_MAX_ATTEMPTS = { request: 3, background: 8 } as const;

/** The metric counting DynamoDB calls sent again, with an `operation` dimension (e.g. `PutItem`). */
export const DYNAMODB_RETRIES_METRIC = 'DynamoDbRetries';

/**
 * A DynamoDB client with Muster's retry settings for a request (the default) or for background
 * work; its calls' retries are counted by createDocumentClient.
 */
export function createDynamoDbClient(
  waiting: keyof typeof DYNAMODB_MAX_ATTEMPTS = 'request',
): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: DYNAMODB_MAX_ATTEMPTS[waiting] });
}

/**
 * A DynamoDB document client. The endpoint comes from the SDK's own configuration
 * (`AWS_ENDPOINT_URL_DYNAMODB` locally), so callers never know where the table lives.
 * Create one per module and pass it to the repositories; pass the module's low-level client when
 * something else (Powertools idempotency) needs one too, so both share its connections. Every
 * call the SDK retried (throttled, a transient error) adds its retries to {@link DYNAMODB_RETRIES_METRIC}.
 */
export function createDocumentClient(
  client: DynamoDBClient = createDynamoDbClient(),
): DynamoDBDocumentClient {
  countRetries(client);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

const counted = new WeakSet<DynamoDBClient>();

/**
 * Reads, once the SDK's retries are over, how many attempts each call took (`$metadata.attempts`,
 * on the output or on the error that ended them). The document client shares this stack.
 */
function countRetries(client: DynamoDBClient): void {
  if (counted.has(client)) return;
  counted.add(client);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        addRetries(operation, result.output.$metadata.attempts);
        return result;
      } catch (error) {
        addRetries(operation, metadataOf(error)?.attempts);
        throw stillThrottled(error) ?? error;
      }
    },
    { step: 'initialize', name: 'countDynamoDbRetries' },
  );
}

const THROTTLING_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

/**
 * A throttling error the SDK's retries did not outlast, as the retryable 429 it is (a 500 would tell
 * the client something broke); the SDK's error stays its cause for the logs.
 */
function stillThrottled(error: unknown): ThrottledError | undefined {
  if (!(error instanceof Error) || !THROTTLING_ERRORS.has(error.name)) return undefined;
  const throttled = new ThrottledError('TABLE_THROTTLED', 'The table is busy; retry shortly.', 1);
  throttled.cause = error;
  return throttled;
}

function addRetries(operation: string, attempts: number | undefined): void {
  if (attempts !== undefined && attempts > 1) {
    publishCount(DYNAMODB_RETRIES_METRIC, { operation }, attempts - 1);
  }
}

function metadataOf(error: unknown): { attempts?: number } | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  return typeof metadata === 'object' && metadata !== null ? metadata : undefined;
}

export interface CancellationReason {
  readonly code: string;
  /** The item as it was, when the write asked for `ReturnValuesOnConditionCheckFailure: ALL_OLD`. */
  readonly item?: Record<string, unknown>;
}

/** True when a DynamoDB error is a failed condition, on a single write or any item of a transaction. */
export function isConditionFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ConditionalCheckFailedException') return true;
  return (
    error.name === 'TransactionCanceledException' &&
    cancellationReasons(error).some((reason) => reason.code === 'ConditionalCheckFailed')
  );
}

/**
 * Awaits a conditional write: true when DynamoDB applied it, false when its condition did not hold
 * (another writer got there first, or the item is not in the state the write expects). Any other
 * error is thrown.
 */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The per-item reasons of a cancelled transaction, in the order of its items. */
export function cancellationReasons(error: Error): CancellationReason[] {
  if (!('CancellationReasons' in error) || !Array.isArray(error.CancellationReasons)) return [];
  return error.CancellationReasons.map((reason: unknown) => {
    if (typeof reason !== 'object' || reason === null) return { code: 'None' };
    const code = 'Code' in reason && typeof reason.Code === 'string' ? reason.Code : 'None';
    const item =
      'Item' in reason && typeof reason.Item === 'object' && reason.Item !== null ? reason.Item : undefined;
    return item
      ? { code, item: unmarshall(z.record(z.string(), z.custom<AttributeValue>()).parse(item)) }
      : { code };
  });
}

/**
 * The old item a failed conditional write returned (`ReturnValuesOnConditionCheckFailure: ALL_OLD`),
 * as plain values: the document client does not unmarshall items carried by errors.
 */
export function itemOfConditionFailure(error: Error): Record<string, unknown> | undefined {
  if (!('Item' in error) || typeof error.Item !== 'object' || error.Item === null) return undefined;
  return unmarshall(z.record(z.string(), z.custom<AttributeValue>()).parse(error.Item));
}

/**
 * Why DynamoDB cancelled a transaction when the cause is passing and the SDK does not retry it:
 * another transaction touched one of its items, or one item's partition was throttled.
 */
function transientCancellation(error: unknown): 'conflict' | 'throttled' | undefined {
  if (
    !(error instanceof Error) ||
    error.name !== 'TransactionCanceledException' ||
    isConditionFailure(error)
  ) {
    return undefined;
  }
  const codes = new Set(cancellationReasons(error).map((reason) => reason.code));
  if (codes.has('ThrottlingError') || codes.has('ProvisionedThroughputExceeded')) return 'throttled';
  return codes.has('TransactionConflict') ? 'conflict' : undefined;
}

const TRANSIENT_CANCELLATION_ATTEMPTS = 6;
/** The longest pause between two of our own re-tries (transactions, unprocessed batch items). */
const MAX_BACKOFF_MS = 500;

/**
 * Runs a transaction again when DynamoDB cancels it for a passing cause (a conflict with another
 * transaction, or a throttled item), which the SDK does not retry. One that persists is a 429 the
 * caller may retry, never a 500.
 */
export async function retryTransactionConflicts<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      const cause = transientCancellation(error);
      if (cause === undefined) throw error;
      if (attempt >= TRANSIENT_CANCELLATION_ATTEMPTS) {
        throw cause === 'conflict'
          ? new ThrottledError(
              'TRANSACTION_CONFLICT',
              'The same data is being changed right now; retry shortly.',
              1,
            )
          : new ThrottledError('TABLE_THROTTLED', 'The table is busy; retry shortly.', 1);
      }
      publishCount(DYNAMODB_RETRIES_METRIC, { operation: 'TransactWriteItems' }, 1);
      await sleep(Math.min(MAX_BACKOFF_MS, 25 * 2 ** attempt) * Math.random());
    }
  }
}

/** Every item a query matches, page after page, each read through `parse` (validation at the edge). */
export async function queryAll<T>(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const results: T[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await client.send(
      new QueryCommand({ ...input, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) results.push(parse(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return results;
}

/** BatchWriteItem's limit per request. */
const BATCH_WRITE_ITEMS = 25;
const UNPROCESSED_ATTEMPTS = 6;

/**
 * Puts items (new ones, or ones whose overwrite is harmless: no condition is possible) 25 to a
 * request, writing again the items DynamoDB hands back unprocessed (it does under throttling),
 * with backoff. Items still unprocessed after that are a 429 the caller may retry.
 */
export async function putAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_WRITE_ITEMS) {
    let requests = items.slice(start, start + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ATTEMPTS) {
        throw new ThrottledError('WRITES_UNPROCESSED', 'The table is busy; retry shortly.', 1);
      }
      if (attempt > 1) {
        publishCount(DYNAMODB_RETRIES_METRIC, { operation: 'BatchWriteItem' }, 1);
        await sleep(Math.min(MAX_BACKOFF_MS, 25 * 2 ** attempt) * Math.random());
      }
      const output = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (output.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    }
  }
}
