import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { putAll } from '../../../../functions/shared/aws/dynamodb';
import { ThrottledError } from '../../../../functions/shared/errors';

// DynamoDB Local never hands items back unprocessed; the real service does under throttling.
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const mock = mockClient(documents);
afterEach(() => mock.reset());

const items = (count: number) => Array.from({ length: count }, (_, index) => ({ PK: `K#${index}`, SK: 'S' }));
const written = () =>
  mock
    .commandCalls(BatchWriteCommand)
    .flatMap((call) => call.args[0].input.RequestItems?.table ?? [])
    .map((request) => request.PutRequest?.Item?.PK);

describe('putAll', () => {
  it('writes 25 items a request', async () => {
    mock.on(BatchWriteCommand).resolves({});
    await putAll(documents, 'table', items(60));
    expect(
      mock.commandCalls(BatchWriteCommand).map((call) => call.args[0].input.RequestItems?.table?.length),
    ).toEqual([25, 25, 10]);
    expect(new Set(written()).size).toBe(60);
  });

  it('writes again what comes back unprocessed, and only that', async () => {
    mock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { table: [{ PutRequest: { Item: { PK: 'K#3', SK: 'S' } } }] } })
      .resolves({});
    await putAll(documents, 'table', items(5));
    expect(written()).toEqual(['K#0', 'K#1', 'K#2', 'K#3', 'K#4', 'K#3']);
  });

  it('gives up with a retryable 429 when items stay unprocessed', async () => {
    mock
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { table: [{ PutRequest: { Item: { PK: 'K#0', SK: 'S' } } }] } });
    await expect(putAll(documents, 'table', items(1))).rejects.toBeInstanceOf(ThrottledError);
  });
});
