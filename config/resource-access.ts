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
  | `workflow:${StateMachineName}`;

/** The state machines a function can be granted to start, describe and redrive. */
export type StateMachineName = 'BulkImport';

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
  'workflow:BulkImport': ['BULK_IMPORT_STATE_MACHINE_ARN'],
} as const satisfies Readonly<Record<ResourceAccess, readonly string[]>>;

/** The variables one kind of access brings, as a union of string literals. */
export type AccessVariablesOf<TAccess extends ResourceAccess> = (typeof ACCESS_ENVIRONMENT)[TAccess][number];

/** Every variable some kind of access brings. */
export type AccessVariable = AccessVariablesOf<ResourceAccess>;

/** The variables a set of access brings, each once. */
export function accessVariables(access: Iterable<ResourceAccess>): AccessVariable[] {
  return [...new Set([...access].flatMap((kind): readonly AccessVariable[] => ACCESS_ENVIRONMENT[kind]))];
}

/** What every EventBridge rule target may touch: it records what it observes (CDK grants it, local sets its variables). */
export const EVENT_TARGET_ACCESS: readonly ResourceAccess[] = ['table:write'];
