// s3rver ships no types; this declares the part of its API the local stack uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';
  import type { S3Event } from 'aws-lambda';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    configureBuckets?: ReadonlyArray<{ name: string }>;
  }

  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    /** Emitted for each PUT, POST, COPY and DELETE of an object, as an S3 notification. */
    on(event: 'event', listener: (event: S3Event) => void): this;
  }
}
