// s3rver ships no types; this declares the part of its API the local stack uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    /** `configs`: the bucket's CORSConfiguration or WebsiteConfiguration documents, as XML. */
    configureBuckets?: ReadonlyArray<{ name: string; configs?: readonly string[] }>;
  }

  /** What s3rver's lib/models/event.js builds for each PUT, POST, COPY and DELETE of an object. */
  export interface S3rverRecord {
    readonly eventName: string;
    readonly eventTime: string;
    readonly requestParameters: { readonly sourceIPAddress: string };
    readonly s3: {
      readonly bucket: { readonly name: string };
      readonly object: {
        readonly key: string;
        readonly size?: number;
        readonly eTag?: string;
        readonly sequencer: string;
      };
    };
  }

  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    httpServer?: Server;
    run(): Promise<AddressInfo>;
    on(event: 'event', listener: (event: { Records: readonly S3rverRecord[] }) => void): this;
  }
}
