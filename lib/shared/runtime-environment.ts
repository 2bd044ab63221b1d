import type { ResourceAccess } from '../../config/resource-access';
import { flagEnvironment } from '../../functions/shared/flags';
import type { EnvironmentSettings } from '../config/environments';
import { accessEnvironment, type SharedResources } from './resource-access';

/** The identity provider settings the authorizer and every token-reading handler need. */
function oidcEnvironment(settings: EnvironmentSettings): Record<string, string> {
  return {
    OIDC_ISSUER: settings.oidc.issuer,
    OIDC_JWKS_URL: settings.oidc.jwksUrl,
    OIDC_AUDIENCE: settings.oidc.audience,
  };
}

/**
 * The environment of an application handler (API route, event target, workflow task, object
 * notification target): the identity provider, every feature flag, and the variables of `access`
 * (config/resource-access.ts), the same names the local stack sets. Pass the access of every handler
 * the function's module exports (`moduleAccess`): a module reads its configuration once, at import,
 * for all of them.
 */
export function applicationEnvironment(
  resources: SharedResources,
  access: Iterable<ResourceAccess>,
): Record<string, string> {
  return {
    ...accessEnvironment(access, resources),
    ...oidcEnvironment(resources.settings),
    ...flagEnvironment(resources.settings.flags),
  };
}

/**
 * The access of every handler of one module, by entry. IAM grants stay per function (each handler's
 * own `access`), but the environment is per module, because a module's cold start reads the
 * configuration of all its exports (functions/identity/handlers/me.ts serves `GET` and `PATCH /v1/me`).
 */
export function moduleAccess(
  handlers: Iterable<{ readonly entry: string; readonly access?: readonly ResourceAccess[] }>,
): ReadonlyMap<string, readonly ResourceAccess[]> {
  const byEntry = new Map<string, Set<ResourceAccess>>();
  for (const { entry, access = [] } of handlers) {
    const kinds = byEntry.get(entry) ?? new Set<ResourceAccess>();
    for (const kind of access) kinds.add(kind);
    byEntry.set(entry, kinds);
  }
  return new Map([...byEntry].map(([entry, kinds]) => [entry, [...kinds]]));
}
