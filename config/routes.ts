/**
 * Every HTTP route of Muster, read by both the CDK API construct and the local API front, so
 * the two can never disagree. Paths use API Gateway's `{param}` syntax.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

import { APPROVAL_ACCESS, type ResourceAccess } from './resource-access';

export type { ResourceAccess };

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  /** Handler module, relative to the repository root, and the export that is the Lambda handler. */
  readonly entry: string;
  readonly export: string;
  /** `public` skips the authorizer; `principal` requires a bearer token or a session cookie. */
  readonly auth: 'public' | 'principal';
  readonly access: readonly ResourceAccess[];
  /**
   * The function's timeout when the default (10 s) is too short for what it does. API Gateway waits
   * 29 s at most, so a route never needs more than that.
   */
  readonly timeoutSeconds?: number;
}

const BULK_IMPORT = 'functions/bulk-import/handlers';
const IMPORT_API_ACCESS = ['table:read', 'table:write', 'import-settings'] as const;

/** Bulk user import (seed 000); every route answers 404 while `user-bulk-import` is off. */
const BULK_IMPORT_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/internal/iam/users/bulk-import/template',
    entry: `${BULK_IMPORT}/template.ts`,
    export: 'handler',
    auth: 'principal',
    access: ['table:read', 'reports:read', 'reports:write', 'import-settings'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/uploads',
    entry: `${BULK_IMPORT}/uploads.ts`,
    export: 'createUpload',
    auth: 'principal',
    access: [...IMPORT_API_ACCESS, 'uploads:write'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/validation',
    entry: `${BULK_IMPORT}/uploads.ts`,
    export: 'startValidation',
    auth: 'principal',
    access: [...IMPORT_API_ACCESS, 'uploads:read'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/commit',
    entry: `${BULK_IMPORT}/runs.ts`,
    export: 'commit',
    auth: 'principal',
    access: [...IMPORT_API_ACCESS, 'workflow:BulkImport'],
  },
  {
    method: 'GET',
    path: '/internal/iam/users/bulk-import',
    entry: `${BULK_IMPORT}/task-list.ts`,
    export: 'listTasks',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'GET',
    path: '/internal/iam/users/bulk-import/{taskId}',
    entry: `${BULK_IMPORT}/tasks.ts`,
    export: 'getTask',
    auth: 'principal',
    access: ['table:read', 'reports:read'],
  },
  {
    method: 'GET',
    path: '/internal/iam/users/bulk-import/{taskId}/errors',
    entry: `${BULK_IMPORT}/tasks.ts`,
    export: 'listErrors',
    auth: 'principal',
    access: ['table:read', 'reports:read'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/{taskId}/retry',
    entry: `${BULK_IMPORT}/runs.ts`,
    export: 'retry',
    auth: 'principal',
    access: [...IMPORT_API_ACCESS, 'workflow:BulkImport'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/{taskId}/redrive',
    entry: `${BULK_IMPORT}/runs.ts`,
    export: 'redrive',
    auth: 'principal',
    access: [...IMPORT_API_ACCESS, 'workflow:BulkImport'],
  },
  {
    method: 'POST',
    path: '/internal/iam/users/bulk-import/{taskId}/welcome-emails',
    entry: `${BULK_IMPORT}/welcome-emails.ts`,
    export: 'replay',
    auth: 'principal',
    // Describes the run's execution: a run that stopped part-way is for its redrive, not a replay.
    access: [...IMPORT_API_ACCESS, 'reports:read', 'mail:send', 'workflow:BulkImport'],
    // Sends batch after batch until close to this, then answers with what remains.
    timeoutSeconds: 25,
  },
  {
    method: 'GET',
    path: '/internal/iam/role-policies/default',
    entry: `${BULK_IMPORT}/role-policy.ts`,
    export: 'getRolePolicy',
    auth: 'principal',
    access: ['table:read', 'import-settings'],
  },
  {
    method: 'PUT',
    path: '/internal/iam/role-policies/default',
    entry: `${BULK_IMPORT}/role-policy.ts`,
    export: 'putRolePolicy',
    auth: 'principal',
    access: ['table:read', 'table:write', 'import-settings'],
  },
];

const ENTITLEMENTS = 'functions/entitlements/handlers';

const BUNDLE_READ_ACCESS: readonly ResourceAccess[] = ['table:read'];
const BUNDLE_WRITE_ACCESS: readonly ResourceAccess[] = ['table:read', 'table:write', 'bus:publish'];
/** Reads and writes live in separate modules: a read function is granted no write and no bus. */
const bundleRoute = (method: HttpMethod, path: string, handler: string): RouteDefinition => {
  const reads = method === 'GET';
  return {
    method,
    path,
    entry: `${ENTITLEMENTS}/${reads ? 'bundle-reads' : 'bundles'}.ts`,
    export: handler,
    auth: 'principal',
    access: reads ? BUNDLE_READ_ACCESS : BUNDLE_WRITE_ACCESS,
  };
};

/** Permission bundles (seed 001); every route answers 404 while `iam-bulk-assign` is off. */
const BUNDLE_ROUTES: readonly RouteDefinition[] = [
  bundleRoute('GET', '/internal/iam/bundles', 'listBundles'),
  bundleRoute('POST', '/internal/iam/bundles', 'postBundle'),
  bundleRoute('GET', '/internal/iam/bundles/{bundleId}', 'getOneBundle'),
  bundleRoute('PUT', '/internal/iam/bundles/{bundleId}', 'putBundle'),
  bundleRoute('DELETE', '/internal/iam/bundles/{bundleId}', 'removeBundle'),
];

/**
 * Batch role / bundle assignment (seed 001): validation answers 404 while `minimal-privilege-check`
 * is off, the assignment itself while `iam-bulk-assign` is off.
 */
const ASSIGNMENT_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/internal/iam/roles/batch-assign/validate',
    entry: `${ENTITLEMENTS}/batch-assign.ts`,
    export: 'validateAssignment',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'POST',
    path: '/internal/iam/roles/batch-assign',
    entry: `${ENTITLEMENTS}/assignment-requests.ts`,
    export: 'postAssignment',
    auth: 'principal',
    access: ['table:read', 'table:write', 'workflow:BatchAssign'],
  },
  {
    method: 'GET',
    path: '/internal/iam/roles/batch-assign/{assignmentId}',
    entry: `${ENTITLEMENTS}/assignment-reads.ts`,
    export: 'getAssignment',
    auth: 'principal',
    access: ['table:read'],
  },
];

const APPROVALS = 'functions/approvals/handlers';

/**
 * Approvals (seed 001, and an import's sensitive grants). No flag: they serve both the bulk
 * import (`user-bulk-import`) and batch assignment (`iam-bulk-assign`), and gating them by either
 * would strand the other's waiting workflows.
 */
const APPROVAL_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/internal/approvals/start',
    entry: `${APPROVALS}/approvals.ts`,
    export: 'postStart',
    auth: 'principal',
    access: APPROVAL_ACCESS,
  },
  {
    method: 'POST',
    path: '/internal/approvals/{approvalId}/decision',
    entry: `${APPROVALS}/approvals.ts`,
    export: 'postDecision',
    auth: 'principal',
    access: APPROVAL_ACCESS,
  },
  {
    method: 'GET',
    path: '/internal/approvals',
    entry: `${APPROVALS}/approval-reads.ts`,
    export: 'getApprovals',
    auth: 'principal',
    access: ['table:read'],
  },
];

