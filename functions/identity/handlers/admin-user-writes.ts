import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { createDocumentClient, createDynamoDbClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { requestIdempotencyStore } from '../../shared/aws/request-idempotency-store';
import { loadConfig } from '../../shared/config';
import type { DomainEvent } from '../../shared/events/domain-event';
import { principalRoute } from '../../shared/http/api-route';
import { versionTag } from '../../shared/http/request-parsing';
import { eventBusConfig, tableConfig } from '../../shared/runtime-config';
import { DirectoryRepository } from '../adapters/directory-repository';
import { RoleCatalog } from '../adapters/role-catalog';
import { toUserResource, type User, userResourceSchema } from '../domain/user';
import type { LifecycleAction } from '../domain/user-lifecycle';
import { USER_PROFILE_FIELDS } from '../domain/user-profile';
import { changeUserStatus, createTenantUser } from '../use-cases/admin-user-lifecycle';
import { principalResolver } from '../use-cases/resolve-principal';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape));
const dynamodb = createDynamoDbClient();
const documents = createDocumentClient(dynamodb);
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const deps = {
  directory,
  roleCatalog: new RoleCatalog(directory),
  publish: (events: readonly DomainEvent[]) => publisher.publish(events),
  clock: () => new Date(),
};
const common = {
  resolvePrincipal: principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME)),
  flag: 'user_mgmt_core',
  permission: 'users.manage_all',
  idempotency: requestIdempotencyStore(dynamodb, config.TABLE_NAME),
  responseBody: userResourceSchema,
} as const;

const profileField = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters')
  .optional();

const newUserSchema = z.strictObject({
  email: z.string().trim().pipe(z.email().max(254)),
  status: z.enum(['ACTIVE', 'INVITED']).default('ACTIVE'),
  roles: z.array(z.string().min(1).max(64)).max(20).default([]),
  ...(Object.fromEntries(USER_PROFILE_FIELDS.map((field) => [field, profileField])) as Record<
    (typeof USER_PROFILE_FIELDS)[number],
    typeof profileField
  >),
});

const userParams = z.object({ userId: z.string().min(1).max(128) });

const withVersionTag = (user: User, statusCode: 200 | 201) => ({
  statusCode,
  body: toUserResource(user),
  headers: { etag: versionTag(user.version) },
});

/** `POST /v1/admin/users`: 201 with the user view; ACTIVE unless the body asks INVITED. */
export const postUser = principalRoute(
  { ...common, operation: 'CreateUser', body: newUserSchema },
  async ({ caller, body }) => withVersionTag(await createTenantUser(deps, caller, body), 201),
);

const lifecycleRoute = (operation: string, action: LifecycleAction) =>
  principalRoute({ ...common, operation, params: userParams }, async ({ caller, params }) =>
    withVersionTag(await changeUserStatus(deps, caller, params.userId, action), 200),
  );

/** `POST /v1/admin/users/{userId}/deactivate`: access ends at once; repeating it answers the same. */
export const postDeactivate = lifecycleRoute('DeactivateUser', 'deactivate');

/** `POST /v1/admin/users/{userId}/reactivate`: the user's roles and groups grant access again. */
export const postReactivate = lifecycleRoute('ReactivateUser', 'reactivate');
