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
): DomainEvent {
  return {
    detailType: type,
    detail: {
      eventId: `evt_${ulid().toLowerCase()}`,
      eventVersion: EVENT_CATALOG[type].version,
      occurredAt: context.occurredAt.toISOString(),
      tenantId: context.tenantId,
      correlationId: context.correlationId,
      actor: context.actor,
      data,
    },
  };
}
