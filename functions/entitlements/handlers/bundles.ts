import { z } from 'zod';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { RoleCatalog } from '../../identity/adapters/role-catalog';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { expectedVersion, versionTag } from '../../shared/http/request-parsing';
import { tableConfig } from '../../shared/runtime-config';
import { BundleRepository } from '../adapters/bundle-repository';
import { BUNDLE_ID, type Bundle, bundleDefinitionSchema } from '../domain/bundle';
import { createBundle, deleteBundle, getBundle, replaceBundle } from '../use-cases/bundles';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig);
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const bundles = new BundleRepository(documents, config.TABLE_NAME);
const deps = { bundles, roleCatalog: new RoleCatalog(directory), clock: () => new Date() };
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));
const common = { resolvePrincipal, flag: 'iam-bulk-assign' } as const;
const bundleParams = z.object({ bundleId: z.string().regex(BUNDLE_ID, 'a bundle id: a-z, 0-9, _ and -') });

const withTag = (bundle: Bundle, statusCode: number) => ({
  statusCode,
  body: bundle,
  headers: { etag: versionTag(bundle.version) },
});

export const listBundles = principalRoute(
  { ...common, permission: 'roles.assign', operation: 'ListBundles' },
  async ({ caller }) => ({ statusCode: 200, body: { items: await bundles.list(caller.tenantId) } }),
);

export const postBundle = principalRoute(
  {
    ...common,
    permission: 'bundles.manage',
    operation: 'CreateBundle',
    body: z.object({ bundleId: z.string().regex(BUNDLE_ID) }).and(bundleDefinitionSchema),
  },
  async ({ caller, body: { bundleId, ...definition } }) =>
    withTag(await createBundle(deps, caller, bundleId, definition), 201),
);

export const getOneBundle = principalRoute(
  { ...common, permission: 'roles.assign', operation: 'GetBundle', params: bundleParams },
  async ({ caller, params }) => withTag(await getBundle(deps, caller, params.bundleId), 200),
);

export const putBundle = principalRoute(
  {
    ...common,
    permission: 'bundles.manage',
    operation: 'ReplaceBundle',
    params: bundleParams,
    body: bundleDefinitionSchema,
  },
  async ({ caller, params, body, headers }) =>
    withTag(await replaceBundle(deps, caller, params.bundleId, body, expectedVersion(headers)), 200),
);

export const removeBundle = principalRoute(
  { ...common, permission: 'bundles.manage', operation: 'DeleteBundle', params: bundleParams },
  async ({ caller, params, headers }) => {
    await deleteBundle(deps, caller, params.bundleId, expectedVersion(headers));
    return { statusCode: 204 };
  },
);
