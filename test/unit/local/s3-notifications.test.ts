import type { S3Event } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import type { ObjectNotificationDefinition } from '../../../config/object-notifications';
import type { CreatedObject } from '../../../local/s3/engine';
import {
  createObjectNotifications,
  encodeS3EventKey,
  s3NotificationEvent,
} from '../../../local/s3/notifications';

const uploadReceived: ObjectNotificationDefinition = {
  name: 'ImportUploadReceived',
  bucket: 'uploads',
  prefix: 'tenants/',
  target: { entry: 'functions/bulk-import/handlers/upload-received.ts', export: 'handler' },
  access: [],
};

function created(key: string, overrides: Partial<CreatedObject> = {}): CreatedObject {
  return {
    bucket: 'muster-uploads',
    key,
    size: 2048,
    eTag: 'd41d8cd98f00b204e9800998ecf8427e',
    eventName: 'ObjectCreated:Put',
    eventTime: '2025-01-02T03:04:05.678Z',
    sequencer: '0193A1B2C3D4',
    sourceIPAddress: '127.0.0.1',
    ...overrides,
  };
}

describe('s3NotificationEvent', () => {
  it('has the shape S3 hands a Lambda for s3:ObjectCreated:*', () => {
    const event = s3NotificationEvent(created('tenants/t1/uploads/f_1/My users (2).csv'), {
      configurationId: 'ImportUploadReceived',
      region: 'us-east-1',
    });

    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: '2025-01-02T03:04:05.678Z',
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.any(String) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'ImportUploadReceived',
        bucket: {
          name: 'muster-uploads',
          ownerIdentity: { principalId: expect.any(String) },
          arn: 'arn:aws:s3:::muster-uploads',
        },
        object: {
          key: 'tenants/t1/uploads/f_1/My+users+%282%29.csv',
          size: 2048,
          eTag: 'd41d8cd98f00b204e9800998ecf8427e',
          sequencer: '0193A1B2C3D4',
        },
      },
    });
  });

  it('encodes keys as S3 does (form encoding per segment), so the usual decoding gives the key back', () => {
    const keys = ['a b/c+d.csv', "it's (ok)!~.csv", 'ü/%20/x*y-z_1.csv', 'plain/key.xlsx'];
    expect(keys.map(encodeS3EventKey)).toEqual([
      'a+b/c%2Bd.csv',
      'it%27s+%28ok%29%21%7E.csv',
      '%C3%BC/%2520/x*y-z_1.csv',
      'plain/key.xlsx',
    ]);
    for (const key of keys) {
      expect(decodeURIComponent(encodeS3EventKey(key).replaceAll('+', ' '))).toBe(key);
    }
  });
});

describe('createObjectNotifications', () => {
  function notifications(invokeTarget: (target: unknown, event: S3Event) => Promise<unknown>) {
    const onDeadLetter = vi.fn();
    const dispatcher = createObjectNotifications({
      definitions: [uploadReceived],
      buckets: { uploads: 'muster-uploads' },
      region: 'us-east-1',
      invokeTarget,
      retryDelaysMs: [1, 1],
      onDeadLetter,
    });
    return { dispatcher, onDeadLetter };
  }

  it('invokes the target of config/object-notifications.ts for objects under its prefix, after dispatch returns', async () => {
    const events: S3Event[] = [];
    const targets: unknown[] = [];
    const { dispatcher } = notifications(async (target, event) => {
      targets.push(target);
      events.push(event);
    });

    dispatcher.dispatch(created('tenants/t1/uploads/f_1/users.csv'));
    expect(events).toEqual([]);
    await dispatcher.drain();

    expect(targets).toEqual([uploadReceived.target]);
    expect(events[0]?.Records[0]?.s3).toMatchObject({
      configurationId: 'ImportUploadReceived',
      bucket: { name: 'muster-uploads' },
      object: { key: 'tenants/t1/uploads/f_1/users.csv', size: 2048 },
    });
  });

  it('ignores other buckets and keys outside the prefix (matched on the key as stored, not encoded)', async () => {
    const invoke = vi.fn(async () => undefined);
    const { dispatcher } = notifications(invoke);

    dispatcher.dispatch(created('reports/t1/report.csv'));
    dispatcher.dispatch(created('tenants/t1/x.csv', { bucket: 'muster-reports' }));
    dispatcher.dispatch(created('tenants /t1/x.csv'));
    await dispatcher.drain();

    expect(invoke).not.toHaveBeenCalled();
  });

  it('retries a failing target like Lambda retries an asynchronous invocation, then dead-letters the event', async () => {
    let calls = 0;
    const { dispatcher, onDeadLetter } = notifications(async () => {
      calls += 1;
      throw new Error('table unavailable');
    });

    dispatcher.dispatch(created('tenants/t1/uploads/f_1/users.csv'));
    await dispatcher.drain();

    expect(calls).toBe(3);
    expect(onDeadLetter).toHaveBeenCalledWith(
      'ImportUploadReceived',
      expect.objectContaining({ Records: [expect.objectContaining({ eventName: 'ObjectCreated:Put' })] }),
      { status: 'dead-lettered', attempts: 3, lastError: 'table unavailable' },
    );
  });
});
