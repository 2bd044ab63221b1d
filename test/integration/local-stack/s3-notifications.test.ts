import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Engine, startS3 } from '../../../local/s3/engine';

describe('S3 notifications of the local S3 engine', () => {
  let directory = '';
  let engine: S3Engine;
  let s3: S3Client;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'muster-s3-test-'));
    engine = await startS3({ directory, buckets: ['uploads'] });
    s3 = new S3Client({
      endpoint: engine.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    s3.destroy();
    await engine.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('tells ObjectCreated listeners, with the key URL-encoded as S3 sends it', async () => {
    const received: S3Event[] = [];
    const unsubscribe = engine.onObjectCreated((event) => received.push(event));
    await s3.send(
      new PutObjectCommand({ Bucket: 'uploads', Key: 'tenant-1/my users (2).csv', Body: 'email\n' }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: 'uploads', Key: 'tenant-1/my users (2).csv' }));
    unsubscribe();
    await s3.send(new PutObjectCommand({ Bucket: 'uploads', Key: 'after-unsubscribe.csv', Body: 'x' }));

    expect(received).toHaveLength(1);
    const record = received[0]?.Records[0];
    expect(record?.eventName).toBe('ObjectCreated:Put');
    expect(record?.s3.bucket.name).toBe('uploads');
    expect(record?.s3.object.key).toBe('tenant-1/my+users+%282%29.csv');
    expect(decodeURIComponent(record?.s3.object.key.replaceAll('+', ' ') ?? '')).toBe(
      'tenant-1/my users (2).csv',
    );
  });
});
