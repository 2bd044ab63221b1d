import pLimit from 'p-limit';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROUTES } from '../../../config/routes';
import { approvalOfImport, importAwaitingApproval } from '../approvals/approval-support';
import { type ApiResponse, call, type Principal, principal, uniqueTenant } from '../support/api';

/**
 * Each built-in role (and a user holding none, and no credentials at all) against every route of
 * config/routes.ts. The expectations are written out here, not derived from the RBAC code: a route
 * or a role whose access changes must change this table on purpose.
 */
const COLUMNS = [
  'superuser',
  'tenant_admin',
  'security_approver',
  'operator',
  'workspace_owner',
  'member',
  'no_role',
  'anonymous',
] as const;
type Column = (typeof COLUMNS)[number];
const ROLE_COLUMNS = COLUMNS.filter((column) => column !== 'anonymous' && column !== 'no_role');

/** Past authentication and RBAC: the route's own answer (its status is the row's `allowed`). */
const OK = 'allowed';
/** A permission the caller lacks (`user_mgmt_enforce` is on in the local stack). */
const DENY = 'PERMISSION_DENIED';
/** The approval's own rule: only its deciding roles may decide it. */
const NOT_APPROVER = 'NOT_AN_APPROVER';
const UNAUTH = 'UNAUTHENTICATED';
type Expectation = typeof OK | typeof DENY | typeof NOT_APPROVER | typeof UNAUTH;
const REFUSAL_STATUS = { [DENY]: 403, [NOT_APPROVER]: 403, [UNAUTH]: 401 } as const;

interface Fixtures {
  readonly tenantId: string;
  /** A member the admin routes act on; never a caller. */
  readonly target: string;
  readonly approvalId: string;
}

