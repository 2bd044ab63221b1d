import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { engineClientConfig } from '../support/api';

const apiUrl = inject('apiUrl');
const env = inject('env');

const client = new EventBridgeClient(engineClientConfig('eventbridge'));
afterAll(() => client.destroy());

const recordedSchema = z.array(
  z.object({
    id: z.string(),
    'detail-type': z.string(),
    source: z.string(),
    detail: z.record(z.string(), z.unknown()),
    time: z.string(),
    tenantId: z.string().optional(),
    deliveries: z.array(z.object({ rule: z.string(), status: z.string(), attempts: z.number() })),
  }),
);

async function recordedEvents(query = '') {
  const response = await fetch(`${apiUrl}/_local/events${query}`);
  return recordedSchema.parse(await response.json());
}

function domainEvent(detailType: string, tenantId: string): PutEventsRequestEntry {
  return {
    EventBusName: env.EVENT_BUS_NAME,
    Source: 'muster.iam',
    DetailType: detailType,
    Detail: JSON.stringify({
      eventId: randomUUID(),
      eventVersion: 1,
      occurredAt: new Date().toISOString(),
      tenantId,
      correlationId: `bus-${randomUUID()}`,
      actor: { type: 'system', component: 'local-stack-test' },
      data: { userId: 'u_test' },
    }),
  };
}

describe('the local EventBridge bus', () => {
  it('routes an iam.* event to the audit writer and lists it on /_local/events', async () => {
    const tenantId = `bus-${randomUUID()}`;
    const result = await client.send(
      new PutEventsCommand({ Entries: [domainEvent('iam.user.created', tenantId)] }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    expect(eventId).toBeTruthy();

    const events = await recordedEvents('?detailType=iam.user.created');
    const event = events.find((candidate) => candidate.id === eventId);
    expect(event).toMatchObject({
      'detail-type': 'iam.user.created',
      source: 'muster.iam',
      tenantId,
      detail: { tenantId, data: { userId: 'u_test' } },
      deliveries: [{ rule: 'AuditTrail', status: 'delivered', attempts: 1 }],
    });
    expect(events.every((candidate) => candidate['detail-type'] === 'iam.user.created')).toBe(true);
  });

  it('records an event no rule matches without delivering it', async () => {
    const entry = { ...domainEvent('workspace.renamed', 'no-rule'), Source: 'muster.other' };
    const result = await client.send(new PutEventsCommand({ Entries: [entry] }));
    const events = await recordedEvents();
    expect(events.find((event) => event.id === result.Entries?.[0]?.EventId)?.deliveries).toEqual([]);
  });

  it('fails bad entries one by one, as PutEvents does, and puts the good ones', async () => {
    const good = domainEvent('iam.user.updated', `bus-${randomUUID()}`);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          good,
          { ...good, DetailType: undefined },
          { ...good, Detail: '{not json' },
          { ...good, EventBusName: 'some-other-bus' },
          { ...good, EventBusName: undefined },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(4);
    expect(result.Entries?.[0]?.EventId).toBeTruthy();
    expect(result.Entries?.slice(1).map((entry) => entry.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'ResourceNotFoundException',
      'ResourceNotFoundException',
    ]);
  });
});
