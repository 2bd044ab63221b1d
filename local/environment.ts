import { type BulkImportSettings, bulkImportEnvironment } from '../config/bulk-import-settings';
import { type EntitlementSettings, entitlementEnvironment } from '../config/entitlement-settings';
import { EVENT_RULES, eventTargetAccess } from '../config/event-rules';
import { OBJECT_NOTIFICATIONS } from '../config/object-notifications';
import { type RequestQuotaSettings, requestQuotaEnvironment } from '../config/request-quota';
import {
  type AccessVariable,
  type AccessVariablesOf,
  accessVariables,
  type ResourceAccess,
} from '../config/resource-access';
import { AUTHORIZER, ROUTES } from '../config/routes';
import { SCHEDULES } from '../config/schedules';
import { type StateMachineSettings, stateMachines } from '../config/state-machines';
import { FLAG_NAMES, flagEnvironment } from '../functions/shared/flags';
import { stateMachineArn } from './stepfunctions/arns';
import { type LogLevelName, logLevelNamed } from './telemetry/telemetry';

/**
 * Names and settings of the local stack, and the one place that decides the environment the
 * handlers see. Handlers read it with zod at cold start exactly as in AWS; the SDK's
 * service-specific endpoint variables point their clients at the local engines, so handler code
 * has no local branches.
 */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';
/** s3rver checks signatures against these; the other engines accept any credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export const LOCAL_NAMES = {
  table: 'muster-local',
  uploadsBucket: 'muster-uploads',
  reportsBucket: 'muster-reports',
  eventBus: 'muster-local',
  audience: 'muster-api',
  mailFrom: 'no-reply@muster.local',
  operatorTenantId: 'local',
  operatorEmail: 'operator@muster.local',
} as const;

export interface EngineEndpoints {
  readonly dynamodb: string;
  readonly s3: string;
  readonly ses: string;
  readonly sfn: string;
  readonly eventbridge: string;
}

export interface IssuerEndpoints {
  readonly issuer: string;
  readonly jwksUrl: string;
}

/** Where handlers reach everything: engines, the local issuer, the API front; and the import settings. */
export interface LocalWiring {
  readonly endpoints: EngineEndpoints;
  readonly issuer: IssuerEndpoints;
  /** The API front, e.g. `http://127.0.0.1:3000`; activation links point at `<apiUrl>/activate`. */
  readonly apiUrl: string;
  /** config/iam-bulk-import.yaml with the stack's overrides: the IMPORT_* variables. */
  readonly bulkImport: BulkImportSettings;
  /** config/iam-entitlements.yaml with the stack's overrides: the APPROVAL_* and EXPIRY_* variables. */
  readonly entitlements: EntitlementSettings;
  /** The `$batch` quota: MUSTER_RATE_LIMIT_RPM / MUSTER_TENANT_RATE_LIMIT_RPM of the stack's environment, else the defaults. */
  readonly requestQuota: RequestQuotaSettings;
}

