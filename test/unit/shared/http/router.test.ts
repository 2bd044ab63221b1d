import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../../../config/routes';
import { createRouter } from '../../../../functions/shared/http/router';

const router = createRouter([
  { method: 'GET', path: '/health', name: 'health' },
  { method: 'GET', path: '/v1/admin/users/{userId}', name: 'getUser' },
  { method: 'GET', path: '/v1/admin/users/me', name: 'getMe' },
  { method: 'PATCH', path: '/v1/admin/users/{userId}', name: 'patchUser' },
  { method: 'POST', path: '/v1/admin/users/{userId}/roles/{role}', name: 'addRole' },
  { method: 'GET', path: '/', name: 'root' },
]);

describe('createRouter', () => {
  it('matches literal paths and the method exactly', () => {
    expect(router('GET', '/health')?.route.name).toBe('health');
    expect(router('POST', '/health')).toBeUndefined();
    expect(router('get', '/health')).toBeUndefined();
    expect(router('GET', '/')?.route.name).toBe('root');
  });

  it('ignores a trailing slash', () => {
    expect(router('GET', '/health/')?.route.name).toBe('health');
    expect(router('GET', '/v1/admin/users/u_1/')?.pathParameters).toEqual({ userId: 'u_1' });
  });

  it('binds {param} segments to decoded values', () => {
    expect(router('POST', '/v1/admin/users/u_1/roles/billing%20admin')).toEqual({
      route: expect.objectContaining({ name: 'addRole' }),
      pathParameters: { userId: 'u_1', role: 'billing admin' },
    });
    expect(router('GET', '/v1/admin/users/%E0%A4%A')?.pathParameters).toEqual({ userId: '%E0%A4%A' });
  });

  it('prefers a literal segment over a parameter, whatever the declaration order', () => {
    expect(router('GET', '/v1/admin/users/me')?.route.name).toBe('getMe');
    expect(router('GET', '/v1/admin/users/u_2')?.route.name).toBe('getUser');
    expect(router('PATCH', '/v1/admin/users/me')?.route.name).toBe('patchUser');
  });

  it('finds nothing for unknown paths, extra or missing segments, or an empty parameter', () => {
    expect(router('GET', '/nope')).toBeUndefined();
    expect(router('GET', '/health/extra')).toBeUndefined();
    expect(router('GET', '/v1/admin/users')).toBeUndefined();
    expect(router('GET', '/v1/admin/users//')).toBeUndefined();
    expect(router('POST', '/v1/admin/users/u_1/roles/')).toBeUndefined();
  });

  it('routes every entry of config/routes.ts to itself', () => {
    const configured = createRouter(ROUTES);
    for (const route of ROUTES) {
      const path = route.path.replace(/\{[^}]+\}/g, 'value');
      expect(configured(route.method, path)?.route).toBe(route);
    }
  });
});
