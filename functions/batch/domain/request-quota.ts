/**
 * The `$batch` rate limit (issue 5): every sub-request counts against its caller's and its tenant's
 * requests per minute. Fixed one-minute windows keep it to one atomic counter update per limit;
 * a burst across a window edge may reach twice the limit, which API Gateway's token-bucket
 * throttling, the outer guard in AWS, bounds.
 */
export const QUOTA_WINDOW_SECONDS = 60;

export interface QuotaLimits {
  /** Requests a minute one caller may make (`MUSTER_RATE_LIMIT_RPM`). */
  readonly perCaller: number;
  /** Requests a minute all callers of a tenant may make together (`MUSTER_TENANT_RATE_LIMIT_RPM`). */
  readonly perTenant: number;
}

export interface QuotaWindow {
  /** The window's first second, epoch seconds: the counters' key. */
  readonly startsAt: number;
  /** Seconds from `now` until the next window opens, at least 1: the `Retry-After` of a refusal. */
  readonly resetsInSeconds: number;
}

export function quotaWindow(now: Date): QuotaWindow {
  const nowSeconds = now.getTime() / 1000;
  const startsAt = Math.floor(nowSeconds / QUOTA_WINDOW_SECONDS) * QUOTA_WINDOW_SECONDS;
  return { startsAt, resetsInSeconds: Math.max(1, Math.ceil(startsAt + QUOTA_WINDOW_SECONDS - nowSeconds)) };
}

/** Whose counter a request is charged to. */
export type QuotaScope = 'caller' | 'tenant';

/**
 * How many of the `requested` sub-requests fit under `limit`, given the counter once they were
 * added to it. Concurrent envelopes each see their own total, so together they never admit more
 * than the limit allows.
 */
export function withinLimit(requested: number, countAfter: number, limit: number): number {
  return Math.min(requested, Math.max(0, limit - (countAfter - requested)));
}