const ADMIN_USERS = 'functions/identity/handlers/admin-users.ts';
const ADMIN_USER_UPDATES = 'functions/identity/handlers/admin-user-updates.ts';

/** Admin user API (issue 5); every route answers 404 while `user_mgmt_core` is off (seed 003). */
const ADMIN_USER_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/admin/users',
    entry: ADMIN_USERS,
    export: 'getUsers',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'GET',
    path: '/v1/admin/users/{userId}',
    entry: ADMIN_USERS,
    export: 'getUser',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'PATCH',
    path: '/v1/admin/users/{userId}',
    entry: ADMIN_USER_UPDATES,
    export: 'patchUser',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
  {
    method: 'PUT',
    path: '/v1/admin/users/{userId}/roles',
    entry: ADMIN_USER_UPDATES,
    export: 'putUserRoles',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
];

const ADMIN_USER_WRITES = 'functions/identity/handlers/admin-user-writes.ts';

/** Admin user creation and lifecycle (issue 5), behind `user_mgmt_core` like the reads. */
const ADMIN_USER_LIFECYCLE_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'POST',
    path: '/v1/admin/users',
    entry: ADMIN_USER_WRITES,
    export: 'postUser',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
  {
    method: 'POST',
    path: '/v1/admin/users/{userId}/deactivate',
    entry: ADMIN_USER_WRITES,
    export: 'postDeactivate',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
  {
    method: 'POST',
    path: '/v1/admin/users/{userId}/reactivate',
    entry: ADMIN_USER_WRITES,
    export: 'postReactivate',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
];

/** A user's bundle grants with their validity (issue 8), read like the user (`user_mgmt_core`). */
const ADMIN_USER_ENTITLEMENT_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/admin/users/{userId}/entitlements',
    entry: 'functions/entitlements/handlers/user-entitlements.ts',
    export: 'getUserEntitlements',
    auth: 'principal',
    access: ['table:read'],
  },
];

