import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TABLE_SCHEMA } from '../../../config/table';
import { LOCAL_NAMES } from '../../../local/environment';

const endpoints = inject('endpoints');
const env = inject('env');
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

const dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region: 'us-east-1', credentials });
const s3 = new S3Client({
  endpoint: endpoints.s3,
  region: 'us-east-1',
  credentials,
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
afterAll(() => {
  dynamodb.destroy();
  s3.destroy();
});

describe('the local storage engines', () => {
  it('has the table of config/table.ts, on demand, with both GSIs and TTL', async () => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: env.TABLE_NAME }));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    const indexes = Table?.GlobalSecondaryIndexes?.map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((key) => key.AttributeName),
    }));
    expect(indexes?.toSorted((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual(
      TABLE_SCHEMA.globalSecondaryIndexes.map((index) => ({
        name: index.indexName,
        keys: [index.partitionKey, index.sortKey],
      })),
    );

    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: env.TABLE_NAME }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: TABLE_SCHEMA.timeToLiveAttribute,
    });
  });

  it('has both buckets', async () => {
    for (const bucket of [LOCAL_NAMES.uploadsBucket, LOCAL_NAMES.reportsBucket]) {
      await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
    }
  });
});
