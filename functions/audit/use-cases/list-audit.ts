import {
  type AuditFilter,
  daysOf,
  decodeAuditCursor,
  encodeAuditCursor,
  matchesAuditFilter,
  positionOf,
  sourceFor,
  toAuditEntry,
  windowFor,
} from '../domain/audit-listing';
import type { AuditRecord } from '../domain/audit-record';

/** One partition of the trail a single query reads, newest first. */
export type AuditPartition =
  | { readonly kind: 'target'; readonly targetId: string }
  | { readonly kind: 'actor'; readonly actorKey: string }
  | { readonly kind: 'day'; readonly day: string };

export interface AuditTrail {
  /** Up to `limit` records of the partition at or after `from` and strictly before `before`, newest first. */
  pageOf(
    tenantId: string,
    partition: AuditPartition,
    range: { from: string; before: string },
    limit: number,
  ): Promise<{ records: AuditRecord[]; more: boolean }>;
}

export const MAX_AUDIT_PAGE = 100;
/** A rare filter answers a short page with a nextToken rather than reading a whole trail in one request. */
export const MAX_AUDIT_EXAMINED = 1000;

export interface AuditQuery {
  readonly limit: number;
  readonly nextToken?: string;
  readonly filter: AuditFilter;
  readonly from?: Date;
  readonly to?: Date;
}

/**
 * `GET /v1/admin/audit`: a page of the tenant's trail, newest first, from the one partition that
 * serves the filter (target, else actor, else day by day). The token is the last record read, so
 * following it walks every match once.
 */
export async function listAudit(deps: { trail: AuditTrail }, tenantId: string, query: AuditQuery, now: Date) {
  const source = sourceFor(query.filter);
  const window = windowFor(source, query, now);
  const cursor = query.nextToken !== undefined ? decodeAuditCursor(query.nextToken) : undefined;
  let before = cursor !== undefined && cursor < window.to ? cursor : window.to;
  const partitions: AuditPartition[] =
    source.kind === 'tenant' ? daysOf(window, before).map((day) => ({ kind: 'day', day })) : [source];
  const filtersWhileReading =
    query.filter.type !== undefined || (source.kind === 'target' && query.filter.actorId !== undefined);
  const readSize = filtersWhileReading ? MAX_AUDIT_PAGE : query.limit;
  const items: AuditRecord[] = [];
  let examined = 0;
  for (const [partitionIndex, partition] of partitions.entries()) {
    for (;;) {
      const page = await deps.trail.pageOf(tenantId, partition, { from: window.from, before }, readSize);
      for (const [index, record] of page.records.entries()) {
        examined += 1;
        before = positionOf(record);
        if (!matchesAuditFilter(record, query.filter)) continue;
        items.push(record);
        if (items.length === query.limit) {
          const endOfTrail =
            partitionIndex === partitions.length - 1 && !page.more && index === page.records.length - 1;
          return listing(items, endOfTrail ? undefined : before);
        }
      }
      if (examined >= MAX_AUDIT_EXAMINED && (page.more || partitionIndex < partitions.length - 1)) {
        return listing(items, before);
      }
      if (!page.more) break;
    }
  }
  return listing(items, undefined);
}

function listing(records: readonly AuditRecord[], next: string | undefined) {
  return {
    items: records.map(toAuditEntry),
    ...(next !== undefined ? { nextToken: encodeAuditCursor(next) } : {}),
  };
}