interface Sent {
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Row {
  /** The status every allowed caller gets, from the minimal request below. */
  readonly allowed: number;
  readonly request: (fixtures: Fixtures, caller: Column) => Sent;
  /** One cell per column, in COLUMNS order. */
  readonly expect: readonly [
    Expectation,
    Expectation,
    Expectation,
    Expectation,
    Expectation,
    Expectation,
    Expectation,
    Expectation,
  ];
}

const IMPORT = '/internal/iam/users/bulk-import';
const UNKNOWN_TASK = `t_${'0'.repeat(26)}`;
const UNKNOWN_FILE = `f_${'0'.repeat(26)}`;
const UNKNOWN_ASSIGNMENT = `asg_${'0'.repeat(26)}`;
const at = (path: string) => () => ({ path });

//                        superuser tenant_admin security_approver operator workspace_owner member no_role anonymous
const EVERYONE = [OK, OK, OK, OK, OK, OK, OK, OK] as const;
const ANY_USER = [OK, OK, OK, OK, OK, OK, OK, UNAUTH] as const;
const OWN_PROFILE = [OK, OK, OK, OK, OK, OK, DENY, UNAUTH] as const;
const USERS_READ = [OK, OK, OK, OK, DENY, DENY, DENY, UNAUTH] as const;
const AUDIT_READ = [OK, OK, OK, OK, DENY, DENY, DENY, UNAUTH] as const;
const USERS_IMPORT = [OK, OK, DENY, OK, DENY, DENY, DENY, UNAUTH] as const;
const ADMIN_ONLY = [OK, OK, DENY, DENY, DENY, DENY, DENY, UNAUTH] as const;
const APPROVERS = [
  OK,
  NOT_APPROVER,
  OK,
  NOT_APPROVER,
  NOT_APPROVER,
  NOT_APPROVER,
  NOT_APPROVER,
  UNAUTH,
] as const;

const MATRIX: Readonly<Record<string, Row>> = {
  'GET /health': { allowed: 200, request: at('/health'), expect: EVERYONE },
  'GET /openapi.json': { allowed: 200, request: at('/openapi.json'), expect: EVERYONE },
  'GET /v1/me': { allowed: 200, request: at('/v1/me'), expect: ANY_USER },
  'PATCH /v1/me': {
    allowed: 200,
    request: () => ({ path: '/v1/me', body: { locale: 'en-GB' } }),
    expect: OWN_PROFILE,
  },
  // users.import
  [`GET ${IMPORT}/template`]: {
    allowed: 200,
    request: at(`${IMPORT}/template?format=csv`),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/uploads`]: {
    allowed: 201,
    request: () => ({ path: `${IMPORT}/uploads`, body: { fileName: 'people.csv', sizeBytes: 100 } }),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/validation`]: {
    allowed: 404,
    request: () => ({ path: `${IMPORT}/validation`, body: { fileId: UNKNOWN_FILE } }),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/commit`]: {
    allowed: 404,
    request: () => ({ path: `${IMPORT}/commit`, body: { taskId: UNKNOWN_TASK } }),
    expect: USERS_IMPORT,
  },
  [`GET ${IMPORT}`]: {
    allowed: 200,
    request: at(`${IMPORT}?limit=1`),
    expect: USERS_IMPORT,
  },
  [`GET ${IMPORT}/{taskId}`]: {
    allowed: 404,
    request: at(`${IMPORT}/${UNKNOWN_TASK}`),
    expect: USERS_IMPORT,
  },
  [`GET ${IMPORT}/{taskId}/errors`]: {
    allowed: 404,
    request: at(`${IMPORT}/${UNKNOWN_TASK}/errors`),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/{taskId}/retry`]: {
    allowed: 404,
    request: at(`${IMPORT}/${UNKNOWN_TASK}/retry`),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/{taskId}/redrive`]: {
    allowed: 404,
    request: at(`${IMPORT}/${UNKNOWN_TASK}/redrive`),
    expect: USERS_IMPORT,
  },
  [`POST ${IMPORT}/{taskId}/welcome-emails`]: {
    allowed: 404,
    request: at(`${IMPORT}/${UNKNOWN_TASK}/welcome-emails`),
    expect: USERS_IMPORT,
  },
  'GET /internal/iam/role-policies/default': {
    allowed: 200,
    request: at('/internal/iam/role-policies/default'),
    expect: USERS_IMPORT,
  },
  // role_policies.manage
  'PUT /internal/iam/role-policies/default': {
    allowed: 200,
    request: () => ({
      path: '/internal/iam/role-policies/default',
      body: { rules: [], fallbackRoles: ['member'] },
    }),
    expect: ADMIN_ONLY,
  },
  // roles.assign to read bundles and assignments, bundles.manage to change bundles
  'GET /internal/iam/bundles': { allowed: 200, request: at('/internal/iam/bundles'), expect: ADMIN_ONLY },
  'POST /internal/iam/bundles': {
    allowed: 201,
    request: (_fixtures, caller) => ({
      path: '/internal/iam/bundles',
      body: {
        bundleId: `rbac-${caller.replaceAll('_', '-')}`,
        name: 'Matrix',
        risk: 'low',
        roles: ['member'],
      },
    }),
    expect: ADMIN_ONLY,
  },
  'GET /internal/iam/bundles/{bundleId}': {
    allowed: 404,
    request: at('/internal/iam/bundles/no-such-bundle'),
    expect: ADMIN_ONLY,
  },
  'PUT /internal/iam/bundles/{bundleId}': {
    allowed: 404,
    request: () => ({
      path: '/internal/iam/bundles/no-such-bundle',
      body: { bundleId: 'no-such-bundle', name: 'Matrix', risk: 'low', roles: ['member'] },
    }),
    expect: ADMIN_ONLY,
  },
  'DELETE /internal/iam/bundles/{bundleId}': {
    allowed: 404,
    request: at('/internal/iam/bundles/no-such-bundle'),
    expect: ADMIN_ONLY,
  },
  'POST /internal/iam/roles/batch-assign/validate': {
    allowed: 422,
    request: () => ({ path: '/internal/iam/roles/batch-assign/validate', body: {} }),
    expect: ADMIN_ONLY,
  },
  'POST /internal/iam/roles/batch-assign': {
    allowed: 422,
    request: () => ({ path: '/internal/iam/roles/batch-assign', body: {} }),
    expect: ADMIN_ONLY,
  },
  'GET /internal/iam/roles/batch-assign/{assignmentId}': {
    allowed: 404,
    request: at(`/internal/iam/roles/batch-assign/${UNKNOWN_ASSIGNMENT}`),
    expect: ADMIN_ONLY,
  },
  // Approvals: starting one takes what starting its subject takes (an import: users.import)
  'POST /internal/approvals/start': {
    allowed: 404,
    request: () => ({
      path: '/internal/approvals/start',
      body: { subject: { type: 'bulk_import', taskId: UNKNOWN_TASK, run: 1 }, taskToken: 'matrix-token' },
    }),
    expect: USERS_IMPORT,
  },
  // A real high-risk approval, decided without the justification it needs: allowed deciders get
  // 422 and the approval stays pending for the next one.
  'POST /internal/approvals/{approvalId}/decision': {
    allowed: 422,
    request: ({ approvalId }) => ({
      path: `/internal/approvals/${approvalId}/decision`,
      body: { decision: 'APPROVE' },
    }),
    expect: APPROVERS,
  },
  // Lists only what the caller may decide, so anyone signed in may ask.
  'GET /internal/approvals': { allowed: 200, request: at('/internal/approvals'), expect: ANY_USER },
  // The admin user API
  'GET /v1/admin/users': { allowed: 200, request: at('/v1/admin/users?limit=5'), expect: USERS_READ },
  'GET /v1/admin/users/{userId}': {
    allowed: 200,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}` }),
    expect: USERS_READ,
  },
  'GET /v1/admin/users/{userId}/entitlements': {
    allowed: 200,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}/entitlements` }),
    expect: USERS_READ,
  },
  // No If-Match: an allowed caller learns it needs one, and the target keeps its version.
  'PATCH /v1/admin/users/{userId}': {
    allowed: 428,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}`, body: { displayName: 'Matrix' } }),
    expect: ADMIN_ONLY,
  },
  'PUT /v1/admin/users/{userId}/roles': {
    allowed: 428,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}/roles`, body: { roles: ['member'] } }),
    expect: ADMIN_ONLY,
  },
  'POST /v1/admin/users': {
    allowed: 201,
    request: ({ tenantId }, caller) => ({
      path: '/v1/admin/users',
      body: { email: `made-by-${caller}-${Math.random().toString(36).slice(2)}@${tenantId}.test` },
    }),
    expect: ADMIN_ONLY,
  },
  // Both answer the view whatever the target's status: callers may run them in any order.
  'POST /v1/admin/users/{userId}/deactivate': {
    allowed: 200,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}/deactivate` }),
    expect: ADMIN_ONLY,
  },
  'POST /v1/admin/users/{userId}/reactivate': {
    allowed: 200,
    request: ({ target }) => ({ path: `/v1/admin/users/${target}/reactivate` }),
    expect: ADMIN_ONLY,
  },
  'GET /v1/admin/audit': { allowed: 200, request: at('/v1/admin/audit?limit=5'), expect: AUDIT_READ },
  // The envelope needs no permission; each of its requests is checked as its route (below).
  'POST /api/v1/$batch': {
    allowed: 200,
    request: () => ({
      path: '/api/v1/$batch',
      body: { requests: [{ id: 'list', method: 'GET', url: '/v1/admin/users?limit=1' }] },
    }),
    expect: ANY_USER,
  },
};

