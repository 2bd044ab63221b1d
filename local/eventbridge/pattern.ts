import type { EventPattern, EventPatternValue } from '../../config/event-rules';

/** The fields of an event that config/event-rules.ts patterns can test. */
export interface MatchableEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail?: unknown;
}

/**
 * EventBridge pattern semantics for what config/event-rules.ts can express: every field the
 * pattern names must match, and a field matches when any one of its values does — a string by
 * equality, `{prefix}` by a case-sensitive prefix. A field the pattern leaves out matches anything.
 */
export function matchesPattern(pattern: EventPattern, event: MatchableEvent): boolean {
  return (
    fieldMatches(pattern.source, event.source) &&
    fieldMatches(pattern['detail-type'], event['detail-type']) &&
    Object.entries(pattern.detail ?? {}).every(([field, allowed]) => {
      const value = detailField(event.detail, field);
      return typeof value === 'string' && fieldMatches(allowed, value);
    })
  );
}

function fieldMatches(allowed: readonly EventPatternValue[] | undefined, value: string): boolean {
  if (allowed === undefined) return true;
  return allowed.some((candidate) =>
    typeof candidate === 'string' ? candidate === value : value.startsWith(candidate.prefix),
  );
}

function detailField(detail: unknown, field: string): unknown {
  return typeof detail === 'object' && detail !== null
    ? (detail as Record<string, unknown>)[field]
    : undefined;
}
