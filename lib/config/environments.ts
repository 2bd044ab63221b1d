import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import {
  type BulkImportSettings,
  bulkImportSettingsSchema,
  loadBulkImportSettings,
} from '../../config/bulk-import-settings';
import { entitlementSettingsSchema, loadEntitlementSettings } from '../../config/entitlement-settings';
import { DEFAULT_REQUEST_QUOTA, requestQuotaSchema } from '../../config/request-quota';
import { FLAG_NAMES, type FlagName } from '../../functions/shared/flags';

export const ENVIRONMENT_NAMES = ['dev', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

/** The CDK context keys that choose and adjust an environment (`-c key=value`, or `context` in cdk.json). */
export const CONTEXT_KEYS = {
  environment: 'muster:environment',
  flags: 'muster:flags',
  oidcIssuer: 'muster:oidcIssuer',
  oidcJwksUrl: 'muster:oidcJwksUrl',
  oidcAudience: 'muster:oidcAudience',
  operatorTenantId: 'muster:operatorTenantId',
  operatorEmail: 'muster:operatorEmail',
  allowedOrigins: 'muster:allowedOrigins',
  throttleRateLimit: 'muster:throttleRateLimit',
  throttleBurstLimit: 'muster:throttleBurstLimit',
  logLevel: 'muster:logLevel',
  alarmEmail: 'muster:alarmEmail',
  mailFromAddress: 'muster:mailFromAddress',
  sesIdentity: 'muster:sesIdentity',
  activationUrlBase: 'muster:activationUrlBase',
  bulkImport: 'muster:bulkImport',
  rateLimitPerCaller: 'muster:rateLimitPerCaller',
  rateLimitPerTenant: 'muster:rateLimitPerTenant',
} as const;

const flagSetSchema = z.strictObject(
  Object.fromEntries(FLAG_NAMES.map((flag) => [flag, z.boolean()])) as Record<FlagName, z.ZodBoolean>,
);

/**
 * Transactional mail (SESv2). `sesIdentity` is the verified SES identity that authorizes the sender:
 * the from address's domain, or the address itself. Lambdas with `mail:send` may send as that
 * identity and no other.
 */
const mailSettingsSchema = z
  .strictObject({
    fromAddress: z.email(),
    sesIdentity: z.string().trim().min(1),
    /** Where a welcome email's activation link points; the token is appended by the notifier. */
    activationUrlBase: z.url({ protocol: /^https?$/ }),
  })
  .refine(
    ({ fromAddress, sesIdentity }) => {
      const identity = sesIdentity.toLowerCase();
      const address = fromAddress.toLowerCase();
      return identity.includes('@') ? address === identity : address.endsWith(`@${identity}`);
    },
    {
      message: 'fromAddress must be the SES identity itself or an address of its domain',
      path: ['fromAddress'],
    },
  );

/**
 * An environment's changes to config/iam-bulk-import.yaml: any subset of its keys (`retry` too,
 * key by key), validated again as a whole once merged.
 */
export const bulkImportOverridesSchema = bulkImportSettingsSchema.partial().extend({
  retry: bulkImportSettingsSchema.shape.retry.partial().optional(),
});
export type BulkImportOverrides = z.infer<typeof bulkImportOverridesSchema>;

/** The merged object is validated with the rest of the settings, so a bad result names `bulkImport.<key>`. */
function mergeBulkImport(base: BulkImportSettings, overrides: BulkImportOverrides): unknown {
  return { ...base, ...overrides, retry: { ...base.retry, ...overrides.retry } };
}

export const environmentSettingsSchema = z.strictObject({
  name: z.enum(ENVIRONMENT_NAMES),
  flags: flagSetSchema,
  oidc: z.strictObject({ issuer: z.url(), jwksUrl: z.url(), audience: z.string().trim().min(1) }),
  /** The tenant and first administrator the migrations seed, so a new deployment can be signed in to. */
  operator: z.strictObject({ tenantId: z.string().trim().min(1), email: z.email() }),
  /** Browser origins of the admin console: API Gateway CORS (with credentials) and the uploads bucket CORS. */
  allowedOrigins: z.array(z.url()).min(1),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  logRetention: z.enum(RetentionDays),
  eventArchiveRetentionDays: z.number().int().positive(),
  throttling: z.strictObject({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }),
  /** `customer-managed` puts the table and buckets under a KMS key this stack owns (rotated yearly). */
  dataEncryption: z.enum(['aws-managed', 'customer-managed']),
  /** Deletion protection and RETAIN on everything that holds data; off where environments are disposable. */
  retainData: z.boolean(),
  alarmEmail: z.email().optional(),
  mail: mailSettingsSchema,
  /** config/iam-bulk-import.yaml with this environment's overrides: IMPORT_* variables and the import state machine. */
  bulkImport: bulkImportSettingsSchema,
  /** config/iam-entitlements.yaml: APPROVAL_* and EXPIRY_* variables. */
  entitlements: entitlementSettingsSchema,
  /** The `$batch` quota: MUSTER_RATE_LIMIT_RPM and MUSTER_TENANT_RATE_LIMIT_RPM. */
  requestQuota: requestQuotaSchema,
});
export type EnvironmentSettings = z.infer<typeof environmentSettingsSchema>;

function allFlags(on: boolean): Record<FlagName, boolean> {
  return Object.fromEntries(FLAG_NAMES.map((flag) => [flag, on])) as Record<FlagName, boolean>;
}

/**
 * The committed settings of each environment. OIDC, operator and mail values are placeholders until
 * the identity provider and the SES identity of each environment exist; override them with context
 * (see docs/infrastructure.md).
 */
export const ENVIRONMENTS: Readonly<Record<EnvironmentName, EnvironmentSettings>> = {
  dev: {
    name: 'dev',
    flags: allFlags(true),
    oidc: {
      issuer: 'https://auth.dev.muster.example.com',
      jwksUrl: 'https://auth.dev.muster.example.com/.well-known/jwks.json',
      audience: 'muster-api',
    },
    operator: { tenantId: 'operator', email: 'operator@dev.muster.example.com' },
    allowedOrigins: ['http://localhost:5173', 'https://admin.dev.muster.example.com'],
    logLevel: 'DEBUG',
    logRetention: RetentionDays.ONE_MONTH,
    eventArchiveRetentionDays: 30,
    throttling: { rateLimit: 50, burstLimit: 100 },
    dataEncryption: 'aws-managed',
    retainData: false,
    mail: {
      fromAddress: 'no-reply@dev.muster.example.com',
      sesIdentity: 'dev.muster.example.com',
      activationUrlBase: 'https://admin.dev.muster.example.com/activate',
    },
    bulkImport: loadBulkImportSettings(),
    entitlements: loadEntitlementSettings(),
    requestQuota: DEFAULT_REQUEST_QUOTA,
  },
  prod: {
    name: 'prod',
    // Seed 003 rollout plan: user management ships dark and is switched on phase by phase.
    flags: {
      ...allFlags(true),
      user_mgmt_core: false,
      user_mgmt_ui: false,
      user_mgmt_enforce: false,
      oidc_auto_provision_users: false,
    },
    oidc: {
      issuer: 'https://auth.muster.example.com',
      jwksUrl: 'https://auth.muster.example.com/.well-known/jwks.json',
      audience: 'muster-api',
    },
    operator: { tenantId: 'operator', email: 'operator@muster.example.com' },
    allowedOrigins: ['https://admin.muster.example.com'],
    logLevel: 'INFO',
    logRetention: RetentionDays.ONE_YEAR,
    eventArchiveRetentionDays: 365,
    throttling: { rateLimit: 200, burstLimit: 400 },
    dataEncryption: 'customer-managed',
    retainData: true,
    mail: {
      fromAddress: 'no-reply@muster.example.com',
      sesIdentity: 'muster.example.com',
      activationUrlBase: 'https://admin.muster.example.com/activate',
    },
    bulkImport: loadBulkImportSettings(),
    entitlements: loadEntitlementSettings(),
    requestQuota: DEFAULT_REQUEST_QUOTA,
  },
};

/** Reads one context value; `App.node.tryGetContext` in the CDK app, a plain lookup in tests. */
export type ContextReader = (key: string) => unknown;

/** `-c key=value` always yields a string, cdk.json may hold the real JSON type: accept both. */
function parseJsonContext(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new Error(`Context ${key} must be JSON, got: ${value}`);
  }
}

