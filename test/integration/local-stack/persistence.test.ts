import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EngineEndpoints, LOCAL_NAMES } from '../../../local/environment';
import { type LocalStack, startLocalStack } from '../../../local/stack';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const item = { PK: { S: 'PERSIST#1' }, SK: { S: 'ITEM' }, note: { S: 'kept across restarts' } };

function clientsFor(endpoints: EngineEndpoints) {
  return {
    dynamodb: new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials }),
    s3: new S3Client({
      endpoint: endpoints.s3,
      region: 'us-east-1',
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    }),
  };
}

/** The ports a stack got, so the restart answers where the handlers' warm SDK clients already point. */
function portsOf(stack: LocalStack) {
  const port = (url: string) => Number(new URL(url).port);
  return {
    api: port(stack.apiUrl),
    dynamodb: port(stack.endpoints.dynamodb),
    s3: port(stack.endpoints.s3),
    ses: port(stack.endpoints.ses),
    sfn: port(stack.endpoints.sfn),
    eventbridge: port(stack.endpoints.eventbridge),
  };
}

describe('a persisted data dir', () => {
  const stacks: LocalStack[] = [];
  let dataDir = '';
  afterAll(async () => {
    for (const stack of stacks) await stack.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps DynamoDB items, S3 objects and the issuer key across a stop and a start', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'muster-persist-test-'));
    const first = await startLocalStack({ dataDir });
    stacks.push(first);
    expect(first.dataDir).toEqual({ path: dataDir, persistent: true });
    const before = clientsFor(first.endpoints);
    await before.dynamodb.send(new PutItemCommand({ TableName: first.env.TABLE_NAME, Item: item }));
    await before.s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_NAMES.reportsBucket,
        Key: 'reports/kept.csv',
        Body: 'a,b\n1,2\n',
      }),
    );
    const tokenResponse = await fetch(`${first.apiUrl}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId: 'persisted', email: 'p@example.com' }),
    });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(await tokenResponse.json());
    before.dynamodb.destroy();
    before.s3.destroy();
    await first.stop();
    stacks.pop();

    const second = await startLocalStack({ dataDir, ports: portsOf(first) });
    stacks.push(second);
    const after = clientsFor(second.endpoints);
    const stored = await after.dynamodb.send(
      new GetItemCommand({ TableName: second.env.TABLE_NAME, Key: { PK: item.PK, SK: item.SK } }),
    );
    expect(stored.Item).toEqual(item);
    const object = await after.s3.send(
      new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: 'reports/kept.csv' }),
    );
    expect(await object.Body?.transformToString()).toBe('a,b\n1,2\n');
    const jwks = createRemoteJWKSet(new URL(second.env.OIDC_JWKS_URL ?? ''));
    await expect(jwtVerify(accessToken, jwks, { issuer: second.env.OIDC_ISSUER })).resolves.toBeDefined();
    after.dynamodb.destroy();
    after.s3.destroy();
  });
});
