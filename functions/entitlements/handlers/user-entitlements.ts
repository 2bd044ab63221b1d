import { z } from 'zod';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig } from '../../shared/runtime-config';
import { BundleRepository } from '../adapters/bundle-repository';
import { EntitlementRepository } from '../adapters/entitlement-repository';
import { userEntitlementsSchema } from '../domain/entitlement-view';
import { listUserEntitlements } from '../use-cases/user-entitlements';
import { grantsOnTable } from './principal-grants';

/** Reads only: this function is granted no write and no bus. */
const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const entitlements = new EntitlementRepository(documents, config.TABLE_NAME);
const bundles = new BundleRepository(documents, config.TABLE_NAME);

/** `GET /v1/admin/users/{userId}/entitlements`: read like the user itself (`users.read`, `user_mgmt_core`). */
export const getUserEntitlements = principalRoute(
  {
    resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
    flag: 'user_mgmt_core',
    permission: 'users.read',
    operation: 'ListUserEntitlements',
    params: z.object({ userId: z.string().min(1).max(128) }),
    responseBody: userEntitlementsSchema,
  },
  async ({ caller, params }) => ({
    statusCode: 200,
    body: await listUserEntitlements(
      { directory, entitlements, bundles, now: () => new Date() },
      caller.tenantId,
      params.userId,
    ),
  }),
);