/** The audit trail (issue 5), behind `user_mgmt_core` like the admin user API. */
const AUDIT_ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v1/admin/audit',
    entry: 'functions/audit/handlers/audit-reads.ts',
    export: 'getAudit',
    auth: 'principal',
    access: ['table:read'],
  },
];

/**
 * The routes a `$batch` request may reach: the user lifecycle and audit API (seed 002). The batch
 * function runs them in its own invocation, so it is granted what each of them is.
 */
export const BATCHABLE_ROUTES: readonly RouteDefinition[] = [
  ...ADMIN_USER_ROUTES,
  ...ADMIN_USER_LIFECYCLE_ROUTES,
  ...ADMIN_USER_ENTITLEMENT_ROUTES,
  ...AUDIT_ROUTES,
];

const BATCH_ROUTE: RouteDefinition = {
  method: 'POST',
  path: '/api/v1/$batch',
  entry: 'functions/batch/handlers/batch.ts',
  export: 'postBatch',
  auth: 'principal',
  // Up to 20 requests, a chain of them one after another in the worst case: room for all within
  // API Gateway's 29 s, and before it gives up on the envelope.
  timeoutSeconds: 25,
  access: [
    ...new Set([
      ...BATCHABLE_ROUTES.flatMap((route) => route.access),
      'table:write',
      'request-quota',
    ] as const),
  ],
};

export const ROUTES: readonly RouteDefinition[] = [
  {
    method: 'GET',
    path: '/health',
    entry: 'functions/health/handlers/health.ts',
    export: 'handler',
    auth: 'public',
    access: [],
  },
  {
    method: 'GET',
    path: '/openapi.json',
    entry: 'functions/openapi/handlers/openapi.ts',
    export: 'getOpenApiDocument',
    auth: 'public',
    access: [],
  },
  {
    method: 'GET',
    path: '/v1/me',
    entry: 'functions/identity/handlers/me.ts',
    export: 'getMe',
    auth: 'principal',
    access: ['table:read'],
  },
  {
    method: 'PATCH',
    path: '/v1/me',
    entry: 'functions/identity/handlers/me.ts',
    export: 'patchMe',
    auth: 'principal',
    access: ['table:read', 'table:write', 'bus:publish'],
  },
  ...BULK_IMPORT_ROUTES,
  ...BUNDLE_ROUTES,
  ...ASSIGNMENT_ROUTES,
  ...APPROVAL_ROUTES,
  ...BATCHABLE_ROUTES,
  BATCH_ROUTE,
];

/**
 * The REQUEST authorizer in front of every `principal` route. It settles who the caller is in the
 * directory, so it alone writes on a first sign-in (a link by verified email, or OIDC
 * auto-provisioning, which publishes iam.user.created): routes only read the caller.
 */
export const AUTHORIZER: Pick<RouteDefinition, 'entry' | 'export' | 'access'> = {
  entry: 'functions/auth/handlers/authorizer.ts',
  export: 'handler',
  access: ['table:read', 'table:write', 'bus:publish'],
};

/** API Gateway's own limit on a request payload; the local front enforces the same. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
