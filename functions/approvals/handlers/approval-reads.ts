import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { pageSchema } from '../../shared/http/page-token';
import { tableConfig } from '../../shared/runtime-config';
import { ApprovalRepository } from '../adapters/approval-repository';
import { APPROVAL_STATUSES } from '../domain/approval';
import { approvalViewSchema } from '../domain/approval-view';
import { listApprovals } from '../use-cases/list-approvals';

/** Reads live apart from the write paths: this function is granted no bus, mail or workflow access. */
const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const approvals = new ApprovalRepository(documents, config.TABLE_NAME);
const resolvePrincipal = principalResolver(
  new DirectoryRepository(documents, config.TABLE_NAME),
  grantsOnTable(documents, config.TABLE_NAME),
);

/** `GET /internal/approvals?status=PENDING`: the approvals the caller may decide. */
export const getApprovals = principalRoute(
  {
    resolvePrincipal,
    operation: 'ListApprovals',
    responseBody: pageSchema(approvalViewSchema),
    query: z.object({
      status: z.enum(APPROVAL_STATUSES).default('PENDING'),
      limit: z.coerce.number().int().min(1).max(100).default(50),
      nextToken: z.string().max(2000).optional(),
    }),
  },
  async ({ caller, query }) => ({
    statusCode: 200,
    body: await listApprovals(
      { approvals },
      { tenantId: caller.tenantId, userId: caller.currentUserId, roles: caller.access.roles },
      {
        status: query.status,
        limit: query.limit,
        ...(query.nextToken ? { nextToken: query.nextToken } : {}),
      },
    ),
  }),
);