/** Flag names to values; whether each name and value is valid is the settings schema's call. */
const flagOverridesSchema = z.record(z.string(), z.unknown());

function parseFlagOverrides(value: unknown): Record<string, unknown> {
  const parsed = flagOverridesSchema.safeParse(parseJsonContext(CONTEXT_KEYS.flags, value));
  if (!parsed.success) {
    throw new Error(
      `Context ${CONTEXT_KEYS.flags} must be a JSON object of flag names to booleans, got: ${JSON.stringify(value)}`,
    );
  }
  return parsed.data;
}

function parseBulkImportOverrides(value: unknown): BulkImportOverrides {
  const parsed = bulkImportOverridesSchema.safeParse(parseJsonContext(CONTEXT_KEYS.bulkImport, value));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(
      `Context ${CONTEXT_KEYS.bulkImport} must be a JSON object of config/iam-bulk-import.yaml settings: ${problems.join('; ')}`,
    );
  }
  return parsed.data;
}

function parseListContext(key: string, value: unknown): unknown {
  if (typeof value === 'string' && !value.trim().startsWith('[')) {
    return value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }
  return parseJsonContext(key, value);
}

function parseNumberContext(value: unknown): unknown {
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
}

export function environmentNameFromContext(readContext: ContextReader): EnvironmentName {
  const value = readContext(CONTEXT_KEYS.environment) ?? 'dev';
  const parsed = z.enum(ENVIRONMENT_NAMES).safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `Context ${CONTEXT_KEYS.environment} must be one of ${ENVIRONMENT_NAMES.join('|')}, got: ${value}`,
    );
  }
  return parsed.data;
}

