import { ulid } from 'ulid';
import { z } from 'zod';
import { type DomainEvent, domainEventDetailSchema, type EventActor } from './domain-event';

/**
 * Every event type Muster publishes, with the schema of its `data` and its current version.
 * `events/*.schema.json` is generated from here (`npm run events:schemas`) and a test fails
 * when the two drift apart.
 */
export const EVENT_CATALOG = {
  'iam.user.profile_updated': {
    version: 1,
    description: 'A user changed their own profile. Names the changed fields, never their values.',
    data: z.object({
      userId: z.string(),
      changedFields: z.array(z.string()),
      version: z.number().int(),
    }),
  },
  'iam.user.created': {
    version: 1,
    description: 'A user was created. `source` says how: a bulk import (task and spreadsheet row) for now.',
    data: z.object({
      userId: z.string(),
      status: z.enum(['INVITED', 'ACTIVE']),
      roles: z.array(z.string()),
      rolesPendingApproval: z.array(z.string()),
      source: z.object({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number().int() }),
    }),
  },
  'iam.user.bulk_imported': {
    version: 1,
    description: 'A bulk import run finished (seed 000). Carries the counts; never personal data.',
    data: z.object({
      taskId: z.string(),
      run: z.number().int(),
      status: z.enum(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']),
      counts: z.object({
        total: z.number().int(),
        valid: z.number().int(),
        invalid: z.number().int(),
        succeeded: z.number().int(),
        failed: z.number().int(),
        pendingApproval: z.number().int(),
        notified: z.number().int(),
      }),
      durationSeconds: z.number(),
    }),
  },
  'iam.bundle.changed': {
    version: 1,
    description:
      'A permission bundle was created, replaced or deleted (seed 001). `targetId` is `bundle:<bundleId>` for the audit trail.',
    data: z.object({
      targetId: z.string(),
      bundleId: z.string(),
      change: z.enum(['created', 'replaced', 'deleted']),
      version: z.number().int(),
      risk: z.enum(['low', 'medium', 'high']),
      roles: z.array(z.string()),
      permissions: z.array(z.string()),
    }),
  },
} as const;

export type EventType = keyof typeof EVENT_CATALOG;

/** The JSON Schema of an event's full detail: the envelope with this type's data. */
export function eventDetailJsonSchema(type: EventType): Record<string, unknown> {
  const entry = EVENT_CATALOG[type];
  return {
    $id: `https://muster.dev/events/${type}.schema.json`,
    title: type,
    description: entry.description,
    ...z.toJSONSchema(
      domainEventDetailSchema.extend({ eventVersion: z.literal(entry.version), data: entry.data }),
    ),
  };
}

export type EventData<TType extends EventType> = z.infer<(typeof EVENT_CATALOG)[TType]['data']>;

/** Builds an event of a catalogued type: the compiler holds `data` to the type's schema, the catalog sets the version. */
export function domainEvent<TType extends EventType>(
  type: TType,
  context: { tenantId: string; correlationId: string; actor: EventActor; occurredAt: Date },
  data: EventData<TType>,
  /**
   * For an event a retry may publish again (a redriven batch), a stable id derived from what it
   * is about, so consumers see one event, not two.
   */
  eventId = `evt_${ulid().toLowerCase()}`,
): DomainEvent {
  return {
    detailType: type,
    detail: {
      eventId,
      eventVersion: EVENT_CATALOG[type].version,
      occurredAt: context.occurredAt.toISOString(),
      tenantId: context.tenantId,
      correlationId: context.correlationId,
      actor: context.actor,
      data,
    },
  };
}
