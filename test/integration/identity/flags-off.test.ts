import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ROUTES, type RouteDefinition } from '../../../config/routes';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { newId } from '../../../functions/identity/domain/ids';
import type { User } from '../../../functions/identity/domain/user';
import type { FlagName } from '../../../functions/shared/flags';
import type { ApiRoute } from '../../../functions/shared/http/api-route';
import type { LocalStack } from '../../../local/stack';
import {
  type ApiResponse,
  apiAt,
  documentClient,
  errorCode,
  type Principal,
  scanAll,
  uniqueTenant,
} from '../support/api';
import { startOwnStack } from '../support/own-stack';

/*
 * Seed 003 with the flags off, through HTTP. The shared stack runs in vitest's main process with every
 * flag on, so this file starts its own stack in its worker. That stack runs the handlers in this very
 * process and they read the flags from `process.env` on every request, so `vi.stubEnv` between tests
 * switches a flag for the next request: one stack serves every configuration here.
 */

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const UNKNOWN_PATH = '/v1/admin/no-such-route';
const NEW_EMAIL = 'never.created@acme.test';

/**
 * Requests that would change the directory if their route answered, so "nothing was written" means
 * something; a route not named here (a new one) is called without a body and still checked.
 */
const WRITES: Readonly<Record<string, { body?: unknown; headers?: Record<string, string> }>> = {
  'POST /v1/admin/users': { body: { email: NEW_EMAIL, roles: ['member'] } },
  'PATCH /v1/admin/users/{userId}': { body: { displayName: 'Changed' }, headers: { 'if-match': '"1"' } },
  'PUT /v1/admin/users/{userId}/roles': { body: { roles: ['operator'] }, headers: { 'if-match': '"1"' } },
  'POST /api/v1/$batch': {
    body: {
      requests: [
        {
          id: 'create',
          method: 'POST',
          url: '/v1/admin/users',
          body: { email: NEW_EMAIL, roles: ['member'] },
        },
      ],
    },
  },
};

/**
 * The routes whose handler declares `flag` in its spec, read from the handlers themselves, so a route
 * added behind the flag (the `$batch` route among them) is covered without editing this file.
 * Imported only once the stack has set the handler environment: modules read it when they load.
 */
async function routesBehind(flag: FlagName): Promise<RouteDefinition[]> {
  const declared = await Promise.all(
    ROUTES.map(async (route) => {
      const module: Record<string, unknown> = await import(pathToFileURL(join(REPO_ROOT, route.entry)).href);
      const handler = module[route.export] as Partial<ApiRoute> | undefined;
      if (handler?.contract === undefined) {
        throw new Error(`${route.entry} ${route.export} exposes no contract: its flag cannot be read`);
      }
      return handler.contract.flag;
    }),
  );
  return ROUTES.filter((_route, index) => declared[index] === flag);
}

const routeName = (route: RouteDefinition) => `${route.method} ${route.path}`;

