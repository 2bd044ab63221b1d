import { describe, expect, it } from 'vitest';
import { auditRecordFrom } from '../../../functions/audit/domain/audit-record';
import type { DomainEventDetail } from '../../../functions/shared/events/domain-event';

const detail = (data: Record<string, unknown>): DomainEventDetail => ({
  eventId: 'evt_1',
  eventVersion: 1,
  occurredAt: '2026-11-22T10:00:00.000Z',
  tenantId: 'acme',
  correlationId: 'corr-1',
  actor: { type: 'user', userId: 'u_admin', tenantId: 'acme' },
  data,
});

describe('auditRecordFrom', () => {
  it('keeps who, what, when and the correlation id', () => {
    expect(
      auditRecordFrom('iam.user.profile_updated', detail({ userId: 'u_2', changedFields: ['locale'] })),
    ).toEqual({
      eventId: 'evt_1',
      action: 'iam.user.profile_updated',
      occurredAt: '2026-11-22T10:00:00.000Z',
      tenantId: 'acme',
      actor: { type: 'user', userId: 'u_admin', tenantId: 'acme' },
      targetId: 'user:u_2',
      correlationId: 'corr-1',
      eventVersion: 1,
      data: { userId: 'u_2', changedFields: ['locale'] },
    });
  });

  it('prefers an explicit target over the user id', () => {
    expect(
      auditRecordFrom('iam.permission.granted', detail({ targetId: 'ent_1', userId: 'u_2' })).targetId,
    ).toBe('ent_1');
  });

  it('has no target when the event names none', () => {
    expect(auditRecordFrom('iam.user.bulk_imported', detail({ succeeded: 3 }))).not.toHaveProperty(
      'targetId',
    );
  });
});
