import { FLAG_NAMES, flagEnvironment } from '../functions/shared/flags';

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

/**
 * The environment handed to handlers. Values that wire the stack together are fixed; flags and
 * log settings are defaults that a variable already set in `current` overrides, so
 * `USER_MGMT_CORE=off npm start` turns that flag off.
 *
 * Beyond the SDK's own variables (region, credentials, endpoints) and local Powertools settings,
 * it names only what some handler reads and CDK also sets (test/infra/function-environment.test.ts
 * checks both): a bucket or sender address joins here when a handler starts reading it.
 */
export function handlerEnvironment(
  endpoints: EngineEndpoints,
  issuer: IssuerEndpoints,
  current: NodeJS.ProcessEnv,
): Record<string, string> {
  const defaults: Record<string, string> = {
    ...flagEnvironment(Object.fromEntries(FLAG_NAMES.map((flag) => [flag, true]))),
    POWERTOOLS_METRICS_DISABLED: 'true',
    LOG_LEVEL: 'WARN',
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
    TABLE_NAME: LOCAL_NAMES.table,
    EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    OIDC_ISSUER: issuer.issuer,
    OIDC_JWKS_URL: issuer.jwksUrl,
    OIDC_AUDIENCE: LOCAL_NAMES.audience,
    OPERATOR_TENANT_ID: LOCAL_NAMES.operatorTenantId,
    OPERATOR_EMAIL: LOCAL_NAMES.operatorEmail,
    POWERTOOLS_TRACE_ENABLED: 'false',
  };
}
