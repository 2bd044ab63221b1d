import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { AuthorizerContext } from '../../../../functions/auth/claims';
import { effectiveAccess } from '../../../../functions/identity/domain/rbac';
import { BUILT_IN_ROLES } from '../../../../functions/identity/domain/roles';
import type { User } from '../../../../functions/identity/domain/user';
import type { Principal } from '../../../../functions/identity/use-cases/resolve-principal';
import { ConflictError, ForbiddenError } from '../../../../functions/shared/errors';
import { principalRoute, publicRoute } from '../../../../functions/shared/http/api-route';
import { logger, metrics } from '../../../../functions/shared/observability';
import { lambdaContext, proxyEvent } from '../../../support/proxy-event';

const catalog = new Map(BUILT_IN_ROLES.map((role) => [role.name, role]));
const identity: AuthorizerContext = {
  tenantId: 'acme',
  subject: 'u_1',
  issuer: 'https://issuer.test',
  authMethod: 'bearer',
};
const member: User = {
  tenantId: 'acme',
  userId: 'u_1',
  email: 'ann@acme.test',
  status: 'ACTIVE',
  roles: ['member'],
  groups: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1,
};
const asMember = async (): Promise<Principal> => ({
  user: member,
  access: effectiveAccess({ status: 'ACTIVE', directRoles: ['member'], groupRoles: [] }, catalog),
});

function parse(result: { body: string }) {
  return JSON.parse(result.body);
}

