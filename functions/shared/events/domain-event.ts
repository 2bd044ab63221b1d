import { z } from 'zod';
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

/** The envelope as a consumer reads it back off the bus. */
export const domainEventDetailSchema = z.object({
  eventId: z.string().min(1),
  eventVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  tenantId: z.string().min(1),
  correlationId: z.string().min(1),
  actor: z.discriminatedUnion('type', [
    z.object({ type: z.literal('user'), userId: z.string(), tenantId: z.string() }),
    z.object({ type: z.literal('system'), component: z.string() }),
  ]),
  data: z.record(z.string(), z.unknown()),
});
export type DomainEventDetail = z.infer<typeof domainEventDetailSchema>;
