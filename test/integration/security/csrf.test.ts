import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BATCHABLE_ROUTES, ROUTES } from '../../../config/routes';
import {
  type ApiResponse,
  apiUrl,
  call,
  errorCode,
  type Principal,
  principal,
  uniqueTenant,
} from '../support/api';

/**
 * The double-submit CSRF token on every unsafe route for browser sessions (docs/api.md), derived
 * from config/routes.ts so a new route is covered the day it is added, and on every unsafe route a
 * `$batch` can reach. The session is a superuser's, so what is not the CSRF refusal is the route's
 * own answer.
 */
const UNSAFE_ROUTES = ROUTES.filter((route) => route.auth === 'principal' && route.method !== 'GET');

/** Ids of the right shape that name nothing: the route's answer is at worst a 404. */
const PATH_VALUES: Readonly<Record<string, string>> = {
  taskId: `t_${'0'.repeat(26)}`,
  bundleId: 'no-such-bundle',
  assignmentId: `asg_${'0'.repeat(26)}`,
  approvalId: `apr_${'0'.repeat(26)}`,
  userId: `u_${'0'.repeat(26)}`,
};

const concretePath = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_match, name: string) => PATH_VALUES[name] ?? `no-such-${name}`);

interface Session {
  readonly cookie: string;
  readonly csrfToken: string;
}