beforeEach(() => {
  vi.stubEnv('USER_MGMT_CORE', 'true');
  vi.stubEnv('USER_MGMT_ENFORCE', 'true');
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('publicRoute', () => {
  const echo = publicRoute(
    { operation: 'Echo', body: z.object({ name: z.string().min(1) }) },
    async ({ body, correlationId }) => ({ statusCode: 201, body: { hello: body.name, correlationId } }),
  );

  it("parses and validates the body, and echoes the caller's correlation id", async () => {
    const result = await echo(
      proxyEvent({
        method: 'POST',
        body: '{"name":"Ann"}',
        headers: { 'Content-Type': 'application/json', 'X-Correlation-Id': 'corr-42' },
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(201);
    expect(parse(result)).toEqual({ hello: 'Ann', correlationId: 'corr-42' });
    expect(result.headers?.['x-correlation-id']).toBe('corr-42');
  });

  it('falls back to the request id when the correlation id header is unusable', async () => {
    const result = await echo(
      proxyEvent({
        method: 'POST',
        body: '{"name":"A"}',
        headers: { 'content-type': 'application/json', 'x-correlation-id': 'bad id\n' },
      }),
      lambdaContext,
    );
    expect(parse(result).correlationId).toBe('req-123');
  });

  it.each([
    [{ 'content-type': 'application/json' }, '{"name":', 400, 'MALFORMED_JSON'],
    [{ 'content-type': 'text/plain' }, '{"name":"A"}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [{}, '{"name":"A"}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [{ 'content-type': 'application/json' }, null, 400, 'BODY_REQUIRED'],
    [{ 'content-type': 'application/json' }, '{"name":""}', 422, 'VALIDATION_FAILED'],
    [
      { 'content-type': 'application/json' },
      JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
  ])('answers bad input with a clear 4xx envelope (%j %#)', async (headers, body, status, code) => {
    const result = await echo(proxyEvent({ method: 'POST', headers, body }), lambdaContext);
    expect(result.statusCode).toBe(status);
    const envelope = parse(result);
    expect(envelope.error.code).toBe(code);
    expect(envelope.error.message).toEqual(expect.any(String));
    expect(envelope.correlationId).toBe('req-123');
    expect(result.body).not.toMatch(/at .*\.ts:\d+/);
  });

  it('names the failing field in validation details', async () => {
    const result = await echo(
      proxyEvent({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":42}' }),
      lambdaContext,
    );
    expect(parse(result).error.details).toEqual([expect.objectContaining({ path: 'body.name' })]);
  });

  it('hides an unexpected failure behind a 500 envelope with no internals', async () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const broken = publicRoute({ operation: 'Broken' }, async () => {
      throw new Error('secret internal detail at db.ts:12');
    });
    const result = await broken(proxyEvent(), lambdaContext);
    expect(result.statusCode).toBe(500);
    expect(parse(result).error.code).toBe('INTERNAL');
    expect(result.body).not.toContain('secret internal detail');
  });

  it('maps typed errors through the one status table', async () => {
    const conflict = publicRoute({ operation: 'Conflict' }, async () => {
      throw new ConflictError('EMAIL_TAKEN', 'taken');
    });
    expect((await conflict(proxyEvent(), lambdaContext)).statusCode).toBe(409);
  });

  it('answers like an unknown route while its flag is off', async () => {
    const gated = publicRoute({ operation: 'Gated', flag: 'user_mgmt_core' }, async () => ({
      statusCode: 200,
    }));
    expect((await gated(proxyEvent(), lambdaContext)).statusCode).toBe(200);
    vi.stubEnv('USER_MGMT_CORE', 'off');
    const result = await gated(proxyEvent(), lambdaContext);
    expect(result.statusCode).toBe(404);
    expect(parse(result).error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('principalRoute', () => {
  const adminOnly = principalRoute(
    { operation: 'AdminOnly', resolvePrincipal: asMember, permission: 'users.manage_all' },
    async ({ caller }) => ({
      statusCode: 200,
      body: { currentUserId: caller.currentUserId, role: caller.currentRole },
    }),
  );

  it('refuses a request that did not pass the authorizer', async () => {
    const result = await adminOnly(proxyEvent(), lambdaContext);
    expect(result.statusCode).toBe(401);
  });

  it('denies a missing permission with 403 and counts it, when enforcement is on', async () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const result = await adminOnly(proxyEvent({ authorizer: identity }), lambdaContext);
    expect(result.statusCode).toBe(403);
    expect(parse(result).error.code).toBe('PERMISSION_DENIED');
    expect(addMetric).toHaveBeenCalledWith('RbacDenied', 'Count', 1);
  });

  it('lets the request through but logs and counts the would-be denial when enforcement is off', async () => {
    vi.stubEnv('USER_MGMT_ENFORCE', 'false');
    const addMetric = vi.spyOn(metrics, 'addMetric');
    const warn = vi.spyOn(logger, 'warn');
    const result = await adminOnly(proxyEvent({ authorizer: identity }), lambdaContext);
    expect(result.statusCode).toBe(200);
    expect(parse(result)).toEqual({ currentUserId: 'u_1', role: 'member' });
    expect(addMetric).toHaveBeenCalledWith('RbacWouldDeny', 'Count', 1);
    expect(warn).toHaveBeenCalledWith(
      'RBAC would deny (enforcement off)',
      expect.objectContaining({ permission: 'users.manage_all' }),
    );
  });

  it("passes the resolver's refusal through as its own status", async () => {
    const deactivated = principalRoute(
      {
        operation: 'Any',
        resolvePrincipal: async () => {
          throw new ForbiddenError('ACCOUNT_DEACTIVATED', 'deactivated');
        },
      },
      async () => ({ statusCode: 200 }),
    );
    const result = await deactivated(proxyEvent({ authorizer: identity }), lambdaContext);
    expect(result.statusCode).toBe(403);
    expect(parse(result).error.code).toBe('ACCOUNT_DEACTIVATED');
  });
});

describe('principalRoute order of checks', () => {
  const guarded = principalRoute(
    {
      operation: 'Guarded',
      resolvePrincipal: asMember,
      permission: 'users.manage_all',
      body: z.object({ name: z.string() }),
    },
    async () => ({ statusCode: 200 }),
  );

  it('refuses a caller without the permission before looking at their input', async () => {
    const result = await guarded(
      proxyEvent({
        method: 'POST',
        authorizer: identity,
        headers: { 'content-type': 'application/json' },
        body: '{',
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(403);
    expect(parse(result).error.code).toBe('PERMISSION_DENIED');
  });
});
