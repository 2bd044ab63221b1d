import { z } from 'zod';

/**
 * How many API requests a minute the `$batch` route lets through, counting each request of a batch
 * (issue 5): per caller and per tenant. Read by CDK (per environment, `muster:rateLimitPerCaller` /
 * `muster:rateLimitPerTenant` context) and by the local stack; Lambdas get them as
 * MUSTER_RATE_LIMIT_RPM / MUSTER_TENANT_RATE_LIMIT_RPM.
 */
export const requestQuotaSchema = z.strictObject({
  perCallerPerMinute: z.number().int().min(1).max(1_000_000),
  perTenantPerMinute: z.number().int().min(1).max(10_000_000),
});
export type RequestQuotaSettings = z.infer<typeof requestQuotaSchema>;

/**
 * 600 a minute is 30 full batches: ample for an admin or a sync job, while one runaway script
 * cannot take the tenant's whole 6,000 (ten such callers at once).
 */
export const DEFAULT_REQUEST_QUOTA: RequestQuotaSettings = {
  perCallerPerMinute: 600,
  perTenantPerMinute: 6000,
};

/** The variables a Lambda with `request-quota` access receives. */
export function requestQuotaEnvironment(settings: RequestQuotaSettings): Record<string, string> {
  return {
    MUSTER_RATE_LIMIT_RPM: String(settings.perCallerPerMinute),
    MUSTER_TENANT_RATE_LIMIT_RPM: String(settings.perTenantPerMinute),
  };
}

/** The settings with MUSTER_RATE_LIMIT_RPM / MUSTER_TENANT_RATE_LIMIT_RPM of `env` over them, when set. */
export function requestQuotaFrom(env: NodeJS.ProcessEnv, base: RequestQuotaSettings): RequestQuotaSettings {
  const number = (name: string) => (env[name] === undefined ? undefined : Number(env[name]));
  return requestQuotaSchema.parse({
    perCallerPerMinute: number('MUSTER_RATE_LIMIT_RPM') ?? base.perCallerPerMinute,
    perTenantPerMinute: number('MUSTER_TENANT_RATE_LIMIT_RPM') ?? base.perTenantPerMinute,
  });
}
