import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { pageSchema } from '../../shared/http/page-token';
import { versionTag } from '../../shared/http/request-parsing';
import { tableConfig } from '../../shared/runtime-config';
import { DirectoryRepository } from '../adapters/directory-repository';
import { toUserResource, userResourceSchema } from '../domain/user';
import { getTenantUser, listUsers, MAX_USERS_PAGE } from '../use-cases/admin-users';
import { principalResolver } from '../use-cases/resolve-principal';

/** Reads only: this function is granted no write and no bus. */
const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const common = {
  resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
  flag: 'user_mgmt_core',
  permission: 'users.read',
} as const;

const criterion = z.string().trim().min(1).max(256).optional();

/** `GET /v1/admin/users?limit=&nextToken=&status=&role=&group=&department=&q=` */
export const getUsers = principalRoute(
  {
    ...common,
    operation: 'ListUsers',
    responseBody: pageSchema(userResourceSchema),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(MAX_USERS_PAGE).default(50),
      nextToken: z.string().optional(),
      status: z.enum(['INVITED', 'ACTIVE', 'DEACTIVATED']).optional(),
      role: criterion,
      group: criterion,
      department: criterion,
      q: criterion,
    }),
  },
  async ({ caller, query: { limit, nextToken, ...filter } }) => ({
    statusCode: 200,
    body: await listUsers({ directory }, caller.tenantId, {
      limit,
      ...(nextToken !== undefined ? { nextToken } : {}),
      filter,
    }),
  }),
);

/** `GET /v1/admin/users/{userId}`, with the version as ETag for a later `If-Match`. */
export const getUser = principalRoute(
  {
    ...common,
    operation: 'GetUser',
    params: z.object({ userId: z.string().min(1).max(128) }),
    responseBody: userResourceSchema,
  },
  async ({ caller, params }) => {
    const user = await getTenantUser({ directory }, caller.tenantId, params.userId);
    return { statusCode: 200, body: toUserResource(user), headers: { etag: versionTag(user.version) } };
  },
);
