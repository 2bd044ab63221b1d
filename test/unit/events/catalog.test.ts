import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  domainEvent,
  EVENT_CATALOG,
  type EventType,
  eventDetailJsonSchema,
} from '../../../functions/shared/events/catalog';
import { domainEventDetailSchema } from '../../../functions/shared/events/domain-event';

const types = Object.keys(EVENT_CATALOG) as EventType[];

describe('event catalog', () => {
  it.each(types)(
    'events/%s.schema.json is generated from the catalog (run npm run events:schemas)',
    (type) => {
      const committed = JSON.parse(readFileSync(`events/${type}.schema.json`, 'utf8'));
      expect(committed).toEqual(eventDetailJsonSchema(type));
    },
  );

  it('has no schema file for an event that is not in the catalog', () => {
    const files = readdirSync('events').filter((name) => name.endsWith('.schema.json'));
    expect(files.sort()).toEqual(types.map((type) => `${type}.schema.json`).sort());
  });

  it('builds events whose detail a consumer can read back', () => {
    const event = domainEvent(
      'iam.user.profile_updated',
      {
        tenantId: 'acme',
        correlationId: 'corr-1',
        actor: { type: 'user', userId: 'u_1', tenantId: 'acme' },
        occurredAt: new Date('2026-11-22T10:00:00Z'),
      },
      { userId: 'u_1', changedFields: ['locale'], version: 2 },
    );
    expect(event.detailType).toBe('iam.user.profile_updated');
    const detail = domainEventDetailSchema.parse(JSON.parse(JSON.stringify(event.detail)));
    expect(detail).toMatchObject({
      eventVersion: 1,
      tenantId: 'acme',
      occurredAt: '2026-11-22T10:00:00.000Z',
    });
    expect(detail.eventId).toMatch(/^evt_[0-9a-z]{26}$/);
    expect(EVENT_CATALOG['iam.user.profile_updated'].data.parse(detail.data)).toEqual({
      userId: 'u_1',
      changedFields: ['locale'],
      version: 2,
    });
  });
});
