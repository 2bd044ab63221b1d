import { ForbiddenError } from '../../shared/errors';

/**
 * Where an import's files live. Keys are built from ids Muster generated, never from anything the
 * caller sent (a file name is kept as metadata only), so no upload can land outside its tenant.
 */
export const artifactKeys = {
  upload: (tenantId: string, fileId: string) => `tenants/${tenantId}/uploads/${fileId}`,
  issues: (tenantId: string, taskId: string) => `tenants/${tenantId}/imports/${taskId}/issues.jsonl`,
  validRows: (tenantId: string, taskId: string) => `tenants/${tenantId}/imports/${taskId}/valid-rows.jsonl`,
  reportCsv: (tenantId: string, taskId: string) => `tenants/${tenantId}/imports/${taskId}/report.csv`,
  reportXlsx: (tenantId: string, taskId: string) => `tenants/${tenantId}/imports/${taskId}/report.xlsx`,
  manifest: (tenantId: string, taskId: string, run: number) =>
    `tenants/${tenantId}/imports/${taskId}/runs/${run}/manifest.json`,
  batch: (tenantId: string, taskId: string, run: number, batch: number) =>
    `tenants/${tenantId}/imports/${taskId}/runs/${run}/batches/${batch}.json`,
  succeededExport: (tenantId: string, taskId: string) =>
    `tenants/${tenantId}/imports/${taskId}/exports/succeeded.csv`,
  failedExport: (tenantId: string, taskId: string) =>
    `tenants/${tenantId}/imports/${taskId}/exports/failed.csv`,
  template: (tenantId: string, at: Date, fileName: string) =>
    `tenants/${tenantId}/templates/${at.getTime()}-${fileName}`,
} as const;

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A plain name: no `.` or `..`, no empty segment, no percent-encoding, backslash or control character. */
const PLAIN_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Every object of a tenant lives under this prefix; its trailing slash keeps `acme` out of `acme-eu`. */
export function tenantPrefix(tenantId: string): string {
  return `tenants/${tenantId}/`;
}

/**
 * Whether `key` names an object of `tenantId`: under its prefix and made of plain segments only,
 * so no store or tool that resolves `..`, decodes `%2e%2e%2f` or reads a backslash as a separator can
 * take it into another tenant's prefix.
 */
export function isTenantKey(tenantId: string, key: string): boolean {
  const prefix = tenantPrefix(tenantId);
  if (!TENANT_ID.test(tenantId) || !key.startsWith(prefix)) return false;
  return key
    .slice(prefix.length)
    .split('/')
    .every((segment) => PLAIN_SEGMENT.test(segment));
}

/**
 * `key`, once it is known to be the tenant's. Keys are built from ids Muster generated, so a
 * refusal means a stored key was tampered with: nothing is read or handed out.
 */
export function requireTenantKey(tenantId: string, key: string): string {
  if (isTenantKey(tenantId, key)) return key;
  throw new ForbiddenError('KEY_OUTSIDE_TENANT', 'This object does not belong to your tenant.');
}

const UPLOAD_KEY = /^tenants\/([A-Za-z0-9_-]{1,64})\/uploads\/(f_[0-9a-z]{26})$/;

/** The tenant and file of an uploads-bucket key, or undefined for any key we did not hand out. */
export function parseUploadKey(key: string): { tenantId: string; fileId: string } | undefined {
  const match = UPLOAD_KEY.exec(key);
  return match?.[1] && match[2] ? { tenantId: match[1], fileId: match[2] } : undefined;
}

/** The task of an upload: one file, one task, whichever of the two ways validation starts. */
export function taskIdOf(fileId: string): string {
  return `t_${fileId.slice(2)}`;
}
