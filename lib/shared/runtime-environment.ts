import { flagEnvironment } from '../../functions/shared/flags';
import type { EnvironmentSettings } from '../config/environments';
import type { SharedResources } from './resource-access';

/** The identity provider settings the authorizer and every token-reading handler need. */
export function oidcEnvironment(settings: EnvironmentSettings): Record<string, string> {
  return {
    OIDC_ISSUER: settings.oidc.issuer,
    OIDC_JWKS_URL: settings.oidc.jwksUrl,
    OIDC_AUDIENCE: settings.oidc.audience,
  };
}

/**
 * The environment of every application handler (API routes, event targets, workflow tasks): the
 * same variables the local stack sets, so a handler reads one configuration wherever it runs.
 */
export function applicationEnvironment(
  settings: EnvironmentSettings,
  resources: SharedResources,
): Record<string, string> {
  return {
    TABLE_NAME: resources.table.tableName,
    EVENT_BUS_NAME: resources.bus.eventBusName,
    ...oidcEnvironment(settings),
    ...flagEnvironment(settings.flags),
  };
}