/** The local engine names a state machine after its config name. */
export const LOCAL_BULK_IMPORT_STATE_MACHINE_ARN = stateMachineArn(
  { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
  'BulkImport',
);
export const LOCAL_BATCH_ASSIGN_STATE_MACHINE_ARN = stateMachineArn(
  { region: LOCAL_REGION, accountId: LOCAL_ACCOUNT_ID },
  'BatchAssign',
);

/**
 * Every kind of access some configured handler has: routes, the authorizer, event-rule targets,
 * workflow tasks, object-notification and schedule targets, as CDK deploys them. The local stack
 * sets exactly their variables.
 */
export function configuredAccess(settings: StateMachineSettings): ReadonlySet<ResourceAccess> {
  return new Set([
    ...ROUTES.flatMap((route) => route.access),
    ...AUTHORIZER.access,
    ...EVENT_RULES.flatMap(eventTargetAccess),
    ...stateMachines(settings).flatMap((machine) =>
      Object.values(machine.tasks).flatMap((task) => task.access ?? []),
    ),
    ...OBJECT_NOTIFICATIONS.flatMap((notification) => notification.access),
    ...SCHEDULES.flatMap((schedule) => schedule.target.access),
  ]);
}

type LocalAccessValues = { readonly [K in ResourceAccess]: Record<AccessVariablesOf<K>, string> };

/** The local value of every variable of config/resource-access.ts; the compiler holds this to the list. */
function accessValues(wiring: LocalWiring): Record<AccessVariable, string> {
  const importSettings = bulkImportEnvironment(wiring.bulkImport);
  const entitlementSettings = entitlementEnvironment(wiring.entitlements);
  const quota = requestQuotaEnvironment(wiring.requestQuota);
  const byAccess: LocalAccessValues = {
    'table:read': { TABLE_NAME: LOCAL_NAMES.table },
    'table:write': { TABLE_NAME: LOCAL_NAMES.table },
    'bus:publish': { EVENT_BUS_NAME: LOCAL_NAMES.eventBus },
    'uploads:read': { UPLOADS_BUCKET: LOCAL_NAMES.uploadsBucket },
    'uploads:write': { UPLOADS_BUCKET: LOCAL_NAMES.uploadsBucket },
    'reports:read': { REPORTS_BUCKET: LOCAL_NAMES.reportsBucket },
    'reports:write': { REPORTS_BUCKET: LOCAL_NAMES.reportsBucket },
    'mail:send': {
      MAIL_FROM_ADDRESS: LOCAL_NAMES.mailFrom,
      ACTIVATION_URL_BASE: `${wiring.apiUrl}/activate`,
    },
    'import-settings': {
      IMPORT_BATCH_SIZE: importVariable(importSettings, 'IMPORT_BATCH_SIZE'),
      IMPORT_MAX_ROWS: importVariable(importSettings, 'IMPORT_MAX_ROWS'),
      IMPORT_MAX_FILE_BYTES: importVariable(importSettings, 'IMPORT_MAX_FILE_BYTES'),
      IMPORT_UPLOAD_URL_TTL_SECONDS: importVariable(importSettings, 'IMPORT_UPLOAD_URL_TTL_SECONDS'),
      IMPORT_APPROVAL_ROLES: importVariable(importSettings, 'IMPORT_APPROVAL_ROLES'),
      IMPORT_ACTIVATION_TTL_HOURS: importVariable(importSettings, 'IMPORT_ACTIVATION_TTL_HOURS'),
    },
    'entitlement-settings': {
      APPROVAL_SLA_MINUTES: settingVariable(entitlementSettings, 'APPROVAL_SLA_MINUTES'),
      APPROVAL_MAX_WAIT_HOURS: settingVariable(entitlementSettings, 'APPROVAL_MAX_WAIT_HOURS'),
      EXPIRY_REMINDER_HOURS: settingVariable(entitlementSettings, 'EXPIRY_REMINDER_HOURS'),
    },
    'request-quota': {
      MUSTER_RATE_LIMIT_RPM: quotaVariable(quota, 'MUSTER_RATE_LIMIT_RPM'),
      MUSTER_TENANT_RATE_LIMIT_RPM: quotaVariable(quota, 'MUSTER_TENANT_RATE_LIMIT_RPM'),
    },
    'workflow:BulkImport': { BULK_IMPORT_STATE_MACHINE_ARN: LOCAL_BULK_IMPORT_STATE_MACHINE_ARN },
    'workflow:BatchAssign': { BATCH_ASSIGN_STATE_MACHINE_ARN: LOCAL_BATCH_ASSIGN_STATE_MACHINE_ARN },
    'workflow-callback:BulkImport': {},
    'workflow-callback:BatchAssign': {},
  };
  return Object.assign({}, ...Object.values(byAccess));
}

function importVariable(values: Record<string, string>, name: AccessVariablesOf<'import-settings'>): string {
  const value = values[name];
  if (value === undefined) throw new Error(`bulkImportEnvironment() gives no ${name}`);
  return value;
}

function quotaVariable(values: Record<string, string>, name: AccessVariablesOf<'request-quota'>): string {
  const value = values[name];
  if (value === undefined) throw new Error(`requestQuotaEnvironment() gives no ${name}`);
  return value;
}

function settingVariable(
  values: Record<string, string>,
  name: AccessVariablesOf<'entitlement-settings'>,
): string {
  const value = values[name];
  if (value === undefined) throw new Error(`entitlementEnvironment() gives no ${name}`);
  return value;
}

/**
 * What the terminal shows of the handlers' log records: LOG_LEVEL when the developer set it
 * (`LOG_LEVEL=DEBUG npm start` prints debug), else WARN and above. Handlers log at INFO and
 * publish metrics either way; what is not shown is kept for `GET /_local/logs` and `/_local/metrics`.
 */
export function terminalLogLevel(current: NodeJS.ProcessEnv): LogLevelName | 'SILENT' {
  if (current.LOG_LEVEL?.toUpperCase() === 'SILENT') return 'SILENT';
  return logLevelNamed(current.LOG_LEVEL) ?? 'WARN';
}

/**
 * The environment handed to handlers. Values that wire the stack together are fixed; flags and
 * log settings are defaults that a variable already set in `current` overrides, so
 * `USER_MGMT_CORE=off npm start` turns that flag off.
 *
 * Beyond the SDK's own variables (region, credentials, endpoints) and local Powertools settings, it
 * sets the identity provider, the flags, and the variables of every kind of access some handler is
 * configured with (`access`, by default `configuredAccess()`), named by config/resource-access.ts
 * as CDK names them (test/infra/function-environment.test.ts checks that CDK sets each one too).
 */
export function handlerEnvironment(
  wiring: LocalWiring,
  current: NodeJS.ProcessEnv,
  access: Iterable<ResourceAccess> = configuredAccess(wiring),
): Record<string, string> {
  const { endpoints, issuer } = wiring;
  const values = accessValues(wiring);
  const resources = Object.fromEntries(accessVariables(access).map((name) => [name, values[name]]));
  const defaults: Record<string, string> = {
    ...flagEnvironment(Object.fromEntries(FLAG_NAMES.map((flag) => [flag, true]))),
    // As deployed: INFO logs and EMF metrics, which the stack keeps for /_local/logs and /_local/metrics.
    POWERTOOLS_METRICS_DISABLED: 'false',
    LOG_LEVEL: 'INFO',
  };
  const overridden = Object.fromEntries(
    Object.keys(defaults).flatMap((name) => {
      const value = current[name];
      return value === undefined ? [] : [[name, value]];
    }),
  );
  return {
    ...defaults,
    ...overridden,
    MUSTER_ENV: 'local',
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SFN: endpoints.sfn,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
    ...resources,
    OIDC_ISSUER: issuer.issuer,
    OIDC_JWKS_URL: issuer.jwksUrl,
    OIDC_AUDIENCE: LOCAL_NAMES.audience,
    OPERATOR_TENANT_ID: LOCAL_NAMES.operatorTenantId,
    OPERATOR_EMAIL: LOCAL_NAMES.operatorEmail,
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}
