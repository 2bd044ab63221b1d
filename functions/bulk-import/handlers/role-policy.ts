import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { RoleCatalog } from '../../identity/adapters/role-catalog';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig } from '../../shared/runtime-config';
import { RolePolicyRepository } from '../adapters/role-policy-repository';
import { rolePolicySchema } from '../domain/role-policy';
import { importSettingsConfig } from '../runtime-config';
import { replaceRolePolicy } from '../use-cases/role-policy';

const config = loadConfig(tableConfig.extend(importSettingsConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const policies = new RolePolicyRepository(documents, config.TABLE_NAME);
const deps = {
  policies,
  roleCatalog: new RoleCatalog(directory),
  approvalRoles: new Set(config.IMPORT_APPROVAL_ROLES),
  clock: () => new Date(),
};
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));

export const getRolePolicy = principalRoute(
  {
    resolvePrincipal,
    permission: 'users.import',
    flag: 'user-bulk-import',
    operation: 'GetDefaultRolePolicy',
    responseBody: rolePolicySchema,
  },
  async ({ caller }) => ({ statusCode: 200, body: await policies.get(caller.tenantId) }),
);

export const putRolePolicy = principalRoute(
  {
    resolvePrincipal,
    permission: 'role_policies.manage',
    flag: 'user-bulk-import',
    operation: 'PutDefaultRolePolicy',
    body: rolePolicySchema,
    responseBody: rolePolicySchema,
  },
  async ({ caller, body }) => ({ statusCode: 200, body: await replaceRolePolicy(deps, caller, body) }),
);
