import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver, { type S3rverRecord } from 's3rver';
import { UPLOAD_CORS_RULE } from '../../config/console-hosting';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../environment';
import { closeServer, LOOPBACK } from '../net';

/** An object s3rver stored, as S3 would describe it in an ObjectCreated notification (key not encoded). */
export interface CreatedObject {
  readonly bucket: string;
  /** The key as stored: notifications encode it (local/s3/notifications.ts). */
  readonly key: string;
  readonly size: number;
  readonly eTag: string;
  /** `ObjectCreated:Put`, `:Post` or `:Copy` (s3rver reports a completed multipart upload as `:Post`). */
  readonly eventName: string;
  readonly eventTime: string;
  readonly sequencer: string;
  readonly sourceIPAddress: string;
}

export interface S3Engine {
  readonly endpoint: string;
  /** Calls `listener` for each object created (PUT, POST, copy). Returns a function that unsubscribes. */
  onObjectCreated(listener: (object: CreatedObject) => void): () => void;
  /** An object's content as UTF-8 text, read through the S3 API (the Step Functions ItemReader bridge uses it). */
  readObject(bucket: string, key: string): Promise<string>;
  stop(): Promise<void>;
}

export interface S3EngineOptions {
  /** Where objects are kept: inside the data dir when persisting, a temporary dir otherwise. */
  readonly directory: string;
  readonly buckets: readonly string[];
  /** Absent: any free port. */
  readonly port?: number;
}

/**
 * The admin console uploads straight from the browser to the presigned POST, under the CORS rule the
 * uploads bucket has in AWS (config/console-hosting.ts). Locally the console's origin is the API's
 * port, whatever it is, so any origin may send; without a rule s3rver refuses the browser's preflight.
 */
const BROWSER_UPLOAD_CORS = [
  '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>',
  ...UPLOAD_CORS_RULE.AllowedMethods.map((method) => `<AllowedMethod>${method}</AllowedMethod>`),
  ...UPLOAD_CORS_RULE.AllowedHeaders.map((header) => `<AllowedHeader>${header}</AllowedHeader>`),
  ...UPLOAD_CORS_RULE.ExposeHeaders.map((header) => `<ExposeHeader>${header}</ExposeHeader>`),
  `<MaxAgeSeconds>${UPLOAD_CORS_RULE.MaxAgeSeconds}</MaxAgeSeconds>`,
  '</CORSRule></CORSConfiguration>',
].join('');

export async function startS3(options: S3EngineOptions): Promise<S3Engine> {
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [BROWSER_UPLOAD_CORS] })),
  });
  const address = await server.run();
  const endpoint = `http://${LOOPBACK}:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    onObjectCreated(listener) {
      const forward = (event: { Records: readonly S3rverRecord[] }) => {
        for (const record of event.Records) {
          if (record.eventName.startsWith('ObjectCreated:')) listener(createdObjectOf(record));
        }
      };
      server.on('event', forward);
      return () => server.off('event', forward);
    },
    async readObject(bucket, key) {
      const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!response.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return await response.Body.transformToString('utf8');
    },
    async stop() {
      client.destroy();
      if (server.httpServer) await closeServer(server.httpServer);
    },
  };
}

/** s3rver's own record, with the raw key; it omits the eTag of a copy, and its bucket ARN is malformed. */
function createdObjectOf(record: S3rverRecord): CreatedObject {
  return {
    bucket: record.s3.bucket.name,
    key: record.s3.object.key,
    size: record.s3.object.size ?? 0,
    eTag: record.s3.object.eTag ?? '',
    eventName: record.eventName,
    eventTime: record.eventTime,
    sequencer: record.s3.object.sequencer,
    sourceIPAddress: record.requestParameters.sourceIPAddress,
  };
}
