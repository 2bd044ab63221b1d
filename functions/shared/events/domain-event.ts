import { ulid } from 'ulid';
import { EVENT_SOURCE } from '../../../config/event-rules';

export { EVENT_SOURCE };

/** Who caused an event: a user of a tenant, or Muster itself (migrations, schedules, workflows). */
export type EventActor =
  | { readonly type: 'user'; readonly userId: string; readonly tenantId: string }
  | { readonly type: 'system'; readonly component: string };

/**
 * Every event Muster puts on the bus has this detail: a versioned envelope with the tenant, the
 * correlation id of the request that caused it and the actor, then the event's own data.
 * Schemas: events/*.schema.json.
 */
export interface DomainEvent<TData extends Record<string, unknown> = Record<string, unknown>> {
  readonly detailType: string;
  readonly detail: {
    readonly eventId: string;
    readonly eventVersion: number;
    readonly occurredAt: string;
    readonly tenantId: string;
    readonly correlationId: string;
    readonly actor: EventActor;
    readonly data: TData;
  };
}

export function domainEvent<TData extends Record<string, unknown>>(
  detailType: string,
  context: { tenantId: string; correlationId: string; actor: EventActor; occurredAt: Date },
  data: TData,
  eventVersion = 1,
): DomainEvent<TData> {
  return {
    detailType,
    detail: {
      eventId: `evt_${ulid().toLowerCase()}`,
      eventVersion,
      occurredAt: context.occurredAt.toISOString(),
      tenantId: context.tenantId,
      correlationId: context.correlationId,
      actor: context.actor,
      data,
    },
  };
}
