import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * An S3 client for Muster's buckets. The endpoint comes from the SDK's configuration
 * (`AWS_ENDPOINT_URL_S3` locally; an IP endpoint makes the SDK address buckets by path).
 * Checksums only when an operation requires one: our bodies are streams of unknown length.
 */
export function createS3Client(): S3Client {
  return new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });
}

export interface PresignedUpload {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly expiresAt: Date;
}

/** Objects in one bucket: the only code that reads and writes S3. */
export class ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * A presigned POST policy for one key: S3 itself refuses a body larger than `maxBytes`, so an
   * oversized file never lands (the validator checks the size again, for stores that don't).
   */
  async presignPost(
    key: string,
    maxBytes: number,
    expiresInSeconds: number,
    now: Date,
  ): Promise<PresignedUpload> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [['content-length-range', 1, maxBytes]],
      Expires: expiresInSeconds,
    });
    return { url, fields, expiresAt: new Date(now.getTime() + expiresInSeconds * 1000) };
  }

  /** A presigned GET that downloads under `fileName`. */
  async presignDownload(key: string, fileName: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(
      this.client,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentDisposition: `attachment; filename="${fileName.replaceAll('"', '')}"`,
      }),
      { expiresIn: expiresInSeconds },
    );
  }

  /** The object's size in bytes, or undefined when there is no such object. */
  async size(key: string): Promise<number | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  async read(key: string): Promise<Readable> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return toReadable(result.Body);
  }

  /** Bytes `start`..`end` (inclusive) of an object, for paging through a large file. */
  async readRange(key: string, start: number, end: number): Promise<string> {
    const result = await this.client.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }),
    );
    return result.Body ? result.Body.transformToString('utf8') : '';
  }

  async readText(key: string): Promise<string> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return result.Body ? result.Body.transformToString('utf8') : '';
  }

  async putText(key: string, body: string, contentType: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /** Uploads a local file (a report or export written to /tmp), streaming it with its known length. */
  async putFile(key: string, path: string, contentType: string): Promise<void> {
    const { size } = await stat(path);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: createReadStream(path),
        ContentLength: size,
        ContentType: contentType,
      }),
    );
  }
}

function toReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  throw new Error('S3 returned a body that is not a Node stream');
}
