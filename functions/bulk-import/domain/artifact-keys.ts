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
} as const;

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