/**
 * The settings of the environment named by `muster:environment`, with any context overrides applied
 * on top of the committed values and the result validated as a whole.
 */
export function loadEnvironmentSettings(readContext: ContextReader): EnvironmentSettings {
  const base = ENVIRONMENTS[environmentNameFromContext(readContext)];
  const read = (key: string): unknown => readContext(key) ?? undefined;
  const flagOverrides = read(CONTEXT_KEYS.flags);
  const candidate = {
    ...base,
    flags: {
      ...base.flags,
      ...(flagOverrides === undefined ? {} : parseFlagOverrides(flagOverrides)),
    },
    oidc: {
      issuer: read(CONTEXT_KEYS.oidcIssuer) ?? base.oidc.issuer,
      jwksUrl: read(CONTEXT_KEYS.oidcJwksUrl) ?? base.oidc.jwksUrl,
      audience: read(CONTEXT_KEYS.oidcAudience) ?? base.oidc.audience,
    },
    operator: {
      tenantId: read(CONTEXT_KEYS.operatorTenantId) ?? base.operator.tenantId,
      email: read(CONTEXT_KEYS.operatorEmail) ?? base.operator.email,
    },
    allowedOrigins:
      read(CONTEXT_KEYS.allowedOrigins) === undefined
        ? base.allowedOrigins
        : parseListContext(CONTEXT_KEYS.allowedOrigins, read(CONTEXT_KEYS.allowedOrigins)),
    throttling: {
      rateLimit: parseNumberContext(read(CONTEXT_KEYS.throttleRateLimit)) ?? base.throttling.rateLimit,
      burstLimit: parseNumberContext(read(CONTEXT_KEYS.throttleBurstLimit)) ?? base.throttling.burstLimit,
    },
    logLevel: read(CONTEXT_KEYS.logLevel) ?? base.logLevel,
    alarmEmail: read(CONTEXT_KEYS.alarmEmail) ?? base.alarmEmail,
    mail: {
      fromAddress: read(CONTEXT_KEYS.mailFromAddress) ?? base.mail.fromAddress,
      sesIdentity: read(CONTEXT_KEYS.sesIdentity) ?? base.mail.sesIdentity,
      activationUrlBase: read(CONTEXT_KEYS.activationUrlBase) ?? base.mail.activationUrlBase,
    },
    bulkImport:
      read(CONTEXT_KEYS.bulkImport) === undefined
        ? base.bulkImport
        : mergeBulkImport(base.bulkImport, parseBulkImportOverrides(read(CONTEXT_KEYS.bulkImport))),
    requestQuota: {
      perCallerPerMinute:
        parseNumberContext(read(CONTEXT_KEYS.rateLimitPerCaller)) ?? base.requestQuota.perCallerPerMinute,
      perTenantPerMinute:
        parseNumberContext(read(CONTEXT_KEYS.rateLimitPerTenant)) ?? base.requestQuota.perTenantPerMinute,
    },
  };
  const result = environmentSettingsSchema.safeParse(candidate);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid settings for environment ${base.name}: ${problems.join('; ')}`);
  }
  return result.data;
}
