import type { ResourceAccess } from './resource-access';

/**
 * S3 event notifications: which bucket prefix invokes which handler when an object lands. Read by
 * the CDK storage/bulk-import constructs (an S3 → Lambda notification) and by the local stack
 * (s3rver's event emitter → the same handler, with an S3 notification event of the same shape).
 */
export interface ObjectNotificationDefinition {
  readonly name: string;
  readonly bucket: 'uploads';
  /** Only keys under this prefix notify. */
  readonly prefix: string;
  readonly target: { readonly entry: string; readonly export: string };
  readonly access: readonly ResourceAccess[];
}

export const OBJECT_NOTIFICATIONS: readonly ObjectNotificationDefinition[] = [
  {
    name: 'ImportUploadReceived',
    bucket: 'uploads',
    prefix: 'tenants/',
    target: { entry: 'functions/bulk-import/handlers/upload-received.ts', export: 'handler' },
    access: ['table:read', 'table:write', 'uploads:read', 'reports:write', 'import-settings', 'bus:publish'],
  },
];
