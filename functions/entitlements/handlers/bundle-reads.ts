import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { tableConfig } from '../../shared/runtime-config';
import { BundleRepository } from '../adapters/bundle-repository';
import { bundleListSchema, bundleSchema } from '../domain/bundle';
import { getBundle } from '../use-cases/bundles';
import { bundleParams, withVersionTag } from './bundle-http';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const bundles = new BundleRepository(documents, config.TABLE_NAME);
const common = {
  resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
  flag: 'iam-bulk-assign',
  permission: 'roles.assign',
} as const;

export const listBundles = principalRoute(
  { ...common, operation: 'ListBundles', responseBody: bundleListSchema },
  async ({ caller }) => ({ statusCode: 200, body: { items: await bundles.list(caller.tenantId) } }),
);

export const getOneBundle = principalRoute(
  { ...common, operation: 'GetBundle', params: bundleParams, responseBody: bundleSchema },
  async ({ caller, params }) => withVersionTag(await getBundle({ bundles }, caller, params.bundleId), 200),
);
