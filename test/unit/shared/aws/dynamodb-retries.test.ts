import { createServer } from 'node:http';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createDocumentClient,
  putAll,
  retryTransactionConflicts,
} from '../../../../functions/shared/aws/dynamodb';
import { logger, metrics } from '../../../../functions/shared/observability';
import { throttlingReply } from '../../../../local/dynamodb/write-faults';
import { closeServer } from '../../../../local/net';
import { dynamoDbClientWithoutBackoff, listenOnLoopback } from '../../../support/dynamodb-without-backoff';

/** The table's next answers, in order; then `{}` (a success). */
const replies: { status: number; body: string }[] = [];
const table = createServer((request, response) => {
  request.resume();
  request.once('end', () => {
    const reply = replies.shift() ?? { status: 200, body: '{}' };
    response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(reply.body);
  });
});
const throttled = () => throttlingReply('ProvisionedThroughputExceededException');

let client: DynamoDBClient;
beforeAll(async () => {
  client = dynamoDbClientWithoutBackoff(await listenOnLoopback(table));
});
afterAll(async () => {
  client.destroy();
  await closeServer(table);
});
afterEach(() => {
  replies.length = 0;
  vi.restoreAllMocks();
});

/** Records the single-metric EMF records published from now on (unit tests print none). */
function published(): () => Record<string, unknown>[] {
  const singles: Metrics[] = [];
  vi.spyOn(metrics, 'singleMetric').mockImplementation(() => {
    const single = new Metrics({ namespace: 'Muster', serviceName: 'muster' });
    singles.push(single);
    return single;
  });
  return () => singles.map((single) => JSON.parse(JSON.stringify(single.serializeMetrics())));
}

describe('DynamoDbRetries', () => {
  it("publishes each call's SDK retries by operation, with the invocation's correlation id", async () => {
    const records = published();
    const documents = createDocumentClient(client);
    logger.setCorrelationId('corr-9');
    replies.push(throttled(), throttled());
    await documents.send(new PutCommand({ TableName: 't', Item: { PK: 'a' } }));
    replies.push(throttled(), throttled(), throttled());
    // Still throttled after its attempts: a 429 the client may retry, the SDK's error as its cause.
    await expect(documents.send(new PutCommand({ TableName: 't', Item: { PK: 'b' } }))).rejects.toMatchObject(
      {
        kind: 'THROTTLED',
        code: 'TABLE_THROTTLED',
        retryAfterSeconds: 1,
        cause: expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }),
      },
    );
    await documents.send(new GetCommand({ TableName: 't', Key: { PK: 'a' } }));
    logger.resetKeys();

    // 2 retries of the first put, 2 of the second (3 attempts, all refused); the read needed none.
    expect(records()).toEqual([
      expect.objectContaining({ operation: 'PutItem', DynamoDbRetries: 2, correlation_id: 'corr-9' }),
      expect.objectContaining({ operation: 'PutItem', DynamoDbRetries: 2, correlation_id: 'corr-9' }),
    ]);
    expect(JSON.stringify(records()[0])).toContain('"Dimensions":[["service","operation"]]');
  });

  it('counts a client once however many document clients share it', async () => {
    const records = published();
    const documents = createDocumentClient(client);
    createDocumentClient(client);
    replies.push(throttled());
    await documents.send(new PutCommand({ TableName: 't', Item: { PK: 'a' } }));
    expect(records()).toEqual([expect.objectContaining({ operation: 'PutItem', DynamoDbRetries: 1 })]);
  });

  it('counts the batches putAll sends again and the transactions re-run after a conflict', async () => {
    const records = published();
    const documents = createDocumentClient(client);
    replies.push({
      status: 200,
      body: JSON.stringify({ UnprocessedItems: { t: [{ PutRequest: { Item: { PK: { S: 'b' } } } }] } }),
    });
    await putAll(documents, 't', [{ PK: 'a' }, { PK: 'b' }]);
    const conflict = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'TransactionConflict' }],
    });
    const transaction = vi.fn().mockRejectedValueOnce(conflict).mockResolvedValue('done');
    await expect(retryTransactionConflicts(transaction)).resolves.toBe('done');

    expect(records()).toEqual([
      expect.objectContaining({ operation: 'BatchWriteItem', DynamoDbRetries: 1 }),
      expect.objectContaining({ operation: 'TransactWriteItems', DynamoDbRetries: 1 }),
    ]);
  });

  it('re-runs a transaction cancelled for a throttled item, and answers 429 when the throttling persists', async () => {
    const records = published();
    const throttledItem = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
    });
    const recovering = vi.fn().mockRejectedValueOnce(throttledItem).mockResolvedValue('done');
    await expect(retryTransactionConflicts(recovering)).resolves.toBe('done');
    expect(records()).toEqual([
      expect.objectContaining({ operation: 'TransactWriteItems', DynamoDbRetries: 1 }),
    ]);

    const persisting = vi.fn().mockRejectedValue(throttledItem);
    await expect(retryTransactionConflicts(persisting)).rejects.toMatchObject({
      code: 'TABLE_THROTTLED',
      kind: 'THROTTLED',
    });
    expect(persisting).toHaveBeenCalledTimes(6);
  });

  it('leaves a failed condition to the caller, however the other items fared', async () => {
    const conditionFailed = Object.assign(new Error('cancelled'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'TransactionConflict' }],
    });
    const transaction = vi.fn().mockRejectedValue(conditionFailed);
    await expect(retryTransactionConflicts(transaction)).rejects.toBe(conditionFailed);
    expect(transaction).toHaveBeenCalledTimes(1);
  });
});
