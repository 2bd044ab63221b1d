import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { RoleCatalog } from '../../identity/adapters/role-catalog';
import { principalResolver } from '../../identity/use-cases/resolve-principal';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { loadConfig } from '../../shared/config';
import type { DomainEvent } from '../../shared/events/domain-event';
import { principalRoute } from '../../shared/http/api-route';
import { expectedVersion } from '../../shared/http/request-parsing';
import { eventBusConfig, tableConfig } from '../../shared/runtime-config';
import { BundleRepository } from '../adapters/bundle-repository';
import { BUNDLE_ID, bundleDefinitionSchema, bundleSchema } from '../domain/bundle';
import { createBundle, deleteBundle, replaceBundle } from '../use-cases/bundles';
import { bundleParams, withVersionTag } from './bundle-http';
import { grantsOnTable } from './principal-grants';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const bundles = new BundleRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const deps = {
  bundles,
  roleCatalog: new RoleCatalog(directory),
  publish: (events: readonly DomainEvent[]) => publisher.publish(events),
  clock: () => new Date(),
};
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));
const common = { resolvePrincipal, flag: 'iam-bulk-assign' } as const;

export const postBundle = principalRoute(
  {
    ...common,
    permission: 'bundles.manage',
    operation: 'CreateBundle',
    responseBody: bundleSchema,
    body: z.object({ bundleId: z.string().regex(BUNDLE_ID) }).and(bundleDefinitionSchema),
  },
  async ({ caller, body: { bundleId, ...definition } }) =>
    withVersionTag(await createBundle(deps, caller, bundleId, definition), 201),
);

export const putBundle = principalRoute(
  {
    ...common,
    permission: 'bundles.manage',
    operation: 'ReplaceBundle',
    params: bundleParams,
    responseBody: bundleSchema,
    body: bundleDefinitionSchema,
  },
  async ({ caller, params, body, headers }) =>
    withVersionTag(await replaceBundle(deps, caller, params.bundleId, body, expectedVersion(headers)), 200),
);

export const removeBundle = principalRoute(
  { ...common, permission: 'bundles.manage', operation: 'DeleteBundle', params: bundleParams },
  async ({ caller, params, headers }) => {
    await deleteBundle(deps, caller, params.bundleId, expectedVersion(headers));
    return { statusCode: 204 };
  },
);