async function session(tenantId: string, email: string): Promise<Session> {
  const response = await fetch(`${apiUrl}/_local/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, email, roles: ['superuser'] }),
  });
  expect(response.status).toBe(200);
  const { csrfToken } = z.object({ csrfToken: z.string() }).parse(await response.json());
  const cookie = response.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  return { cookie, csrfToken };
}

function csrfCode(response: ApiResponse): string | undefined {
  if (response.status !== 403) return undefined;
  const code = errorCode(response);
  return code.startsWith('CSRF_') ? code : undefined;
}

let tenantId: string;
let mine: Session;
let theirs: Session;
let admin: Principal;

beforeAll(async () => {
  tenantId = uniqueTenant('csrf');
  [mine, theirs, admin] = await Promise.all([
    session(tenantId, 'browser@csrf.test'),
    session(uniqueTenant('csrf-other'), 'other@csrf.test'),
    principal(tenantId, 'admin@csrf.test', ['superuser']),
  ]);
});

describe('every unsafe route, called directly with a session cookie', () => {
  it('covers the unsafe routes of config/routes.ts', () => {
    expect(UNSAFE_ROUTES.length).toBeGreaterThanOrEqual(21);
  });

  const variants: ReadonlyArray<readonly [string, () => Record<string, string>, string | undefined]> = [
    ['no x-csrf-token', () => ({ cookie: mine.cookie }), 'CSRF_TOKEN_MISSING'],
    [
      'a wrong x-csrf-token',
      () => ({ cookie: mine.cookie, 'x-csrf-token': 'forged' }),
      'CSRF_TOKEN_MISMATCH',
    ],
    [
      // Header equal to a planted cookie, but not the token this session was signed with.
      "another session's token in both the header and the cookie",
      () => ({
        cookie: mine.cookie.replace(/muster_csrf=[^;]+/, `muster_csrf=${theirs.csrfToken}`),
        'x-csrf-token': theirs.csrfToken,
      }),
      'CSRF_TOKEN_MISMATCH',
    ],
    [
      'the right token but no CSRF cookie',
      () => ({ cookie: mine.cookie.replace(/;?\s*muster_csrf=[^;]+/, ''), 'x-csrf-token': mine.csrfToken }),
      'CSRF_TOKEN_MISMATCH',
    ],
    ['the right x-csrf-token', () => ({ cookie: mine.cookie, 'x-csrf-token': mine.csrfToken }), undefined],
  ];

  it.each(variants)('with %s', async (_label, headers, expected) => {
    const answers = await Promise.all(
      UNSAFE_ROUTES.map(async (route) => {
        const response = await call(route.method, concretePath(route.path), { headers: headers(), body: {} });
        return {
          route: `${route.method} ${route.path}`,
          refusal: csrfCode(response) ?? (response.status >= 500 ? `server error ${response.status}` : null),
          authenticated: response.status !== 401,
        };
      }),
    );
    expect(
      answers.filter((answer) => answer.refusal !== (expected ?? null) || !answer.authenticated),
    ).toEqual([]);
  });

  it('a safe method needs no token', async () => {
    expect((await call('GET', '/v1/me', { headers: { cookie: mine.cookie } })).status).toBe(200);
  });
});

describe('$batch with a session cookie: every unsafe route a batch reaches', () => {
  const USERS = '/v1/admin/users';
  let targets: {
    patched: Principal;
    rolesReplaced: Principal;
    deactivated: Principal;
    reactivated: Principal;
  };

  async function readUser(userId: string) {
    const response = await call('GET', `${USERS}/${userId}`, { token: admin.token });
    expect(response.status, response.text).toBe(200);
    const user = z
      .object({ status: z.string(), version: z.number(), roles: z.array(z.string()) })
      .parse(response.body);
    return { ...user, etag: response.headers.get('etag') ?? '' };
  }

  beforeAll(async () => {
    const [patched, rolesReplaced, deactivated, reactivated] = await Promise.all(
      ['patched', 'roles', 'deactivated', 'reactivated'].map((name) =>
        principal(tenantId, `${name}@csrf.test`),
      ),
    );
    if (!patched || !rolesReplaced || !deactivated || !reactivated) throw new Error('targets missing');
    targets = { patched, rolesReplaced, deactivated, reactivated };
    const done = await call('POST', `${USERS}/${reactivated.userId}/deactivate`, { token: admin.token });
    expect(done.status, done.text).toBe(200);
  });

  /** One request per unsafe batchable route, each of which changes something when it runs. */
  async function everyUnsafeBatchRequest(newEmail: string) {
    const [patched, rolesReplaced] = await Promise.all([
      readUser(targets.patched.userId),
      readUser(targets.rolesReplaced.userId),
    ]);
    return [
      { id: 'create', method: 'POST', url: USERS, body: { email: newEmail } },
      {
        id: 'patch',
        method: 'PATCH',
        url: `${USERS}/${targets.patched.userId}`,
        headers: { 'If-Match': patched.etag },
        body: { displayName: 'Changed' },
      },
      {
        id: 'roles',
        method: 'PUT',
        url: `${USERS}/${targets.rolesReplaced.userId}/roles`,
        headers: { 'If-Match': rolesReplaced.etag },
        body: { roles: ['operator'] },
      },
      { id: 'deactivate', method: 'POST', url: `${USERS}/${targets.deactivated.userId}/deactivate` },
      { id: 'reactivate', method: 'POST', url: `${USERS}/${targets.reactivated.userId}/reactivate` },
    ];
  }

  async function stateOfTargets() {
    const [patched, rolesReplaced, deactivated, reactivated] = await Promise.all(
      Object.values(targets).map((target) => readUser(target.userId)),
    );
    return {
      patched: patched?.version,
      roles: rolesReplaced?.roles,
      deactivated: deactivated?.status,
      reactivated: reactivated?.status,
    };
  }

  async function userWithEmail(email: string): Promise<boolean> {
    const response = await call('GET', `${USERS}?q=${encodeURIComponent(email)}`, { token: admin.token });
    return z
      .object({ items: z.array(z.object({ email: z.string() })) })
      .parse(response.body)
      .items.some((user) => user.email === email);
  }

  it('covers every unsafe batchable route', async () => {
    const unsafe = BATCHABLE_ROUTES.filter((route) => route.method !== 'GET');
    const sent = (await everyUnsafeBatchRequest('coverage@csrf.test')).map(
      (request) => `${request.method} ${request.url.replace(/u_[0-9a-z]+/, '{userId}')}`,
    );
    expect(sent.sort()).toEqual(unsafe.map((route) => `${route.method} ${route.path}`).sort());
  });

  it.each([
    ['no x-csrf-token', () => ({ cookie: mine.cookie }), 'CSRF_TOKEN_MISSING'],
    [
      'a wrong x-csrf-token',
      () => ({ cookie: mine.cookie, 'x-csrf-token': 'forged' }),
      'CSRF_TOKEN_MISMATCH',
    ],
  ])('with %s the envelope is refused whole and nothing runs', async (_label, headers, code) => {
    const before = await stateOfTargets();
    const email = `refused-${code.toLowerCase()}@csrf.test`;
    const requests = await everyUnsafeBatchRequest(email);
    // A request's own x-csrf-token header changes nothing: the envelope is what the authorizer judges.
    const withOwnTokens = requests.map((request) => ({
      ...request,
      headers: { ...request.headers, 'x-csrf-token': mine.csrfToken },
    }));
    const response = await call('POST', '/api/v1/$batch', {
      headers: headers(),
      body: { requests: withOwnTokens },
    });
    expect(response.status, response.text).toBe(403);
    expect(errorCode(response)).toBe(code);
    expect(await stateOfTargets()).toEqual(before);
    expect(await userWithEmail(email)).toBe(false);
  });

  it('a request may not bring a cookie of its own', async () => {
    const response = await call('POST', '/api/v1/$batch', {
      headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrfToken },
      body: {
        requests: [
          {
            id: 'a',
            method: 'POST',
            url: USERS,
            headers: { Cookie: theirs.cookie },
            body: { email: 'c@csrf.test' },
          },
        ],
      },
    });
    expect(response.status, response.text).toBe(400);
    expect(errorCode(response)).toBe('INVALID_BATCH');
  });

  it('with the right token every request runs', async () => {
    const response = await call('POST', '/api/v1/$batch', {
      headers: { cookie: mine.cookie, 'x-csrf-token': mine.csrfToken },
      body: { requests: await everyUnsafeBatchRequest('accepted@csrf.test') },
    });
    expect(response.status, response.text).toBe(200);
    const statuses = Object.fromEntries(
      z
        .object({ responses: z.array(z.object({ id: z.string(), status: z.number() })) })
        .parse(response.body)
        .responses.map((answer) => [answer.id, answer.status]),
    );
    expect(statuses).toEqual({ create: 201, patch: 200, roles: 200, deactivate: 200, reactivate: 200 });
    expect(await stateOfTargets()).toMatchObject({
      roles: ['operator'],
      deactivated: 'DEACTIVATED',
      reactivated: 'ACTIVE',
    });
    expect(await userWithEmail('accepted@csrf.test')).toBe(true);
  });
});
