import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BATCHABLE_ROUTES, ROUTES } from '../../../config/routes';

// The handler modules read their configuration when imported.
vi.stubEnv('TABLE_NAME', 'muster-test');
vi.stubEnv('EVENT_BUS_NAME', 'muster-test');
const { BATCHABLE_MODULES, batchableRoute, unbatchable } = await import(
  '../../../functions/batch/handlers/batchable-routes'
);

describe('the batchable routes', () => {
  beforeAll(() => {
    expect(BATCHABLE_ROUTES.length).toBeGreaterThan(0);
  });

  it('has a handler, built by the route helpers, for every batchable route of config/routes.ts', () => {
    for (const route of BATCHABLE_ROUTES) {
      const handler = BATCHABLE_MODULES[route.entry]?.[route.export];
      expect(handler, `${route.method} ${route.path}`).toBeDefined();
      expect(typeof handler?.serve).toBe('function');
    }
  });

  it('imports no handler module that holds no batchable route', () => {
    const entries = new Set(BATCHABLE_ROUTES.map((route) => route.entry));
    expect(Object.keys(BATCHABLE_MODULES).sort()).toEqual([...entries].sort());
  });

  it('reaches every route of the user lifecycle and audit API, and nothing else', () => {
    const batchable = ROUTES.filter((route) =>
      batchableRoute(route.method, route.path.replace(/\{\w+\}/g, 'x')),
    );
    expect(batchable.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      BATCHABLE_ROUTES.map((route) => `${route.method} ${route.path}`).sort(),
    );
    expect(batchable.every((route) => /^\/v1\/admin\/(users|audit)/.test(route.path))).toBe(true);
  });

  it('matches a path with its parameters decoded', () => {
    const match = batchableRoute('POST', '/v1/admin/users/u%2F1/deactivate');
    expect(match?.route.path).toBe('/v1/admin/users/{userId}/deactivate');
    expect(match?.pathParameters).toEqual({ userId: 'u/1' });
  });

  it('says why a request cannot be batched: an existing route outside the batch, or no route at all', () => {
    expect(unbatchable('GET', '/v1/admin/users?limit=5')).toBeUndefined();
    expect(unbatchable('POST', '/internal/iam/users/bulk-import/commit')).toMatch(
      /cannot be part of a batch.+call it directly/,
    );
    expect(unbatchable('DELETE', '/v1/admin/users/u_1')).toMatch(
      /no route answers DELETE \/v1\/admin\/users\/u_1/,
    );
    expect(unbatchable('POST', '/api/v1/$batch')).toMatch(/cannot be part of a batch/);
  });
});
