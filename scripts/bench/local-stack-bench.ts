// Shared by the end-to-end benchmarks of `npm run bench`: calls to a local stack's API, and the raw
// engine they are compared with (DynamoDB Local BatchWriteItem of as many items, same run).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { LOCAL_CREDENTIALS, LOCAL_NAMES, LOCAL_REGION } from '../../local/environment';
import type { LocalStack } from '../../local/stack';

const BATCH_WRITE_CONCURRENCY = 10;

export const secondsSince = (since: number) => (performance.now() - since) / 1000;

/** A JSON call to the stack's API; anything but a 2xx throws with the answer. */
export function benchApi(stack: Pick<LocalStack, 'apiUrl'>) {
  return async (
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<unknown> => {
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  };
}

/** A token of a user provisioned by the local issuer with these roles. */
export async function benchToken(
  api: ReturnType<typeof benchApi>,
  tenantId: string,
  email: string,
  roles: readonly string[],
): Promise<string> {
  const minted = await api('POST', '/_local/token', undefined, { tenantId, email, roles });
  return z.object({ accessToken: z.string() }).parse(minted).accessToken;
}

/** Seconds to write the items 25 to a request, ten requests in flight: the engine's own pace. */
export async function rawBatchWrite(
  stack: Pick<LocalStack, 'endpoints'>,
  items: readonly Record<string, unknown>[],
): Promise<number> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  const chunks: Record<string, unknown>[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: BATCH_WRITE_CONCURRENCY }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++] ?? [];
        await client.send(
          new BatchWriteCommand({
            RequestItems: { [LOCAL_NAMES.table]: chunk.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
      }
    }),
  );
  client.destroy();
  return secondsSince(started);
}
