import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { closeServer, LOOPBACK } from '../net';

export interface S3Engine {
  readonly endpoint: string;
  /**
   * Calls `listener` with an S3 notification for each object created, as S3 would deliver it to
   * a Lambda subscribed to `s3:ObjectCreated:*`. Returns a function that unsubscribes.
   */
  onObjectCreated(listener: (event: S3Event) => void): () => void;
  stop(): Promise<void>;
}

export interface S3EngineOptions {
  /** Where objects are kept: inside the data dir when persisting, a temporary dir otherwise. */
  readonly directory: string;
  readonly buckets: readonly string[];
  /** Absent: any free port. */
  readonly port?: number;
}

export async function startS3(options: S3EngineOptions): Promise<S3Engine> {
  const server = new S3rver({
    address: LOOPBACK,
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://${LOOPBACK}:${address.port}`,
    onObjectCreated(listener) {
      const forward = (event: S3Event) => {
        const created = event.Records.filter((record) => record.eventName.startsWith('ObjectCreated:'));
        if (created.length > 0) listener({ Records: created.map(withEncodedKey) });
      };
      server.on('event', forward);
      return () => server.off('event', forward);
    },
    async stop() {
      if (server.httpServer) await closeServer(server.httpServer);
    },
  };
}

/**
 * S3 form-encodes object keys in notifications (a space becomes `+`, `(` becomes `%28`) and
 * handlers decode them; s3rver sends them raw, which would break on keys with spaces or `%`.
 */
function withEncodedKey(record: S3Event['Records'][number]): S3Event['Records'][number] {
  const key = record.s3.object.key.split('/').map(formEncode).join('/');
  return { ...record, s3: { ...record.s3, object: { ...record.s3.object, key } } };
}

function formEncode(segment: string): string {
  return encodeURIComponent(segment)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replaceAll('%20', '+');
}
