import { createServer, type IncomingMessage } from 'node:http';
import {
  BatchWriteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { retryTransactionConflicts } from '../../../functions/shared/aws/dynamodb';
import { type DynamoDbFaultProxy, startDynamoDbFaultProxy } from '../../../local/dynamodb/fault-proxy';
import {
  mentionsTenant,
  splitBatchWrite,
  withUnprocessed,
  writeOperationOf,
} from '../../../local/dynamodb/write-faults';
import { closeServer } from '../../../local/net';
import { dynamoDbClientWithoutBackoff, listenOnLoopback } from '../../support/dynamodb-without-backoff';

describe('write-faults', () => {
  it('names the write operations of an X-Amz-Target, and nothing else', () => {
    expect(writeOperationOf('DynamoDB_20120810.TransactWriteItems')).toBe('TransactWriteItems');
    expect(writeOperationOf('DynamoDB_20120810.BatchWriteItem')).toBe('BatchWriteItem');
    expect(writeOperationOf('DynamoDB_20120810.GetItem')).toBeUndefined();
    expect(writeOperationOf('DynamoDB_20120810.TransactGetItems')).toBeUndefined();
    expect(writeOperationOf(undefined)).toBeUndefined();
  });

  it("finds a tenant's keys and tenantId attribute, never a tenant whose id merely starts the same", () => {
    expect(mentionsTenant('{"PK":{"S":"TENANT#acme#USER#u1"}}', 'acme')).toBe(true);
    expect(mentionsTenant('{"PK":{"S":"TENANT#acme"}}', 'acme')).toBe(true);
    expect(mentionsTenant('{"PK":{"S":"ACTIVATION#x"},"tenantId":{"S":"acme"}}', 'acme')).toBe(true);
    expect(mentionsTenant('{"PK":{"S":"TENANT#acme2#USER#u1"}}', 'acme')).toBe(false);
    expect(mentionsTenant('{"tenantId":{"S":"acme2"}}', 'acme')).toBe(false);
  });

  const batch = (pks: string[]) =>
    JSON.stringify({ RequestItems: { t: pks.map((PK) => ({ PutRequest: { Item: { PK: { S: PK } } } })) } });

  it("draws each of the tenant's items of a batch on its own, leaving others' items alone", () => {
    const draws = [true, false];
    const decision = splitBatchWrite(
      batch(['TENANT#acme#A', 'TENANT#other#B', 'TENANT#acme#C']),
      'acme',
      () => draws.shift() ?? false,
    );
    expect(decision).toEqual({
      kind: 'partial',
      forward: batch(['TENANT#other#B', 'TENANT#acme#C']),
      unprocessed: { t: [{ PutRequest: { Item: { PK: { S: 'TENANT#acme#A' } } } }] },
    });
    expect(splitBatchWrite(batch(['TENANT#acme#A', 'TENANT#acme#B']), 'acme', () => true)).toEqual({
      kind: 'throttle',
    });
    expect(splitBatchWrite(batch(['TENANT#other#A']), 'acme', () => true)).toEqual({ kind: 'forward' });
  });

  it("adds the drawn items to DynamoDB's own UnprocessedItems", () => {
    const own = { PutRequest: { Item: { PK: { S: 'X' } } } };
    const drawn = { PutRequest: { Item: { PK: { S: 'Y' } } } };
    expect(
      JSON.parse(withUnprocessed(JSON.stringify({ UnprocessedItems: { t: [own] } }), { t: [drawn] })),
    ).toEqual({
      UnprocessedItems: { t: [own, drawn] },
    });
    expect(JSON.parse(withUnprocessed('{}', { t: [drawn] }))).toEqual({ UnprocessedItems: { t: [drawn] } });
  });
});

describe('the DynamoDB fault proxy', () => {
  /** What reached the engine behind the proxy: operation and body. */
  const received: { target: string; body: string }[] = [];
  const engine = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(Buffer.from(chunk));
    received.push({
      target: String(request.headers['x-amz-target']),
      body: Buffer.concat(chunks).toString(),
    });
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end('{}');
  });
  let proxy: DynamoDbFaultProxy;
  let draws: number[] = [];
  let client: DynamoDBClient;
  /** The SDK's retry decisions: which kind of error it was asked to retry. */
  const retried: string[] = [];

  beforeAll(async () => {
    proxy = await startDynamoDbFaultProxy({
      target: await listenOnLoopback(engine),
      random: () => draws.shift() ?? 0.99,
    });
    client = dynamoDbClientWithoutBackoff(proxy.endpoint, (errorType) => retried.push(errorType));
  });
  afterAll(async () => {
    client.destroy();
    await proxy.stop();
    await closeServer(engine);
  });
  beforeEach(() => {
    proxy.clear();
    received.length = 0;
    retried.length = 0;
    draws = [];
  });

  const put = (pk: string) => new PutItemCommand({ TableName: 't', Item: { PK: { S: pk } } });

  it('answers a drawn write of the armed tenant as DynamoDB does, and the SDK retries it as throttling', async () => {
    proxy.throttleWrites('acme', 0.2);
    // Drawn (0.1 < 0.2) twice, each time a code by the second draw, then written.
    draws = [0.1, 0.1, 0.1, 0.9, 0.5];
    const output = await client.send(put('TENANT#acme#USER#u1'));
    expect(output.$metadata.attempts).toBe(3);
    expect(retried).toEqual(['THROTTLING', 'THROTTLING']);
    expect(received).toHaveLength(1);
    expect(proxy.throttling('acme')).toEqual({
      rate: 0.2,
      injected: {
        errors: { ProvisionedThroughputExceededException: 1, ThrottlingException: 1 },
        partialBatches: 0,
        unprocessedItems: 0,
        cancelledTransactions: 0,
        byOperation: { PutItem: 2 },
      },
    });
  });

  it('throws the throttling error by its name when every attempt is refused', async () => {
    proxy.throttleWrites('acme', 1);
    await expect(client.send(put('TENANT#acme#X'))).rejects.toMatchObject({
      name: expect.stringMatching(/^(ProvisionedThroughputExceededException|ThrottlingException)$/),
      $metadata: { httpStatusCode: 400, attempts: 3 },
    });
    expect(received).toEqual([]);
  });

  it("leaves reads, other tenants' writes and everything once cleared alone", async () => {
    proxy.throttleWrites('acme', 1);
    await client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'TENANT#acme#X' } } }));
    await client.send(put('TENANT#acme2#X'));
    proxy.clear();
    await client.send(put('TENANT#acme#X'));
    expect(received.map((request) => request.target.split('.')[1])).toEqual([
      'GetItem',
      'PutItem',
      'PutItem',
    ]);
    expect(proxy.throttling('acme')?.rate).toBe(0);
    expect(proxy.throttling('nobody')).toBeUndefined();
  });

  it('cancels a drawn transaction with a ThrottlingError reason, which the SDK leaves to retryTransactionConflicts', async () => {
    proxy.throttleWrites('acme', 0.2);
    const transaction = () =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 't', Item: { PK: { S: 'TENANT#acme#USER#u1' } } } },
            { Put: { TableName: 't', Item: { PK: { S: 'TENANT#acme#EMAIL#e1' } } } },
          ],
        }),
      );
    // Drawn (0.1 < 0.2) and cancelled (0.1 < 1/3); then not drawn.
    draws = [0.1, 0.1, 0.9];
    await expect(retryTransactionConflicts(transaction)).resolves.toMatchObject({
      $metadata: { attempts: 1 },
    });
    // The SDK takes the cancellation for a client error and does not send it again; we do.
    expect(retried).toEqual(['CLIENT_ERROR']);
    expect(received.map((request) => request.target.split('.')[1])).toEqual(['TransactWriteItems']);
    expect(proxy.throttling('acme')?.injected).toMatchObject({
      cancelledTransactions: 1,
      errors: { ProvisionedThroughputExceededException: 0, ThrottlingException: 0 },
      byOperation: { TransactWriteItems: 1 },
    });

    draws = [0.1, 0.1];
    await expect(transaction()).rejects.toMatchObject({
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
    });
  });

  it('writes part of a batch and hands the drawn items back unprocessed', async () => {
    proxy.throttleWrites('acme', 0.5);
    const request = (pk: string): WriteRequest => ({ PutRequest: { Item: { PK: { S: pk } } } });
    draws = [0.1, 0.9, 0.1];
    const output = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { t: ['TENANT#acme#A', 'TENANT#acme#B', 'TENANT#acme#C'].map(request) },
      }),
    );
    expect(output.UnprocessedItems).toEqual({ t: [request('TENANT#acme#A'), request('TENANT#acme#C')] });
    expect(JSON.parse(received[0]?.body ?? '{}')).toEqual({
      RequestItems: { t: [request('TENANT#acme#B')] },
    });
    expect(proxy.throttling('acme')?.injected).toMatchObject({
      partialBatches: 1,
      unprocessedItems: 2,
      byOperation: { BatchWriteItem: 1 },
    });
  });
});