const keyOf = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

const batchItemsSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown().optional() })),
});

let fixtures: Fixtures;
const callers = new Map<Column, Principal | undefined>();

beforeAll(async () => {
  const tenantId = uniqueTenant('rbac');
  const [committer, target, ...roleHolders] = await Promise.all([
    principal(tenantId, 'committer@rbac.test', ['operator']),
    principal(tenantId, 'target@rbac.test', ['member']),
    ...ROLE_COLUMNS.map((role) => principal(tenantId, `${role}@rbac.test`, [role])),
    principal(tenantId, 'no-role@rbac.test', ['member']),
  ]);
  if (!committer || !target) throw new Error('fixture principals missing');
  for (const [index, role] of ROLE_COLUMNS.entries()) callers.set(role, roleHolders[index]);
  const superuser = callers.get('superuser');
  const noRole = roleHolders.at(-1);
  if (!superuser || !noRole) throw new Error('fixture principals missing');

  // A user holding no role at all: stripped of the member role every new user gets.
  const read = await call('GET', `/v1/admin/users/${noRole.userId}`, { token: superuser.token });
  const stripped = await call('PUT', `/v1/admin/users/${noRole.userId}/roles`, {
    token: superuser.token,
    headers: { 'if-match': read.headers.get('etag') ?? '' },
    body: { roles: [] },
  });
  expect(stripped.status, stripped.text).toBe(200);
  callers.set('no_role', noRole);
  callers.set('anonymous', undefined);

  const taskId = await importAwaitingApproval(committer, tenantId);
  const approval = await approvalOfImport(superuser, taskId);
  fixtures = { tenantId, target: target.userId, approvalId: approval.approvalId };
}, 90_000);

