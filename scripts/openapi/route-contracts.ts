import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadBulkImportSettings } from '../../config/bulk-import-settings';
import { loadEntitlementSettings } from '../../config/entitlement-settings';
import { DEFAULT_REQUEST_QUOTA } from '../../config/request-quota';
import { ROUTES } from '../../config/routes';
import type { RouteContract } from '../../functions/shared/http/api-route';
import { handlerEnvironment, type LocalWiring } from '../../local/environment';
import type { DocumentedRoute } from './document';

const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

/** Never contacted: modules build SDK clients at import, but nothing is called. */
const NOWHERE = 'http://127.0.0.1:9';

function placeholderWiring(): LocalWiring {
  return {
    endpoints: { dynamodb: NOWHERE, s3: NOWHERE, ses: NOWHERE, sfn: NOWHERE, eventbridge: NOWHERE },
    issuer: { issuer: NOWHERE, jwksUrl: `${NOWHERE}/jwks` },
    apiUrl: NOWHERE,
    bulkImport: loadBulkImportSettings(),
    entitlements: loadEntitlementSettings(),
    requestQuota: DEFAULT_REQUEST_QUOTA,
  };
}

function isRouteContract(value: unknown): value is RouteContract {
  return typeof value === 'object' && value !== null && 'operation' in value && 'auth' in value;
}

/**
 * Every route of config/routes.ts with the contract its handler declares. Handler modules read their
 * configuration when they load, so the variables the routes' access brings are set first, to the
 * local stack's values for whatever is still unset (the contracts do not depend on them).
 */
export async function loadRouteContracts(): Promise<DocumentedRoute[]> {
  const environment = handlerEnvironment(
    placeholderWiring(),
    process.env,
    ROUTES.flatMap((route) => route.access),
  );
  for (const [name, value] of Object.entries(environment)) process.env[name] ??= value;

  const routes: DocumentedRoute[] = [];
  for (const route of ROUTES) {
    const module: Record<string, unknown> = await import(
      pathToFileURL(join(REPOSITORY_ROOT, route.entry)).href
    );
    const contract = (module[route.export] as { contract?: unknown } | undefined)?.contract;
    if (!isRouteContract(contract)) {
      throw new Error(
        `${route.entry} export "${route.export}" carries no contract: build it with principalRoute or publicRoute.`,
      );
    }
    routes.push({ method: route.method, path: route.path, contract });
  }
  return routes;
}
