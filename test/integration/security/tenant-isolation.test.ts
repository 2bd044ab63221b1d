import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROUTES, type RouteDefinition } from '../../../config/routes';
import { LOCAL_NAMES } from '../../../local/environment';
import { approvalOfImport, importAwaitingApproval } from '../approvals/approval-support';
import { startAssignment, waitForStatus as waitForAssignment } from '../entitlements/assign-support';
import {
  type ApiResponse,
  call,
  documentClient,
  errorCode,
  type Principal,
  principal,
  s3Client,
  scanAll,
  TABLE_NAME,
  uniqueTenant,
} from '../support/api';

/*
 * Issue 7, tenant isolation: an admin of tenant B sends every route of config/routes.ts tenant A's
 * ids (in the path, the body, the query, and inside `$batch`). Each answer is a refusal in the
 * error envelope (or, for a route that only ever serves the caller's own tenant, an answer that
 * names nothing of A), and A's items in the table, its objects and its events are the same after.
 */

const documents = documentClient();
const s3 = s3Client();
const routeName = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

/** Tenant A's things, made through the API before B attacks them. */
interface Victim {
  readonly tenantId: string;
  readonly admin: Principal;
  readonly userId: string;
  /** Shared on purpose with a user B creates: the same email in two tenants is two users. */
  readonly email: string;
  readonly taskId: string;
  readonly fileId: string;
  readonly bundleId: string;
  readonly assignmentId: string;
  readonly approvalId: string;
}

interface Attempt {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  /**
   * `refused`: 403/404 (the default, so a new route with A's ids in its path must refuse them);
   * `own-tenant`: the route serves only the caller's tenant and never takes an id of A's, so it
   * may answer 2xx, as long as nothing of A is in the answer; `rejected`: a 4xx of the route's own
   * (a reference it cannot resolve in the caller's tenant is invalid input there); `assessed`: a
   * dry run that answers 200 with a finding per reference it cannot resolve, and writes nothing.
   */
  readonly expect?: 'refused' | 'own-tenant' | 'rejected' | 'assessed';
  readonly code?: string;
}

const IF_MATCH = { 'if-match': '"1"' };