function send(method: string, sent: Sent, caller: Principal | undefined): Promise<ApiResponse> {
  return call(method, sent.path, {
    ...(caller ? { token: caller.token } : {}),
    ...(sent.body === undefined ? {} : { body: sent.body }),
    ...(sent.headers ? { headers: sent.headers } : {}),
  });
}

function describeCell(response: ApiResponse): string {
  if (response.status === 401 || response.status === 403) {
    const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(response.body);
    return code.success
      ? `${response.status} ${code.data.error.code}`
      : `${response.status} without the error envelope`;
  }
  return response.status >= 500 ? `server error ${response.status}` : `${response.status}`;
}

function expectedCell(row: Row, expectation: Expectation): string {
  return expectation === OK ? `${row.allowed}` : `${REFUSAL_STATUS[expectation]} ${expectation}`;
}

describe('RBAC matrix: every built-in role against every route', () => {
  it('names every route of config/routes.ts, and no route that is not there', () => {
    expect(Object.keys(MATRIX).sort()).toEqual(ROUTES.map(keyOf).sort());
  });

  it('answers every (caller, route) cell as the table says', async () => {
    const limit = pLimit(6);
    const cells = ROUTES.flatMap((route) => COLUMNS.map((column, index) => ({ route, column, index })));
    const results = await Promise.all(
      cells.map(({ route, column, index }) =>
        limit(async () => {
          const row = MATRIX[keyOf(route)];
          if (!row) return { key: keyOf(route), column, got: 'no row', want: 'a row' };
          const expectation = row.expect[index] ?? UNAUTH;
          const response = await send(route.method, row.request(fixtures, column), callers.get(column));
          return {
            key: keyOf(route),
            column,
            got: describeCell(response),
            want: expectedCell(row, expectation),
          };
        }),
      ),
    );
    expect(results.filter((result) => result.got !== result.want)).toEqual([]);
  });

  it('applies the same permissions to each request of a $batch as to the route called directly', async () => {
    const batchable = ROUTES.filter(
      (route) => route.path.startsWith('/v1/admin/') && MATRIX[keyOf(route)] !== undefined,
    );
    expect(batchable.length).toBe(9);
    for (const column of COLUMNS.filter((c) => c !== 'anonymous')) {
      const index = COLUMNS.indexOf(column);
      const requests = batchable.map((route, position) => {
        const sent = (MATRIX[keyOf(route)] as Row).request(fixtures, column);
        return {
          id: `r${position}`,
          method: route.method,
          url: sent.path,
          ...(sent.body === undefined ? {} : { body: sent.body }),
        };
      });
      const response = await send(
        'POST',
        { path: '/api/v1/$batch', body: { requests } },
        callers.get(column),
      );
      expect(response.status, response.text).toBe(200);
      const answered = batchItemsSchema.parse(response.body).responses;
      const got = batchable.map((route, position) => {
        const item = answered.find((answer) => answer.id === `r${position}`);
        const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(item?.body);
        const refusal = item?.status === 403 && code.success ? ` ${code.data.error.code}` : '';
        return `${keyOf(route)}: ${item?.status}${refusal}`;
      });
      const want = batchable.map((route) => {
        const row = MATRIX[keyOf(route)] as Row;
        return `${keyOf(route)}: ${expectedCell(row, row.expect[index] ?? UNAUTH)}`;
      });
      expect(got, column).toEqual(want);
    }
  });
});
