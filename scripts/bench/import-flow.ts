// A bulk import through a local stack's API the way a client makes one (upload → validation →
// commit → the run's end), shared by the import benchmark and the load run's seeding.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { benchApi } from './local-stack-bench';

const IMPORTS = '/internal/iam/users/bulk-import';
const POLL_MS = 250;

const uploadSchema = z.object({
  fileId: z.string(),
  uploadUrl: z.string(),
  fields: z.record(z.string(), z.string()),
});
const taskSchema = z.object({ status: z.string(), counts: z.object({ succeeded: z.number() }) });

export interface ImportedFile {
  readonly taskId: string;
  /** `performance.now()` when the task was seen VALIDATED, to split validation from provisioning. */
  readonly validatedAt: number;
}

/**
 * Imports a CSV of `rows` people as `fileName`; throws unless validation passes and the run ends
 * COMPLETED with every row created, or when either phase takes longer than `deadlineMs`.
 */
export async function importThroughApi(
  api: ReturnType<typeof benchApi>,
  token: string,
  file: { readonly fileName: string; readonly csv: string; readonly rows: number },
  options: { readonly sendWelcome: boolean; readonly deadlineMs: number },
): Promise<ImportedFile> {
  const upload = uploadSchema.parse(
    await api('POST', `${IMPORTS}/uploads`, token, { fileName: file.fileName }),
  );
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([file.csv]), file.fileName);
  const sent = await fetch(upload.uploadUrl, { method: 'POST', body: form });
  if (!sent.ok) throw new Error(`upload to ${upload.uploadUrl}: ${sent.status} ${await sent.text()}`);
  const { taskId } = z
    .object({ taskId: z.string() })
    .parse(await api('POST', `${IMPORTS}/validation`, token, { fileId: upload.fileId }));
  const waitFor = async (statuses: readonly string[]) => {
    const deadline = Date.now() + options.deadlineMs;
    for (;;) {
      const task = taskSchema.parse(await api('GET', `${IMPORTS}/${taskId}`, token));
      if (statuses.includes(task.status)) return task;
      if (Date.now() > deadline) throw new Error(`import ${taskId} stayed ${task.status}`);
      await sleep(POLL_MS);
    }
  };
  const validated = await waitFor(['VALIDATED', 'VALIDATION_FAILED']);
  if (validated.status !== 'VALIDATED') throw new Error(`import ${taskId} ended ${validated.status}`);
  const validatedAt = performance.now();
  await api('POST', `${IMPORTS}/commit`, token, { taskId, sendWelcome: options.sendWelcome });
  const done = await waitFor(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
  if (done.status !== 'COMPLETED' || done.counts.succeeded !== file.rows) {
    throw new Error(
      `import ${taskId} ended ${done.status} with ${done.counts.succeeded} of ${file.rows} created`,
    );
  }
  return { taskId, validatedAt };
}