/** What B sends each route: A's ids wherever the route takes an id. */
function attempts(a: Victim): Readonly<Record<string, Attempt>> {
  return {
    'GET /health': { expect: 'own-tenant' },
    'GET /openapi.json': { expect: 'own-tenant' },
    'GET /v1/me': { expect: 'own-tenant' },
    'PATCH /v1/me': { expect: 'own-tenant', body: { displayName: 'B admin' } },
    'GET /internal/iam/users/bulk-import/template': { expect: 'own-tenant' },
    'POST /internal/iam/users/bulk-import/uploads': { expect: 'own-tenant', body: { fileName: 'b.csv' } },
    'POST /internal/iam/users/bulk-import/validation': {
      body: { fileId: a.fileId },
      code: 'UPLOAD_NOT_FOUND',
    },
    'POST /internal/iam/users/bulk-import/commit': { body: { taskId: a.taskId }, code: 'TASK_NOT_FOUND' },
    'GET /internal/iam/users/bulk-import': { expect: 'own-tenant' },
    'GET /internal/iam/users/bulk-import/{taskId}': { code: 'TASK_NOT_FOUND' },
    'GET /internal/iam/users/bulk-import/{taskId}/errors': { code: 'TASK_NOT_FOUND' },
    'POST /internal/iam/users/bulk-import/{taskId}/retry': { code: 'TASK_NOT_FOUND' },
    'POST /internal/iam/users/bulk-import/{taskId}/redrive': { code: 'TASK_NOT_FOUND' },
    'GET /internal/iam/role-policies/default': { expect: 'own-tenant' },
    'PUT /internal/iam/role-policies/default': {
      expect: 'own-tenant',
      body: { rules: [], fallbackRoles: ['member'] },
    },
    'GET /internal/iam/bundles': { expect: 'own-tenant' },
    'POST /internal/iam/bundles': {
      expect: 'rejected',
      code: 'INVALID_BUNDLE',
      body: { bundleId: 'b-own', name: 'B', roles: ['member'], risk: 'low', incompatibleWith: [a.bundleId] },
    },
    'GET /internal/iam/bundles/{bundleId}': { code: 'BUNDLE_NOT_FOUND' },
    'PUT /internal/iam/bundles/{bundleId}': {
      code: 'BUNDLE_NOT_FOUND',
      headers: IF_MATCH,
      body: { bundleId: a.bundleId, name: 'Hijacked', roles: ['superuser'], risk: 'low' },
    },
    'DELETE /internal/iam/bundles/{bundleId}': { code: 'BUNDLE_NOT_FOUND', headers: IF_MATCH },
    'POST /internal/iam/roles/batch-assign/validate': {
      expect: 'assessed',
      body: { members: [a.userId, a.email], bundles: [a.bundleId], justification: 'x' },
    },
    'POST /internal/iam/roles/batch-assign': {
      expect: 'rejected',
      body: { members: [a.userId, a.email], bundles: [a.bundleId], justification: 'x' },
    },
    'GET /internal/iam/roles/batch-assign/{assignmentId}': { code: 'ASSIGNMENT_NOT_FOUND' },
    'POST /internal/approvals/start': {
      code: 'SUBJECT_NOT_FOUND',
      body: { subject: { type: 'bulk_import', taskId: a.taskId, run: 1 }, taskToken: 'forged-token' },
    },
    'POST /internal/approvals/{approvalId}/decision': {
      code: 'APPROVAL_NOT_FOUND',
      body: { decision: 'APPROVE', justification: 'not mine to decide' },
    },
    'GET /internal/approvals': { expect: 'own-tenant' },
    'GET /v1/admin/users': { expect: 'own-tenant', query: { q: a.email.slice(0, 12) } },
    'GET /v1/admin/users/{userId}': { code: 'USER_NOT_FOUND' },
    'GET /v1/admin/users/{userId}/entitlements': { code: 'USER_NOT_FOUND' },
    'PATCH /v1/admin/users/{userId}': {
      code: 'USER_NOT_FOUND',
      headers: IF_MATCH,
      body: { displayName: 'Hijacked' },
    },
    'PUT /v1/admin/users/{userId}/roles': {
      code: 'USER_NOT_FOUND',
      headers: IF_MATCH,
      body: { roles: ['tenant_admin'] },
    },
    'POST /v1/admin/users': { expect: 'own-tenant', body: { email: a.email } },
    'POST /v1/admin/users/{userId}/deactivate': { code: 'USER_NOT_FOUND' },
    'POST /v1/admin/users/{userId}/reactivate': { code: 'USER_NOT_FOUND' },
    'GET /v1/admin/audit': { expect: 'own-tenant', query: { targetId: `user:${a.userId}` } },
    'POST /api/v1/$batch': { expect: 'own-tenant', body: { requests: batchRequests(a) } },
  };
}

/** Every batchable route of A's user and audit, as `$batch` requests. */
function batchRequests(a: Victim) {
  const user = `/v1/admin/users/${a.userId}`;
  return [
    { id: 'get', method: 'GET', url: user },
    { id: 'entitlements', method: 'GET', url: `${user}/entitlements` },
    { id: 'patch', method: 'PATCH', url: user, headers: IF_MATCH, body: { displayName: 'Hijacked' } },
    {
      id: 'roles',
      method: 'PUT',
      url: `${user}/roles`,
      headers: IF_MATCH,
      body: { roles: ['tenant_admin'] },
    },
    { id: 'deactivate', method: 'POST', url: `${user}/deactivate` },
    { id: 'reactivate', method: 'POST', url: `${user}/reactivate` },
    { id: 'list', method: 'GET', url: `/v1/admin/users?q=${encodeURIComponent(a.email.slice(0, 12))}` },
    { id: 'audit-target', method: 'GET', url: `/v1/admin/audit?targetId=user:${a.userId}` },
    { id: 'audit-actor', method: 'GET', url: `/v1/admin/audit?actorId=${a.admin.userId}` },
  ];
}

