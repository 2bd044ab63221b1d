import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { pageSchema } from '../../shared/http/page-token';
import { tableConfig } from '../../shared/runtime-config';
import { AuditRepository } from '../adapters/audit-repository';
import { auditEntrySchema } from '../domain/audit-listing';
import { listAudit, MAX_AUDIT_PAGE } from '../use-cases/list-audit';

/** Reads only: this function is granted no write and no bus. */
const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const trail = new AuditRepository(documents, config.TABLE_NAME);
const resolvePrincipal = principalResolver(
  new DirectoryRepository(documents, config.TABLE_NAME),
  grantsOnTable(documents, config.TABLE_NAME),
);

const criterion = z.string().trim().min(1).max(256).optional();
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .optional();

/** `GET /v1/admin/audit?targetId=&actorId=&type=&from=&to=&limit=&nextToken=` */
export const getAudit = principalRoute(
  {
    resolvePrincipal,
    flag: 'user_mgmt_core',
    permission: 'audit.read',
    operation: 'ListAudit',
    responseBody: pageSchema(auditEntrySchema),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_AUDIT_PAGE).default(50),
      nextToken: z.string().optional(),
      targetId: criterion,
      actorId: criterion,
      type: criterion,
      from: instant,
      to: instant,
    }),
  },
  async ({ caller, query: { limit, nextToken, from, to, ...filter } }) => ({
    statusCode: 200,
    body: await listAudit(
      { trail },
      caller.tenantId,
      {
        limit,
        filter,
        ...(nextToken !== undefined ? { nextToken } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      },
      new Date(),
    ),
  }),
);
