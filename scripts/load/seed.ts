// The data a load run reads: per tenant, users brought in by one bulk import (so the tenant also
// has an import task to poll) and a few admins to spread the load across callers.
import { z } from 'zod';
import { importThroughApi } from '../bench/import-flow';
import { type benchApi, benchToken } from '../bench/local-stack-bench';

const IMPORT_DEADLINE_MS = 180_000;

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
  const { taskId } = await importThroughApi(
    api,
    token,
    { fileName: 'load.csv', csv, rows: users },
    { sendWelcome: false, deadlineMs: IMPORT_DEADLINE_MS },
  );
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
