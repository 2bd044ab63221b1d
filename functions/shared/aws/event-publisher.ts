import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, EVENT_SOURCE } from '../events/domain-event';

/** PutEvents accepts at most 10 entries a call. */
const MAX_ENTRIES_PER_CALL = 10;

/**
 * Publishes domain events on the Muster bus. A partially failed PutEvents throws, naming the
 * failed entries, so the caller's retry (Lambda, Step Functions) publishes them again; consumers
 * deduplicate on `detail.eventId`.
 */
export class EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = events.slice(start, start + MAX_ENTRIES_PER_CALL);
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        const failures = (result.Entries ?? [])
          .map((entry, index) => (entry.ErrorCode ? `${batch[index]?.detailType}: ${entry.ErrorCode}` : null))
          .filter((failure) => failure !== null);
        throw new Error(`EventBridge rejected ${result.FailedEntryCount} event(s): ${failures.join(', ')}`);
      }
    }
  }
}
