import { once } from 'node:events';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOOPBACK } from '../../local/net';

/** Starts `server` on a free loopback port; its base URL. */
export async function listenOnLoopback(server: Server): Promise<string> {
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the server has no port');
  return `http://${LOOPBACK}:${address.port}`;
}

/**
 * A DynamoDB client on `endpoint` that makes the SDK's standard retry decisions (retry throttling,
 * three attempts at most) without its backoff, so tests of retries do not wait; `onRetry` sees the
 * kind of each error the SDK is asked to retry, retried or not.
 */
export function dynamoDbClientWithoutBackoff(
  endpoint: string,
  onRetry: (errorType: string) => void = () => {},
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    retryStrategy: {
      mode: 'standard',
      acquireInitialRetryToken: async () => ({ getRetryCount: () => 0, getRetryDelay: () => 0 }),
      refreshRetryTokenForRetry: async (token, error) => {
        onRetry(error.errorType);
        if (error.errorType !== 'THROTTLING' || token.getRetryCount() >= 2) throw new Error('no retry');
        const count = token.getRetryCount() + 1;
        return { getRetryCount: () => count, getRetryDelay: () => 0 };
      },
      recordSuccess: () => {},
    },
  });
}
