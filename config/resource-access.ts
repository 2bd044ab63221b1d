/**
 * What a function may touch. CDK turns each into a least-privilege grant and hands the function
 * the environment variables naming the resource; the local stack hands every handler the same
 * variables (test/infra/function-environment.test.ts keeps the two honest).
 */
export type ResourceAccess =
  | 'table:read'
  | 'table:write'
  | 'bus:publish'
  | 'uploads:read'
  | 'uploads:write'
  | 'reports:read'
  | 'reports:write'
  | 'mail:send'
  | 'import-settings'
  | 'entitlement-settings'
  | 'request-quota'
  | `workflow:${StateMachineName}`
  | `workflow-callback:${StateMachineName}`;

/**
 * The state machines: `workflow:<name>` may start, describe and redrive one; `workflow-callback:<name>`
 * may resume its waiting tasks.
 */
export const STATE_MACHINE_NAMES = ['BulkImport', 'BatchAssign'] as const;
export type StateMachineName = (typeof STATE_MACHINE_NAMES)[number];

/**
 * The environment variables each kind of access brings with it. CDK (lib/shared/resource-access.ts)
 * and the local stack (local/environment.ts) each map every variable here to a value, and the
 * compiler holds both to this list through `AccessVariablesOf`.
 */
export const ACCESS_ENVIRONMENT = {
  'table:read': ['TABLE_NAME'],
  'table:write': ['TABLE_NAME'],
  'bus:publish': ['EVENT_BUS_NAME'],
  'uploads:read': ['UPLOADS_BUCKET'],
  'uploads:write': ['UPLOADS_BUCKET'],
  'reports:read': ['REPORTS_BUCKET'],
  'reports:write': ['REPORTS_BUCKET'],
  'mail:send': ['MAIL_FROM_ADDRESS', 'ACTIVATION_URL_BASE'],
  // Not a resource: the bulk-import settings of config/iam-bulk-import.yaml, as IMPORT_* variables.
  'import-settings': [
    'IMPORT_BATCH_SIZE',
    'IMPORT_MAX_ROWS',
    'IMPORT_MAX_FILE_BYTES',
    'IMPORT_UPLOAD_URL_TTL_SECONDS',
    'IMPORT_APPROVAL_ROLES',
    'IMPORT_ACTIVATION_TTL_HOURS',
  ],
  // Not a resource: the approval and expiry settings of config/iam-entitlements.yaml.
  'entitlement-settings': ['APPROVAL_SLA_MINUTES', 'APPROVAL_MAX_WAIT_HOURS', 'EXPIRY_REMINDER_HOURS'],
  'request-quota': ['MUSTER_RATE_LIMIT_RPM', 'MUSTER_TENANT_RATE_LIMIT_RPM'],
  'workflow:BulkImport': ['BULK_IMPORT_STATE_MACHINE_ARN'],
  'workflow:BatchAssign': ['BATCH_ASSIGN_STATE_MACHINE_ARN'],
  // Resuming a waiting task (SendTaskSuccess / SendTaskFailure) needs only the task token it was given.
  'workflow-callback:BulkImport': [],
  'workflow-callback:BatchAssign': [],
} as const satisfies Readonly<Record<ResourceAccess, readonly string[]>>;

/** The variables one kind of access brings, as a union of string literals. */
export type AccessVariablesOf<TAccess extends ResourceAccess> = (typeof ACCESS_ENVIRONMENT)[TAccess][number];

/** Every variable some kind of access brings. */
export type AccessVariable = AccessVariablesOf<ResourceAccess>;

/** The variables a set of access brings, each once. */
export function accessVariables(access: Iterable<ResourceAccess>): AccessVariable[] {
  return [...new Set([...access].flatMap((kind): readonly AccessVariable[] => ACCESS_ENVIRONMENT[kind]))];
}

/**
 * What every function acting on approvals may touch (starting or deciding one, the workflows'
 * callback task, the sweep): any of them may resume a workflow waiting on an approval.
 */
export const APPROVAL_ACCESS: readonly ResourceAccess[] = [
  'table:read',
  'table:write',
  'bus:publish',
  'mail:send',
  'entitlement-settings',
  'workflow-callback:BulkImport',
  'workflow-callback:BatchAssign',
];

/** What every EventBridge rule target may touch: it records what it observes (CDK grants it, local sets its variables). */
export const EVENT_TARGET_ACCESS: readonly ResourceAccess[] = ['table:write'];
