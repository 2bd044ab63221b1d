import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { requestIdempotencyStore } from '../../shared/aws/request-idempotency-store';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { requiredVersion, versionTag } from '../../shared/http/request-parsing';
import { eventBusConfig, tableConfig } from '../../shared/runtime-config';
import { DirectoryRepository } from '../adapters/directory-repository';
import { RoleCatalog } from '../adapters/role-catalog';
import { adminProfileChangesSchema } from '../domain/profile-changes';
import { toUserResource, type User, userResourceSchema } from '../domain/user';
import { replaceUserRoles, updateUserProfile } from '../use-cases/admin-user-updates';
import { principalResolver } from '../use-cases/resolve-principal';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape));
const dynamodb = createDynamoDbClient();
const documents = createDocumentClient(dynamodb);
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const roleCatalog = new RoleCatalog(directory);
const deps = {
  directory,
  roles: () => roleCatalog.roles(),
  publish: (events: Parameters<EventPublisher['publish']>[0]) => publisher.publish(events),
  clock: () => new Date(),
};
const common = {
  resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
  flag: 'user_mgmt_core',
  permission: 'users.manage_all',
  idempotency: requestIdempotencyStore(dynamodb, config.TABLE_NAME),
  params: z.object({ userId: z.string().min(1).max(128) }),
  responseBody: userResourceSchema,
} as const;

function userView(user: User) {
  return { statusCode: 200, body: toUserResource(user), headers: { etag: versionTag(user.version) } };
}

/** `PATCH /v1/admin/users/{userId}` with `If-Match`: a partial profile update. */
export const patchUser = principalRoute(
  { ...common, operation: 'UpdateUser', body: adminProfileChangesSchema },
  async ({ caller, params, body, headers }) =>
    userView(await updateUserProfile(deps, caller, params.userId, body, requiredVersion(headers))),
);

/** `PUT /v1/admin/users/{userId}/roles` with `If-Match`: replaces the user's direct roles. */
export const putUserRoles = principalRoute(
  {
    ...common,
    operation: 'ReplaceUserRoles',
    body: z.strictObject({ roles: z.array(z.string().trim().min(1).max(64)).max(50) }),
  },
  async ({ caller, params, body, headers }) =>
    userView(await replaceUserRoles(deps, caller, params.userId, body.roles, requiredVersion(headers))),
);
