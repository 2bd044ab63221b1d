import { createHash } from 'node:crypto';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { ObjectNotificationDefinition } from '../../config/object-notifications';
import { createAsyncInvoker, type DeliveryProgress } from '../lambda/async-invoker';
import type { HandlerReference } from '../lambda/handlers';
import type { CreatedObject } from './engine';

export interface ObjectNotificationsOptions {
  readonly definitions: readonly ObjectNotificationDefinition[];
  /** The local bucket behind each bucket name config/object-notifications.ts uses. */
  readonly buckets: Readonly<Record<ObjectNotificationDefinition['bucket'], string>>;
  readonly region: string;
  readonly invokeTarget: (target: HandlerReference, event: S3Event) => Promise<unknown>;
  /** Lambda retries a failed asynchronous invocation twice; locally the waits are short. */
  readonly retryDelaysMs?: readonly number[];
  readonly onDeadLetter?: (notification: string, event: S3Event, progress: DeliveryProgress) => void;
}

export interface ObjectNotifications {
  /** Starts delivering `object` to every notification whose bucket and prefix it matches, and returns at once. */
  dispatch(object: CreatedObject): void;
  drain(): Promise<void>;
}

const DEFAULT_RETRY_DELAYS_MS = [100, 400];

/**
 * S3 → Lambda notifications of config/object-notifications.ts on the local S3 engine: each created
 * object under a notification's prefix invokes its handler in-process, asynchronously (the upload
 * has been answered already), with an S3 notification event of the shape S3 sends, retried and then
 * dead-lettered like every asynchronous delivery of the local stack.
 */
export function createObjectNotifications(options: ObjectNotificationsOptions): ObjectNotifications {
  const invoker = createAsyncInvoker<S3Event>({
    invoke: options.invokeTarget,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  });
  return {
    dispatch(object) {
      for (const definition of options.definitions) {
        // S3 filters on the key as stored, before it encodes it for the event.
        if (options.buckets[definition.bucket] !== object.bucket) continue;
        if (!object.key.startsWith(definition.prefix)) continue;
        const event = s3NotificationEvent(object, {
          configurationId: definition.name,
          region: options.region,
        });
        const progress: DeliveryProgress = { status: 'pending', attempts: 0 };
        invoker.deliver(definition.target, event, progress, () =>
          options.onDeadLetter?.(definition.name, event, progress),
        );
      }
    },
    drain: () => invoker.drain(),
  };
}

/**
 * The event S3 hands a Lambda for one created object: one record, event version 2.1, the
 * notification's id as `configurationId`, and the key URL-encoded as S3 encodes it.
 */
export function s3NotificationEvent(
  object: CreatedObject,
  { configurationId, region }: { configurationId: string; region: string },
): S3Event {
  const requestId = createHash('sha256')
    .update(`${object.bucket}/${object.key}/${object.sequencer}`)
    .digest('hex');
  const record: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: object.eventTime,
    eventName: object.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: object.sourceIPAddress },
    responseElements: {
      'x-amz-request-id': requestId.slice(0, 16).toUpperCase(),
      'x-amz-id-2': Buffer.from(requestId, 'hex').toString('base64'),
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId,
      bucket: {
        name: object.bucket,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${object.bucket}`,
      },
      object: {
        key: encodeS3EventKey(object.key),
        size: object.size,
        eTag: object.eTag,
        sequencer: object.sequencer,
      },
    },
  };
  return { Records: [record] };
}

/**
 * S3 form-encodes object keys in notifications (a space becomes `+`, `(` becomes `%28`, `/` stays)
 * and handlers decode them with `decodeURIComponent(key.replaceAll('+', ' '))`.
 */
export function encodeS3EventKey(key: string): string {
  return key.split('/').map(formEncode).join('/');
}

function formEncode(segment: string): string {
  return encodeURIComponent(segment)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
