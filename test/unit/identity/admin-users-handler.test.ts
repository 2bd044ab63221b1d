import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext, proxyEvent } from '../../support/proxy-event';

/** The stack turns every flag on, so the flag-off answer is checked here, on the handlers themselves. */
let handlers: typeof import('../../../functions/identity/handlers/admin-users');

beforeAll(async () => {
  vi.stubEnv('TABLE_NAME', 'muster-unit');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  handlers = await import('../../../functions/identity/handlers/admin-users');
});
afterEach(() => vi.unstubAllEnvs());

const authorizer = {
  tenantId: 'acme',
  subject: 'u_1',
  issuer: 'https://issuer.test',
  authMethod: 'bearer',
} as const;

describe('admin user reads while user_mgmt_core is off', () => {
  it.each([
    ['GET /v1/admin/users', () => handlers.getUsers, {}],
    ['GET /v1/admin/users/{userId}', () => handlers.getUser, { userId: 'u_1' }],
  ])('%s answers like an unknown route', async (_route, handler, params) => {
    vi.stubEnv('USER_MGMT_CORE', 'off');
    const result = await handler()(proxyEvent({ authorizer, params }), lambdaContext);
    expect(result.statusCode).toBe(404);
    expect(JSON.parse(result.body)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