describe('seed 003 flags off, on a stack of this file', () => {
  let stack: LocalStack;
  let stopStack: () => Promise<void>;
  let api: ReturnType<typeof apiAt>;
  let documents: DynamoDBDocumentClient;
  let directory: DirectoryRepository;
  let coreRoutes: RouteDefinition[];

  beforeAll(async () => {
    // Before the start: the stack's handler environment keeps a flag already set here.
    ({ stack, stop: stopStack } = await startOwnStack({
      USER_MGMT_CORE: 'off',
      OIDC_AUTO_PROVISION_USERS: 'on',
    }));
    api = apiAt(stack.apiUrl);
    documents = documentClient(stack.endpoints.dynamodb);
    directory = new DirectoryRepository(documents, stack.env.TABLE_NAME ?? '');
    coreRoutes = await routesBehind('user_mgmt_core');
  });

  afterAll(async () => {
    documents?.destroy();
    await stopStack?.();
  });

  function useFlags(values: { USER_MGMT_CORE: string; OIDC_AUTO_PROVISION_USERS: string }) {
    beforeEach(() => {
      vi.stubEnv('USER_MGMT_CORE', values.USER_MGMT_CORE);
      vi.stubEnv('OIDC_AUTO_PROVISION_USERS', values.OIDC_AUTO_PROVISION_USERS);
    });
  }

  async function tableItems(): Promise<Record<string, unknown>[]> {
    const items = await scanAll({ TableName: stack.env.TABLE_NAME, ConsistentRead: true }, documents);
    return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
  }

  /** Every event the bus has taken so far, once deliveries in flight have settled. */
  async function busEvents(): Promise<unknown[]> {
    return z.array(z.unknown()).parse((await api.call('GET', '/_local/events')).body);
  }

  function request(route: RouteDefinition, admin: Principal, userId: string): Promise<ApiResponse> {
    const write = WRITES[routeName(route)] ?? {};
    const path = route.path.replaceAll('{userId}', userId).replaceAll(/\{[^}]+\}/g, 'unknown');
    return api.call(route.method, path, { token: admin.token, ...write });
  }

  describe('USER_MGMT_CORE off: the flagged routes are not there', () => {
    useFlags({ USER_MGMT_CORE: 'off', OIDC_AUTO_PROVISION_USERS: 'on' });
    const tenantId = uniqueTenant('flags-off');
    let admin: Principal;
    let member: Principal;

    beforeAll(async () => {
      admin = await api.principal(tenantId, 'admin@acme.test', ['tenant_admin']);
      member = await api.principal(tenantId, 'member@acme.test', ['member']);
    });

    it('derives the admin user and audit routes, and the $batch route once it exists, from the handlers', () => {
      const names = coreRoutes.map(routeName);
      const gatedBySeed = ROUTES.filter(
        (route) => route.path.startsWith('/v1/admin/') || route.path.endsWith('/$batch'),
      );
      expect(gatedBySeed.length).toBeGreaterThan(0);
      expect(names).toEqual(expect.arrayContaining(gatedBySeed.map(routeName)));
    });

    it('every flagged route answers an admin exactly like an unknown route, and writes nothing', async () => {
      const unknown = await api.call('GET', UNKNOWN_PATH, { token: admin.token });
      expect(unknown.status).toBe(404);
      expect(errorCode(unknown)).toBe('ROUTE_NOT_FOUND');
      const itemsBefore = await tableItems();
      const eventsBefore = await busEvents();

      for (const route of coreRoutes) {
        const response = await request(route, admin, member.userId);
        expect({ route: routeName(route), status: response.status }).toEqual({
          route: routeName(route),
          status: 404,
        });
        expect(response.headers.get('content-type')).toBe(unknown.headers.get('content-type'));
        expect(z.object({ error: z.unknown() }).parse(response.body).error).toEqual(
          z.object({ error: z.unknown() }).parse(unknown.body).error,
        );
      }

      expect(await busEvents()).toEqual(eventsBefore);
      expect(await tableItems()).toEqual(itemsBefore);
      expect(await directory.findUserIdByEmail(tenantId, NEW_EMAIL)).toBeUndefined();
      expect(await directory.getUser(tenantId, member.userId)).toMatchObject({
        status: 'ACTIVE',
        roles: ['member'],
        version: 1,
      });
    });

    it('with the flag back on, the same stack serves every one of them: the 404 was the flag', async () => {
      vi.stubEnv('USER_MGMT_CORE', 'on');
      const list = await api.call('GET', '/v1/admin/users', { token: admin.token });
      expect(list.status).toBe(200);
      for (const route of coreRoutes) {
        const response = await request(route, admin, member.userId);
        expect({ route: routeName(route), status: response.status }).not.toEqual({
          route: routeName(route),
          status: 404,
        });
      }
      // The very request refused above creates the user once the route exists.
      expect(await directory.findUserIdByEmail(tenantId, NEW_EMAIL)).toBeDefined();
    });
  });

  /** A token from the local issuer for a verified email whose subject the directory has never seen. */
  async function firstSignInToken(tenantId: string, email: string) {
    const subject = `idp|${randomUUID()}`;
    const response = await api.call('POST', '/_local/token', { body: { tenantId, email, subject } });
    const { accessToken } = z.object({ accessToken: z.string() }).parse(response.body);
    const payload = z
      .object({ iss: z.string(), email_verified: z.literal(true) })
      .parse(JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')));
    return { token: accessToken, subject, issuer: payload.iss };
  }

  async function invitedUser(tenantId: string, email: string): Promise<User> {
    const now = new Date().toISOString();
    const user: User = {
      tenantId,
      userId: newId('u'),
      email,
      status: 'INVITED',
      roles: ['operator'],
      groups: [],
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    await directory.createUser(user);
    return user;
  }

  async function createdEventsOf(tenantId: string): Promise<unknown[]> {
    const events = z.array(
      z.object({ 'detail-type': z.string(), detail: z.object({ tenantId: z.string() }) }),
    );
    return events
      .parse(await busEvents())
      .filter((event) => event['detail-type'] === 'iam.user.created' && event.detail.tenantId === tenantId);
  }

  describe.each([
    { USER_MGMT_CORE: 'off', OIDC_AUTO_PROVISION_USERS: 'on' },
    { USER_MGMT_CORE: 'on', OIDC_AUTO_PROVISION_USERS: 'off' },
  ])(
    'no OIDC auto-provisioning with USER_MGMT_CORE=$USER_MGMT_CORE and OIDC_AUTO_PROVISION_USERS=$OIDC_AUTO_PROVISION_USERS',
    (flags) => {
      useFlags(flags);

      it('an unknown verified identity gets 403 on GET /v1/me and no user is made', async () => {
        const tenantId = uniqueTenant('no-provision');
        const { token, subject, issuer } = await firstSignInToken(tenantId, 'stranger@acme.test');

        const response = await api.call('GET', '/v1/me', { token });

        expect(response.status).toBe(403);
        expect(errorCode(response)).toBe('PRINCIPAL_NOT_PROVISIONED');
        expect(await directory.findUserIdByEmail(tenantId, 'stranger@acme.test')).toBeUndefined();
        expect(await directory.findUserIdBySubject(tenantId, issuer, subject)).toBeUndefined();
        expect(await directory.listAllUsers(tenantId)).toEqual([]);
        expect(await createdEventsOf(tenantId)).toEqual([]);
      });

      it('an invited user is not activated: only the email link that predates the flags applies', async () => {
        const tenantId = uniqueTenant('no-activate');
        const invited = await invitedUser(tenantId, 'invitee@acme.test');
        const { token, subject, issuer } = await firstSignInToken(tenantId, 'Invitee@Acme.test');

        const response = await api.call('GET', '/v1/me', { token });

        expect(response.status).toBe(200);
        expect(await directory.getUser(tenantId, invited.userId)).toEqual(invited);
        expect(z.object({ user: z.object({ status: z.string() }) }).parse(response.body).user.status).toBe(
          'INVITED',
        );
        // Seed 003: flags off is the behaviour before them, and a verified email always linked its user.
        expect(await directory.findUserIdBySubject(tenantId, issuer, subject)).toBe(invited.userId);
        expect(await createdEventsOf(tenantId)).toEqual([]);
      });
    },
  );

  describe('both flags on, in the same stack', () => {
    useFlags({ USER_MGMT_CORE: 'on', OIDC_AUTO_PROVISION_USERS: 'on' });

    it('provisions the unknown identity, so the refusals above came from the flags', async () => {
      const tenantId = uniqueTenant('provision');
      const { token, subject, issuer } = await firstSignInToken(tenantId, 'newcomer@acme.test');

      const response = await api.call('GET', '/v1/me', { token });

      expect(response.status).toBe(200);
      const userId = await directory.findUserIdByEmail(tenantId, 'newcomer@acme.test');
      expect(userId).toBeDefined();
      expect(await directory.findUserIdBySubject(tenantId, issuer, subject)).toBe(userId);
    });
  });
});
