/** The audit page's filters; blank means "not filtered". `from`/`to` are `datetime-local` values. */
export interface AuditFilters {
  readonly targetId: string;
  readonly actorId: string;
  readonly type: string;
  readonly from: string;
  readonly to: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = { targetId: '', actorId: '', type: '', from: '', to: '' };

/**
 * The query of `GET /v1/admin/audit`: blank criteria left out (the route refuses empty ones), and
 * local date-times sent as ISO instants with an offset, which the route requires.
 * `toInstant` converts a `datetime-local` value in the browser's zone (injected so this stays pure).
 */
export function auditQuery(
  filters: AuditFilters,
  toInstant: (local: string) => string,
): Partial<Record<keyof AuditFilters, string>> {
  const query: Partial<Record<keyof AuditFilters, string>> = {};
  for (const key of ['targetId', 'actorId', 'type'] as const) {
    const value = filters[key].trim();
    if (value) query[key] = value;
  }
  if (filters.from) query.from = toInstant(filters.from);
  if (filters.to) query.to = toInstant(filters.to);
  return query;
}

/**
 * A `change` of an audit entry in one line: lists joined (roles), objects as `field: value` (status),
 * anything else as JSON.
 */
export function describeChange(change: { before: unknown; after: unknown } | undefined): string {
  if (!change) return '';
  return `${showValue(change.before)} → ${showValue(change.after)}`;
}

function showValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(showValue).join(', ') || 'none';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([field, inner]) => `${field}: ${showValue(inner)}`)
      .join(', ');
  }
  return JSON.stringify(value) ?? 'none';
}
