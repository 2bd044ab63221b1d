import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventPublisher } from '../../../../functions/shared/aws/event-publisher';
import type { DomainEvent } from '../../../../functions/shared/events/domain-event';

// The local bus rejects entries only when its faults are armed; AWS answers these on its own.
const eventBridge = new EventBridgeClient({ region: 'eu-west-1' });
const mock = mockClient(eventBridge);
afterEach(() => mock.reset());

function publisherWith(waits: number[] = []) {
  return new EventPublisher(eventBridge, 'muster-bus', {
    retryDelaysMs: [10, 20, 40],
    wait: async (milliseconds) => {
      waits.push(milliseconds);
    },
  });
}

function event(n: number): DomainEvent {
  return {
    detailType: 'iam.user.created',
    detail: {
      eventId: `evt_${n}`,
      eventVersion: 1,
      occurredAt: '2026-01-01T00:00:00.000Z',
      tenantId: 'acme',
      correlationId: 'corr-1',
      actor: { type: 'system', component: 'test' },
      data: { n },
    },
  };
}

/** The event ids each PutEvents call carried, call by call. */
function sentIds(): string[][] {
  return mock
    .commandCalls(PutEventsCommand)
    .map((call) =>
      (call.args[0].input.Entries ?? []).map((entry) => JSON.parse(entry.Detail ?? '{}').eventId),
    );
}

/** A PutEvents answer rejecting the entries at `failing` positions (of `size`) with InternalFailure. */
function answer(size: number, failing: readonly number[]): PutEventsCommandOutput {
  return {
    FailedEntryCount: failing.length,
    Entries: Array.from({ length: size }, (_, index) =>
      failing.includes(index)
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal failure' }
        : { EventId: `id-${index}` },
    ),
    $metadata: {},
  };
}

describe('EventPublisher', () => {
  it('puts events in calls of at most ten entries, in order, each with its own detail', async () => {
    mock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => answer(input.Entries.length, []));
    await publisherWith().publish(Array.from({ length: 12 }, (_, n) => event(n)));
    expect(sentIds()).toEqual([
      ['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6', 'evt_7', 'evt_8', 'evt_9'],
      ['evt_10', 'evt_11'],
    ]);
    expect(mock.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({
      EventBusName: 'muster-bus',
      DetailType: 'iam.user.created',
    });
  });

  it('sends again only the entries a partial failure rejected, keeping their order and ids, with backoff', async () => {
    mock
      .on(PutEventsCommand)
      .resolvesOnce(answer(5, [1, 3, 4]))
      .resolvesOnce(answer(3, [2]))
      .resolvesOnce(answer(1, []));
    const waits: number[] = [];
    await publisherWith(waits).publish([0, 1, 2, 3, 4].map(event));
    expect(sentIds()).toEqual([
      ['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4'],
      ['evt_1', 'evt_3', 'evt_4'],
      ['evt_4'],
    ]);
    expect(waits).toEqual([10, 20]);
    // The re-sent entry is the same event, byte for byte: consumers see one event id.
    const details = mock
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries?.at(-1)?.Detail);
    expect(details[1]).toBe(details[0]);
  });

  it('throws, naming the entries, when a failure persists past the last re-send', async () => {
    mock
      .on(PutEventsCommand)
      .callsFake((input: { Entries: unknown[] }) =>
        answer(input.Entries.length, input.Entries.length === 3 ? [2] : [0]),
      );
    const waits: number[] = [];
    await expect(publisherWith(waits).publish([0, 1, 2].map(event))).rejects.toThrow(
      'EventBridge rejected 1 event(s) after 4 attempt(s): iam.user.created evt_2 (InternalFailure)',
    );
    expect(sentIds()).toEqual([['evt_0', 'evt_1', 'evt_2'], ['evt_2'], ['evt_2'], ['evt_2']]);
    expect(waits).toEqual([10, 20, 40]);
  });

  it('does not send again an entry rejected for what it is, and names it', async () => {
    mock.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'id-0' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }],
    });
    await expect(publisherWith().publish([0, 1].map(event))).rejects.toThrow(
      'EventBridge rejected 1 event(s) after 1 attempt(s): iam.user.created evt_1 (MalformedDetail)',
    );
    expect(sentIds()).toHaveLength(1);
  });

  it('sends every entry again when a failed answer does not say which entries failed', async () => {
    mock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, $metadata: {} })
      .resolvesOnce(answer(2, []));
    await publisherWith().publish([0, 1].map(event));
    expect(sentIds()).toEqual([
      ['evt_0', 'evt_1'],
      ['evt_0', 'evt_1'],
    ]);
  });

  it('puts nothing for no events', async () => {
    await publisherWith().publish([]);
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
