import { BATCHABLE_ROUTES, ROUTES, type RouteDefinition } from '../../../config/routes';
import * as auditReads from '../../audit/handlers/audit-reads';
import * as userEntitlements from '../../entitlements/handlers/user-entitlements';
import * as adminUserUpdates from '../../identity/handlers/admin-user-updates';
import * as adminUserWrites from '../../identity/handlers/admin-user-writes';
import * as adminUsers from '../../identity/handlers/admin-users';
import type { ApiRoute } from '../../shared/http/api-route';
import { createRouter, type RouteMatch } from '../../shared/http/router';

/**
 * The handler modules of config/routes.ts `BATCHABLE_ROUTES`, imported here so the bundler puts
 * them in the batch function: each request of a batch runs the very route a direct call reaches.
 * test/unit/batch/batchable-routes.test.ts holds this list to the config.
 */
export const BATCHABLE_MODULES: Readonly<Record<string, Readonly<Record<string, ApiRoute>>>> = {
  'functions/identity/handlers/admin-users.ts': adminUsers,
  'functions/identity/handlers/admin-user-updates.ts': adminUserUpdates,
  'functions/identity/handlers/admin-user-writes.ts': adminUserWrites,
  'functions/entitlements/handlers/user-entitlements.ts': userEntitlements,
  'functions/audit/handlers/audit-reads.ts': auditReads,
};

export interface BatchableMatch extends RouteMatch<RouteDefinition> {
  readonly handler: ApiRoute;
}

const matchBatchable = createRouter(BATCHABLE_ROUTES);
const matchAny = createRouter(ROUTES);

export function batchableRoute(method: string, path: string): BatchableMatch | undefined {
  const match = matchBatchable(method, path);
  const handler = match && BATCHABLE_MODULES[match.route.entry]?.[match.route.export];
  return match && handler ? { ...match, handler } : undefined;
}

/** Why no request of a batch can reach `method url`, or undefined when one can. */
export function unbatchable(method: string, url: string): string | undefined {
  const path = url.split('?', 1)[0] ?? url;
  if (batchableRoute(method, path)) return undefined;
  const reachable = 'a batch reaches /v1/admin/users… and /v1/admin/audit';
  return matchAny(method, path)
    ? `${method} ${path} cannot be part of a batch (${reachable}); call it directly.`
    : `no route answers ${method} ${path} (${reachable}); check the method and path against the API reference.`;
}
