import type { DomainEventDetail, EventActor } from '../../shared/events/domain-event';

/** One entry of a tenant's audit trail: what happened, who did it, to whom, and in which request. */
export interface AuditRecord {
  readonly eventId: string;
  readonly action: string;
  readonly occurredAt: string;
  readonly tenantId: string;
  readonly actor: EventActor;
  /**
   * What the action was about, when the event names it: the event's own `targetId`
   * (`approval:<id>`, `user:<id>`), else `user:<userId>`, so one user's trail is one key.
   */
  readonly targetId?: string;
  readonly correlationId: string;
  readonly eventVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export function auditRecordFrom(action: string, detail: DomainEventDetail): AuditRecord {
  const { targetId, userId } = detail.data;
  const target = targetId ?? (typeof userId === 'string' ? `user:${userId}` : undefined);
  return {
    eventId: detail.eventId,
    action,
    occurredAt: detail.occurredAt,
    tenantId: detail.tenantId,
    actor: detail.actor,
    ...(typeof target === 'string' ? { targetId: target } : {}),
    correlationId: detail.correlationId,
    eventVersion: detail.eventVersion,
    data: detail.data,
  };
}
