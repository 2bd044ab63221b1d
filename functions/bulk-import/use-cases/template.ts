import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { ObjectStore } from '../../shared/aws/object-store';
import { artifactKeys } from '../domain/artifact-keys';
import { TEMPLATE_VERSION } from '../domain/template-columns';
import { buildCsvTemplate, type TemplateContext, writeXlsxTemplate } from '../domain/template-files';

const DOWNLOAD_URL_TTL_SECONDS = 300;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type TemplateDownload =
  | { readonly format: 'csv'; readonly fileName: string; readonly body: string }
  | { readonly format: 'xlsx'; readonly fileName: string; readonly downloadUrl: string };

/**
 * The import template. CSV is small text and goes back inline; the XLSX workbook (with the
 * tenant's roles, groups and policy on its Instructions sheet) is written to the reports bucket
 * and handed out as a short-lived download link, since the API carries JSON and text.
 */
export async function templateDownload(
  deps: { readonly reports: Pick<ObjectStore, 'putFile' | 'presignDownload'>; readonly clock: () => Date },
  tenantId: string,
  format: 'csv' | 'xlsx',
  context: () => Promise<TemplateContext>,
): Promise<TemplateDownload> {
  const fileName = `muster-users-template-${TEMPLATE_VERSION}.${format}`;
  if (format === 'csv') return { format, fileName, body: buildCsvTemplate() };
  const scratch = await mkdtemp(join(tmpdir(), 'muster-template-'));
  try {
    const path = join(scratch, fileName);
    const out = createWriteStream(path);
    await writeXlsxTemplate(out, await context());
    if (!out.writableEnded) out.end();
    await finished(out);
    const key = artifactKeys.template(tenantId, deps.clock(), fileName);
    await deps.reports.putFile(key, path, XLSX_TYPE);
    return {
      format,
      fileName,
      downloadUrl: await deps.reports.presignDownload(key, fileName, DOWNLOAD_URL_TTL_SECONDS),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