const batchAnswersSchema = z.object({
  responses: z.array(z.object({ id: z.string(), status: z.number(), body: z.unknown() })),
});

/** Fills each `{param}` of the route with A's id of that kind; a parameter of a new kind fails loudly. */
function pathFor(route: RouteDefinition, a: Victim): string {
  const ids: Record<string, string> = {
    taskId: a.taskId,
    bundleId: a.bundleId,
    assignmentId: a.assignmentId,
    approvalId: a.approvalId,
    userId: a.userId,
  };
  return route.path.replaceAll(/\{([^}]+)\}/g, (_whole, name: string) => {
    const id = ids[name];
    if (id === undefined) throw new Error(`${routeName(route)}: no id of tenant A for {${name}}; add one`);
    return encodeURIComponent(id);
  });
}

/** Everything of tenant A in the table, in key order. */
async function tenantItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const items = await scanAll(
    {
      TableName: TABLE_NAME,
      FilterExpression: 'begins_with(PK, :prefix) OR tenantId = :tenant',
      ExpressionAttributeValues: { ':prefix': `TENANT#${tenantId}#`, ':tenant': tenantId },
      ConsistentRead: true,
    },
    documents,
  );
  return items.sort((x, y) => `${x.PK}|${x.SK}`.localeCompare(`${y.PK}|${y.SK}`));
}

/** Every object of tenant A in both buckets, with its ETag. */
async function tenantObjects(tenantId: string): Promise<string[]> {
  const objects: string[] = [];
  for (const bucket of [LOCAL_NAMES.uploadsBucket, LOCAL_NAMES.reportsBucket]) {
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `tenants/${tenantId}/` }),
    );
    objects.push(...(listed.Contents ?? []).map((object) => `${bucket}/${object.Key} ${object.ETag}`));
  }
  return objects.sort();
}

async function tenantEvents(tenantId: string): Promise<unknown[]> {
  const events = z.array(
    z.object({ detail: z.object({ tenantId: z.string() }).passthrough() }).passthrough(),
  );
  return events
    .parse((await call('GET', '/_local/events')).body)
    .filter((event) => event.detail.tenantId === tenantId);
}

/** A's ids that must never appear in an answer to B. */
function secretsOf(a: Victim): string[] {
  return [a.tenantId, a.userId, a.admin.userId, a.taskId, a.fileId, a.assignmentId, a.approvalId];
}

/** A's ids in an answer that the request did not carry itself (an error may quote the id it was sent). */
function leaks(response: ApiResponse, a: Victim, sent: string): string[] {
  return secretsOf(a).filter((secret) => response.text.includes(secret) && !sent.includes(secret));
}

async function createVictim(): Promise<Victim> {
  const tenantId = uniqueTenant('iso-a');
  const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin', 'security_approver']);
  const approver = await principal(tenantId, `approver@${tenantId}.test`, ['security_approver']);
  const email = `shared-${ulid().toLowerCase()}@acme.test`;
  const created = await call('POST', '/v1/admin/users', {
    token: admin.token,
    body: { email, roles: ['member'] },
  });
  expect(created.status, created.text).toBe(201);
  const userId = z.object({ userId: z.string() }).parse(created.body).userId;

  const bundleId = `a-only-${ulid().toLowerCase().slice(-8)}`;
  const bundle = await call('POST', '/internal/iam/bundles', {
    token: admin.token,
    body: { bundleId, name: 'A only', roles: ['member'], risk: 'low' },
  });
  expect(bundle.status, bundle.text).toBe(201);
  const { assignmentId } = await startAssignment(admin.token, {
    members: [userId],
    bundles: [bundleId],
    justification: 'tenant A grants its own member',
  });
  await waitForAssignment(admin.token, assignmentId, ['COMPLETED', 'COMPLETED_WITH_ERRORS']);

  const taskId = await importAwaitingApproval(admin, tenantId);
  const approvalId = (await approvalOfImport(approver, taskId)).approvalId;
  const task = await call('GET', `/internal/iam/users/bulk-import/${taskId}`, { token: admin.token });
  const fileId = z.object({ fileId: z.string() }).parse(task.body).fileId;
  return { tenantId, admin, userId, email, taskId, fileId, bundleId, assignmentId, approvalId };
}

