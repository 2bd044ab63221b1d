import { z } from 'zod';

/**
 * What the DynamoDB fault proxy (fault-proxy.ts) decides about one request: the pure part, kept
 * apart from the sockets so its rules are unit-tested. A write of an armed tenant is throttled at
 * random with the tenant's rate, answered the way DynamoDB answers a throttled write, so the SDK's
 * standard retry classifies it as throttling (its THROTTLING_ERROR_CODES name both codes).
 */

/** The operations that write; reads are never throttled here. */
export const WRITE_OPERATIONS = [
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'TransactWriteItems',
  'BatchWriteItem',
] as const;
export type WriteOperation = (typeof WRITE_OPERATIONS)[number];

export const THROTTLING_CODES = ['ProvisionedThroughputExceededException', 'ThrottlingException'] as const;
export type ThrottlingCode = (typeof THROTTLING_CODES)[number];

/** The JSON protocol's `__type` of each code, as DynamoDB sends it. */
const ERROR_TYPES: Record<ThrottlingCode, string> = {
  ProvisionedThroughputExceededException:
    'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
  ThrottlingException: 'com.amazon.coral.availability#ThrottlingException',
};
const ERROR_MESSAGES: Record<ThrottlingCode, string> = {
  ProvisionedThroughputExceededException:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
  ThrottlingException: 'Rate of requests exceeds the allowed throughput.',
};

/** The write operation an `X-Amz-Target` header names (`DynamoDB_20120810.PutItem`), if any. */
export function writeOperationOf(target: string | undefined): WriteOperation | undefined {
  const operation = target?.split('.').at(-1);
  return WRITE_OPERATIONS.find((write) => write === operation);
}

/**
 * Whether a request body (or one item of it) addresses the tenant's data: a tenant's keys start
 * `TENANT#<tenantId>`, followed by `#` or the end of the value; items keyed otherwise (activation
 * tokens, by their hash) carry a `tenantId` attribute.
 */
export function mentionsTenant(json: string, tenantId: string): boolean {
  const prefix = `TENANT#${tenantId}`;
  return (
    json.includes(`${prefix}#`) ||
    json.includes(`${prefix}"`) ||
    json.includes(`"tenantId":{"S":${JSON.stringify(tenantId)}}`)
  );
}

/** DynamoDB's answer to a throttled request: HTTP 400 with the error's `__type`. */
export function throttlingReply(code: ThrottlingCode): { status: number; body: string } {
  return { status: 400, body: JSON.stringify({ __type: ERROR_TYPES[code], message: ERROR_MESSAGES[code] }) };
}

const transactWriteSchema = z.looseObject({ TransactItems: z.array(z.unknown()) });

/**
 * DynamoDB's other answer to a throttled transaction: cancelled, with a `ThrottlingError` reason
 * for the item throttled (here the last) and `None` for the others. The SDK does not retry it; the
 * caller must (`retryTransactionConflicts`).
 */
export function throttledTransactionReply(body: string): { status: number; body: string } {
  const items = transactWriteSchema.parse(JSON.parse(body)).TransactItems.length;
  const reasons = Array.from({ length: items }, (_, index) =>
    index === items - 1
      ? {
          Code: 'ThrottlingError',
          Message: 'Throughput exceeds the current capacity of your table or index.',
        }
      : { Code: 'None' },
  );
  return {
    status: 400,
    body: JSON.stringify({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((reason) => reason.Code).join(', ')}]`,
      CancellationReasons: reasons,
    }),
  };
}

const batchWriteSchema = z.looseObject({
  RequestItems: z.record(z.string(), z.array(z.unknown())),
});
type RequestItems = Record<string, unknown[]>;

export type BatchWriteDecision =
  /** Nothing of this tenant's drawn: send the request as it is. */
  | { readonly kind: 'forward' }
  /** Every item drawn: the whole request is throttled, as DynamoDB does when it can process none. */
  | { readonly kind: 'throttle' }
  /** Some drawn: send the others, and hand the drawn ones back as `UnprocessedItems`. */
  | { readonly kind: 'partial'; readonly forward: string; readonly unprocessed: RequestItems };

/**
 * BatchWriteItem's partial throttling: each of the tenant's items is drawn on its own (`throttled`
 * says yes or no), the way DynamoDB processes some items of a batch and returns the rest.
 */
export function splitBatchWrite(
  body: string,
  tenantId: string,
  throttled: () => boolean,
): BatchWriteDecision {
  const request = batchWriteSchema.parse(JSON.parse(body));
  const forward: RequestItems = {};
  const unprocessed: RequestItems = {};
  let total = 0;
  let drawn = 0;
  for (const [table, items] of Object.entries(request.RequestItems)) {
    for (const item of items) {
      total++;
      const keep = !(mentionsTenant(JSON.stringify(item), tenantId) && throttled());
      if (!keep) drawn++;
      const group = keep ? forward : unprocessed;
      group[table] = [...(group[table] ?? []), item];
    }
  }
  if (drawn === 0) return { kind: 'forward' };
  if (drawn === total) return { kind: 'throttle' };
  return { kind: 'partial', forward: JSON.stringify({ ...request, RequestItems: forward }), unprocessed };
}

const batchWriteOutputSchema = z.looseObject({
  UnprocessedItems: z.record(z.string(), z.array(z.unknown())).optional(),
});

/** DynamoDB's answer to the forwarded part, with the drawn items added to its `UnprocessedItems`. */
export function withUnprocessed(responseBody: string, unprocessed: RequestItems): string {
  const output = batchWriteOutputSchema.parse(JSON.parse(responseBody));
  const merged: RequestItems = { ...output.UnprocessedItems };
  for (const [table, items] of Object.entries(unprocessed))
    merged[table] = [...(merged[table] ?? []), ...items];
  return JSON.stringify({ ...output, UnprocessedItems: merged });
}
