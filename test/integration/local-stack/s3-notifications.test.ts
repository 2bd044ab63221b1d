import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectNotificationDefinition } from '../../../config/object-notifications';
import { type CreatedObject, type S3Engine, startS3 } from '../../../local/s3/engine';
import { createObjectNotifications } from '../../../local/s3/notifications';

const UPLOADS = 'uploads';
const notification: ObjectNotificationDefinition = {
  name: 'ImportUploadReceived',
  bucket: 'uploads',
  prefix: 'tenants/',
  target: { entry: 'functions/bulk-import/handlers/upload-received.ts', export: 'handler' },
  access: [],
};

describe('S3 notifications of the local S3 engine', () => {
  let directory = '';
  let engine: S3Engine;
  let s3: S3Client;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'muster-s3-test-'));
    engine = await startS3({ directory, buckets: [UPLOADS] });
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

  it('tells ObjectCreated listeners of each object created, with its key as stored and its size', async () => {
    const received: CreatedObject[] = [];
    const unsubscribe = engine.onObjectCreated((object) => received.push(object));
    await s3.send(
      new PutObjectCommand({ Bucket: UPLOADS, Key: 'tenant-1/my users (2).csv', Body: 'email\n' }),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: UPLOADS, Key: 'tenant-1/my users (2).csv' }));
    unsubscribe();
    await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: 'after-unsubscribe.csv', Body: 'x' }));

    expect(received).toEqual([
      expect.objectContaining({
        bucket: UPLOADS,
        key: 'tenant-1/my users (2).csv',
        size: 6,
        eventName: 'ObjectCreated:Put',
        eTag: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
  });

  it('invokes the notification target asynchronously: a presigned PUT is answered before the handler finishes', async () => {
    const events: S3Event[] = [];
    const release = Promise.withResolvers<void>();
    const notifications = createObjectNotifications({
      definitions: [notification],
      buckets: { uploads: UPLOADS },
      region: 'us-east-1',
      invokeTarget: async (_target, event) => {
        events.push(event);
        await release.promise;
      },
    });
    const unsubscribe = engine.onObjectCreated((object) => notifications.dispatch(object));
    try {
      const url = await getSignedUrl(
        s3,
        new PutObjectCommand({ Bucket: UPLOADS, Key: 'tenants/t1/uploads/f 1/users.csv' }),
        { expiresIn: 60 },
      );
      const response = await fetch(url, { method: 'PUT', body: 'email\na@x.io\n' });
      expect(response.status).toBe(200);
      await expect.poll(() => events.length).toBe(1);

      const record = events[0]?.Records[0];
      expect(record).toMatchObject({
        eventName: 'ObjectCreated:Put',
        eventSource: 'aws:s3',
        s3: {
          configurationId: 'ImportUploadReceived',
          bucket: { name: UPLOADS, arn: `arn:aws:s3:::${UPLOADS}` },
          object: { key: 'tenants/t1/uploads/f+1/users.csv', size: 13 },
        },
      });
      expect(Date.parse(record?.eventTime ?? '')).not.toBeNaN();
    } finally {
      release.resolve();
      unsubscribe();
      await notifications.drain();
    }
  });

  it('accepts a browser POST upload but enforces none of its policy (content-length-range included): handlers check sizes', async () => {
    const received: CreatedObject[] = [];
    const unsubscribe = engine.onObjectCreated((object) => received.push(object));
    try {
      const { url, fields } = await createPresignedPost(s3, {
        Bucket: UPLOADS,
        Key: 'tenants/t1/uploads/f2/users.csv',
        Conditions: [['content-length-range', 1, 10]],
        Expires: 60,
      });
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob(['email\nfar-more-than-ten-bytes@example.com\n']), 'users.csv');
      const response = await fetch(url, { method: 'POST', body: form });

      // S3 answers 400 EntityTooLarge; s3rver ignores the policy and stores the object.
      expect(response.status).toBe(204);
      expect(received).toEqual([
        expect.objectContaining({
          key: 'tenants/t1/uploads/f2/users.csv',
          eventName: 'ObjectCreated:Post',
          size: 42,
        }),
      ]);
    } finally {
      unsubscribe();
    }
  });

  it('refuses an expired presigned URL, but checks no SigV4 signature (only the access key id)', async () => {
    const command = new PutObjectCommand({ Bucket: UPLOADS, Key: 'tenants/t1/uploads/f3/users.csv' });
    const expired = await getSignedUrl(s3, command, {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    expect((await fetch(expired, { method: 'PUT', body: 'x' })).status).toBe(403);

    const tampered = new URL(await getSignedUrl(s3, command, { expiresIn: 60 }));
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    // S3 answers 403 SignatureDoesNotMatch.
    expect((await fetch(tampered, { method: 'PUT', body: 'x' })).status).toBe(200);
  });
});