/** Until A's audit trail holds its own entries: asynchronous, from the bus. */
async function waitForAudit(a: Victim): Promise<number> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const trail = await call('GET', `/v1/admin/audit?targetId=user:${a.userId}`, { token: a.admin.token });
    const count = z.object({ items: z.array(z.unknown()) }).parse(trail.body).items.length;
    if (count > 0 || Date.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('tenant isolation: tenant B tries every route with tenant A ids', () => {
  let a: Victim;
  const tenantB = uniqueTenant('iso-b');
  let attackers: { label: string; caller: Principal }[];
  let before: { items: Record<string, unknown>[]; objects: string[]; events: unknown[] };

  beforeAll(async () => {
    a = await createVictim();
    expect(await waitForAudit(a)).toBeGreaterThan(0);
    attackers = [
      { label: 'superuser', caller: await principal(tenantB, `root@${tenantB}.test`, ['superuser']) },
      { label: 'operator', caller: await principal(tenantB, `ops@${tenantB}.test`, ['operator']) },
    ];
    before = {
      items: await tenantItems(a.tenantId),
      objects: await tenantObjects(a.tenantId),
      events: await tenantEvents(a.tenantId),
    };
    expect(before.items.length).toBeGreaterThan(10);
    expect(before.objects.length).toBeGreaterThan(3);
  }, 120_000);

  afterAll(() => {
    documents.destroy();
    s3.destroy();
  });

  it('every route of config/routes.ts has an attempt, so a new route is never left untried', () => {
    const placeholder = 'x';
    const table = attempts({
      tenantId: placeholder,
      admin: { token: placeholder, userId: placeholder },
      userId: placeholder,
      email: placeholder,
      taskId: placeholder,
      fileId: placeholder,
      bundleId: placeholder,
      assignmentId: placeholder,
      approvalId: placeholder,
    });
    const untried = ROUTES.map(routeName).filter((name) => !(name in table));
    // A route without an entry is still tried below with A's ids in its path and no body, and
    // must refuse them; listing it here is only how it could answer differently.
    expect(untried.filter((name) => !name.includes('{'))).toEqual([]);
  });

  it.each(['superuser', 'operator'])(
    'a %s of B is refused every id of A, and A is unchanged',
    async (label) => {
      const caller = attackers.find((attacker) => attacker.label === label)?.caller;
      if (!caller) throw new Error(label);
      const table = attempts(a);
      for (const route of ROUTES) {
        const attempt = table[routeName(route)] ?? {};
        const query = attempt.query ? `?${new URLSearchParams(attempt.query)}` : '';
        const path = `${pathFor(route, a)}${query}`;
        const response = await call(route.method, path, {
          token: caller.token,
          ...(attempt.body !== undefined ? { body: attempt.body } : {}),
          ...(attempt.headers ? { headers: attempt.headers } : {}),
        });
        const outcome = { route: routeName(route), status: response.status };
        expect(leaks(response, a, `${path} ${JSON.stringify(attempt.body)}`), outcome.route).toEqual([]);
        expect(response.status, `${outcome.route}: ${response.text.slice(0, 200)}`).toBeLessThan(500);
        const expected = attempt.expect ?? 'refused';
        if (expected === 'own-tenant') {
          if (response.status >= 300) expect([403, 422], outcome.route).toContain(response.status);
          if (routeName(route) === 'POST /api/v1/$batch') expectBatchRefused(response);
          if (routeName(route) === 'POST /v1/admin/users' && response.status === 201) {
            expect(z.object({ userId: z.string() }).parse(response.body).userId).not.toBe(a.userId);
          }
          if (routeName(route) === 'GET /v1/admin/audit') {
            if (response.status === 200)
              expect(z.object({ items: z.array(z.unknown()) }).parse(response.body).items).toEqual([]);
          }
          continue;
        }
        if (response.status === 403 && label === 'operator') {
          // RBAC refused first: the operator may not call the route at all, whose ids it never reached.
          expect(errorCode(response)).toBe('PERMISSION_DENIED');
          continue;
        }
        if (expected === 'assessed') {
          expect(response.status, response.text).toBe(200);
          const { findings } = z
            .object({ findings: z.array(z.object({ code: z.string() })) })
            .parse(response.body);
          expect(findings.map((finding) => finding.code).sort()).toEqual(
            expect.arrayContaining(['UNKNOWN_BUNDLE', 'UNKNOWN_MEMBER', 'UNKNOWN_MEMBER']),
          );
          continue;
        }
        if (expected === 'rejected') {
          expect([403, 404, 409, 422], outcome.route).toContain(response.status);
          if (attempt.code) expect(errorCode(response), outcome.route).toBe(attempt.code);
          continue;
        }
        expect([403, 404], `${outcome.route}: ${response.text.slice(0, 200)}`).toContain(response.status);
        if (attempt.code) expect(errorCode(response), outcome.route).toBe(attempt.code);
      }

      expect(await tenantItems(a.tenantId)).toEqual(before.items);
      expect(await tenantObjects(a.tenantId)).toEqual(before.objects);
      expect(await tenantEvents(a.tenantId)).toEqual(before.events);
    },
  );

  it('a tenant id of A in the query or body of any route does not let B reach A', async () => {
    const caller = attackers[0]?.caller;
    if (!caller) throw new Error('no attacker');
    const table = attempts(a);
    for (const route of ROUTES) {
      const attempt = table[routeName(route)] ?? {};
      const query = new URLSearchParams({ ...attempt.query, tenantId: a.tenantId, tenant_id: a.tenantId });
      const body =
        attempt.body !== undefined && typeof attempt.body === 'object'
          ? { ...attempt.body, tenantId: a.tenantId }
          : undefined;
      const path = `${pathFor(route, a)}?${query}`;
      const response = await call(route.method, path, {
        token: caller.token,
        ...(body ? { body } : {}),
        headers: { ...attempt.headers, 'x-tenant-id': a.tenantId },
      });
      expect(response.status, routeName(route)).toBeLessThan(500);
      expect(leaks(response, a, `${path} ${JSON.stringify(body)}`), routeName(route)).toEqual([]);
    }
    expect(await tenantItems(a.tenantId)).toEqual(before.items);
  });
});

function expectBatchRefused(response: ApiResponse): void {
  expect(response.status, response.text).toBe(200);
  const answers = batchAnswersSchema.parse(response.body).responses;
  expect(answers).toHaveLength(9);
  for (const answer of answers) {
    if (answer.id === 'list') {
      // B's own user of the shared email may be listed; A's is not (the leak check holds that).
      expect(answer.status, answer.id).toBe(200);
    } else if (answer.id.startsWith('audit')) {
      expect(answer.status, answer.id).toBe(200);
      expect(z.object({ items: z.array(z.unknown()) }).parse(answer.body).items, answer.id).toEqual([]);
    } else {
      const code = z.object({ error: z.object({ code: z.string() }) }).parse(answer.body).error.code;
      // An operator may read users but change none: RBAC refuses its writes before the id is looked up.
      const refusal =
        answer.id === 'get' || answer.id === 'entitlements'
          ? [404, 'USER_NOT_FOUND']
          : answer.status === 403
            ? [403, 'PERMISSION_DENIED']
            : [404, 'USER_NOT_FOUND'];
      expect({ id: answer.id, status: answer.status, code }).toEqual({
        id: answer.id,
        status: refusal[0],
        code: refusal[1],
      });
    }
  }
}
