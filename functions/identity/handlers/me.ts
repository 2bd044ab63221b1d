import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { grantsOnTable } from '../../entitlements/handlers/principal-grants';
import { createDocumentClient } from '../../shared/aws/dynamodb';
import { EventPublisher } from '../../shared/aws/event-publisher';
import { loadConfig } from '../../shared/config';
import { principalRoute } from '../../shared/http/api-route';
import { eventBusConfig, tableConfig } from '../../shared/runtime-config';
import { DirectoryRepository } from '../adapters/directory-repository';
import { displayNameField, localeField } from '../domain/profile-changes';
import { toUserResource, userResourceSchema } from '../domain/user';
import { describeMe, meSchema } from '../use-cases/describe-me';
import { principalResolver } from '../use-cases/resolve-principal';
import { updateOwnProfile } from '../use-cases/update-own-profile';

const config = loadConfig(tableConfig.extend(eventBusConfig.shape));
const documents = createDocumentClient();
const directory = new DirectoryRepository(documents, config.TABLE_NAME);
const publisher = new EventPublisher(new EventBridgeClient({}), config.EVENT_BUS_NAME);
const resolvePrincipal = principalResolver(directory, grantsOnTable(documents, config.TABLE_NAME));

export const getMe = principalRoute(
  { operation: 'GetMe', resolvePrincipal, responseBody: meSchema },
  async ({ caller, flags }) => ({
    statusCode: 200,
    body: describeMe(caller, flags),
  }),
);

const profileChanges = z
  .strictObject({
    displayName: displayNameField.optional(),
    locale: localeField.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((body) => body.displayName !== undefined || body.locale !== undefined, {
    message: 'change at least one of displayName, locale',
  });

export const patchMe = principalRoute(
  {
    operation: 'PatchMe',
    resolvePrincipal,
    permission: 'profile.manage_own',
    body: profileChanges,
    responseBody: userResourceSchema,
  },
  async ({ caller, body }) => {
    const updated = await updateOwnProfile(
      { directory, publish: (events) => publisher.publish(events), clock: () => new Date() },
      caller,
      body,
    );
    return { statusCode: 200, body: toUserResource(updated) };
  },
);
