// The data a load run reads: per tenant, users brought in by one bulk import (so the tenant also
// has an import task to poll) and a few admins to spread the load across callers.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { type benchApi, benchToken } from '../bench/local-stack-bench';

const IMPORTS = '/internal/iam/users/bulk-import';
const IMPORT_DEADLINE_MS = 180_000;
const POLL_MS = 250;

export interface SeededTenant {
  readonly tenantId: string;
  /** A COMPLETED import of the tenant's users: the task the status route is asked about. */
  readonly taskId: string;
  /** Bearer tokens of the tenant's admins that make the steady load. */
  readonly callers: readonly string[];
  /** Ids of the imported users, for the `$batch` reads. */
  readonly userIds: readonly string[];
}

type Api = ReturnType<typeof benchApi>;

const uploadSchema = z.object({
  fileId: z.string(),
  uploadUrl: z.string(),
  fields: z.record(z.string(), z.string()),
});
const taskSchema = z.object({ status: z.string(), counts: z.object({ succeeded: z.number() }) });
const usersPageSchema = z.object({ items: z.array(z.object({ userId: z.string() })) });

async function importUsers(api: Api, token: string, tenantId: string, users: number): Promise<string> {
  const csv = ['email,given_name,family_name,department']
    .concat(
      Array.from(
        { length: users },
        (_, index) => `p${index}@${tenantId}.test,Given${index},Family${index},Load`,
      ),
    )
    .join('\r\n');
  const upload = uploadSchema.parse(await api('POST', `${IMPORTS}/uploads`, token, { fileName: 'load.csv' }));
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', new Blob([csv]), 'load.csv');
  const sent = await fetch(upload.uploadUrl, { method: 'POST', body: form });
  if (!sent.ok) throw new Error(`upload to ${upload.uploadUrl}: ${sent.status} ${await sent.text()}`);
  const { taskId } = z
    .object({ taskId: z.string() })
    .parse(await api('POST', `${IMPORTS}/validation`, token, { fileId: upload.fileId }));
  const waitFor = async (statuses: readonly string[]) => {
    const deadline = Date.now() + IMPORT_DEADLINE_MS;
    for (;;) {
      const task = taskSchema.parse(await api('GET', `${IMPORTS}/${taskId}`, token));
      if (statuses.includes(task.status)) return task;
      if (Date.now() > deadline) throw new Error(`import ${taskId} stayed ${task.status}`);
      await sleep(POLL_MS);
    }
  };
  const validated = await waitFor(['VALIDATED', 'VALIDATION_FAILED']);
  if (validated.status !== 'VALIDATED') throw new Error(`import ${taskId} ended ${validated.status}`);
  await api('POST', `${IMPORTS}/commit`, token, { taskId, sendWelcome: false });
  const done = await waitFor(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
  if (done.status !== 'COMPLETED' || done.counts.succeeded !== users) {
    throw new Error(
      `import ${taskId} ended ${done.status} with ${done.counts.succeeded} of ${users} created`,
    );
  }
  return taskId;
}

/** `tenants` tenants of `usersPerTenant` imported users and `callersPerTenant` tenant admins each. */
export async function seedTenants(
  api: Api,
  options: { readonly tenants: number; readonly usersPerTenant: number; readonly callersPerTenant: number },
): Promise<SeededTenant[]> {
  const runId = Date.now().toString(36);
  return Promise.all(
    Array.from({ length: options.tenants }, async (_, tenant): Promise<SeededTenant> => {
      const tenantId = `load-${runId}-${tenant}`;
      const admin = await benchToken(api, tenantId, `seeder@${tenantId}.test`, ['tenant_admin']);
      const taskId = await importUsers(api, admin, tenantId, options.usersPerTenant);
      const callers = await Promise.all(
        Array.from({ length: options.callersPerTenant }, (_, caller) =>
          benchToken(api, tenantId, `admin${caller}@${tenantId}.test`, ['tenant_admin']),
        ),
      );
      const page = usersPageSchema.parse(await api('GET', '/v1/admin/users?limit=100', admin));
      return { tenantId, taskId, callers, userIds: page.items.map((user) => user.userId) };
    }),
  );
}
