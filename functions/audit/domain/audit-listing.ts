import { z } from 'zod';
import { BadRequestError } from '../../shared/errors';
import { pageToken } from '../../shared/http/page-token';
import type { AuditRecord } from './audit-record';

/**
 * Where the records of a listing come from, one per access pattern of the audit table: a target's
 * trail (GSI2), an actor's (GSI1), or the tenant's whole trail, one partition a day.
 */
export type AuditSource =
  | { readonly kind: 'target'; readonly targetId: string }
  | { readonly kind: 'actor'; readonly actorKey: string }
  | { readonly kind: 'tenant' };

/** What `GET /v1/admin/audit` narrows the trail by; every given criterion must hold. */
export interface AuditFilter {
  readonly targetId?: string;
  /** A user id, or `system:<component>` for what Muster did by itself. */
  readonly actorId?: string;
  /** A prefix of the event type, e.g. `iam.user.` or `iam.user.deactivated`. */
  readonly type?: string;
}

/** The time window, `from` inclusive and `to` exclusive, as ISO instants in the records' format. */
export interface AuditWindow {
  readonly from: string;
  readonly to: string;
}

export const MAX_TENANT_WINDOW_DAYS = 31;
export const DEFAULT_TENANT_WINDOW_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A target's or an actor's trail is one index partition; only the whole tenant trail needs a window. */
export function sourceFor(filter: AuditFilter): AuditSource {
  if (filter.targetId !== undefined) return { kind: 'target', targetId: filter.targetId };
  if (filter.actorId !== undefined) return { kind: 'actor', actorKey: filter.actorId };
  return { kind: 'tenant' };
}

/**
 * Settles the window. Read by target or actor, an open end is the start (or end) of time. The
 * tenant's trail is read one day partition at a time, so its window is bounded: `from` defaults to
 * a week before `to`, and a wider window than a month is refused rather than read day by empty day.
 */
export function windowFor(
  source: AuditSource,
  requested: { from?: Date; to?: Date },
  now: Date,
): AuditWindow {
  if (requested.from && requested.to && requested.from >= requested.to) {
    throw new BadRequestError('INVALID_AUDIT_WINDOW', '`from` must be before `to`.');
  }
  if (source.kind !== 'tenant') {
    return {
      from: requested.from?.toISOString() ?? '0000',
      to: requested.to?.toISOString() ?? '9999',
    };
  }
  const to = requested.to ?? now;
  const from = requested.from ?? new Date(to.getTime() - DEFAULT_TENANT_WINDOW_DAYS * DAY_MS);
  if (to.getTime() - from.getTime() > MAX_TENANT_WINDOW_DAYS * DAY_MS) {
    throw new BadRequestError(
      'AUDIT_WINDOW_TOO_WIDE',
      `Without targetId or actorId the window from \`from\` to \`to\` may span at most ${MAX_TENANT_WINDOW_DAYS} days; narrow it, or filter by targetId or actorId.`,
    );
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

/** The days of the tenant's trail the window covers, newest first (`YYYY-MM-DD`). */
export function daysOf(window: AuditWindow, before?: string): string[] {
  const last = new Date(`${(before ?? window.to).slice(0, 10)}T00:00:00.000Z`);
  const first = new Date(`${window.from.slice(0, 10)}T00:00:00.000Z`);
  const days: string[] = [];
  for (let day = last; day >= first; day = new Date(day.getTime() - DAY_MS)) {
    days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

/** The filters the chosen source does not serve by itself, applied to each record read. */
export function matchesAuditFilter(record: AuditRecord, filter: AuditFilter): boolean {
  if (filter.targetId !== undefined && record.targetId !== filter.targetId) return false;
  if (filter.actorId !== undefined && actorKeyOf(record) !== filter.actorId) return false;
  if (filter.type !== undefined && !record.action.startsWith(filter.type)) return false;
  return true;
}

/** How the trail names an actor: the user id, or `system:<component>`. */
export function actorKeyOf(record: Pick<AuditRecord, 'actor'>): string {
  return record.actor.type === 'user' ? record.actor.userId : `system:${record.actor.component}`;
}

/** The sort key every access pattern shares; the listing runs newest first, and a page ends before it. */
export function positionOf(record: Pick<AuditRecord, 'occurredAt' | 'eventId'>): string {
  return `${record.occurredAt}#${record.eventId}`;
}

const auditCursor = pageToken(
  z.strictObject({
    before: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T[^#]+#.+$/)
      .max(200),
  }),
);

export function encodeAuditCursor(before: string): string {
  return auditCursor.encode({ before });
}

export function decodeAuditCursor(token: string): string {
  return auditCursor.decode(token).before;
}

/**
 * What a change did, where the event carries it: roles before and after, or the status a
 * deactivation or reactivation left. Profile updates name fields only, never their values.
 */
export function changeOf(record: AuditRecord): { before: unknown; after: unknown } | undefined {
  const { data } = record;
  if ('before' in data && 'after' in data) return { before: data.before, after: data.after };
  if (record.action === 'iam.user.deactivated' && typeof data.previousStatus === 'string') {
    return { before: { status: data.previousStatus }, after: { status: 'DEACTIVATED' } };
  }
  if (record.action === 'iam.user.reactivated') {
    return { before: { status: 'DEACTIVATED' }, after: { status: 'ACTIVE' } };
  }
  return undefined;
}

/** One entry as the API shows it: who did what to whom, when, from which request. */
export const auditEntrySchema = z.object({
  eventId: z.string(),
  type: z.string().describe('The event type, e.g. `iam.user.roles_changed`.'),
  occurredAt: z.iso.datetime(),
  actor: z.discriminatedUnion('type', [
    z.object({ type: z.literal('user'), userId: z.string() }),
    z.object({ type: z.literal('system'), component: z.string() }),
  ]),
  targetId: z.string().optional().describe('`user:<userId>` or `approval:<approvalId>`.'),
  correlationId: z.string().describe('The request that caused it.'),
  change: z
    .object({ before: z.unknown(), after: z.unknown() })
    .optional()
    .describe('Where the event carries it: roles, or status.'),
  data: z.record(z.string(), z.unknown()).describe("The event's data: ids, never personal data in clear."),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

export function toAuditEntry(record: AuditRecord): AuditEntry {
  const change = changeOf(record);
  return {
    eventId: record.eventId,
    type: record.action,
    occurredAt: record.occurredAt,
    actor:
      record.actor.type === 'user'
        ? { type: 'user' as const, userId: record.actor.userId }
        : { type: 'system' as const, component: record.actor.component },
    ...(record.targetId !== undefined ? { targetId: record.targetId } : {}),
    correlationId: record.correlationId,
    ...(change ? { change } : {}),
    data: record.data,
  };
}
