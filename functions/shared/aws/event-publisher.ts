import { setTimeout as sleep } from 'node:timers/promises';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type DomainEvent, EVENT_SOURCE } from '../events/domain-event';
import { logger } from '../observability';

/** PutEvents accepts at most 10 entries a call. */
const MAX_ENTRIES_PER_CALL = 10;
/**
 * Waits before each re-send of the entries a PutEvents call rejected: five calls in all, about
 * 1.5 s at most, well inside any handler's timeout.
 */
const RETRY_DELAYS_MS = [100, 200, 400, 800] as const;
/** Entry errors that say the entry itself is wrong: sending it again can only fail again. */
const PERMANENT_ENTRY_ERRORS = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
]);

export interface EventPublisherOptions {
  /** The wait before each re-send; its length bounds the re-sends. */
  readonly retryDelaysMs?: readonly number[];
  readonly wait?: (milliseconds: number) => Promise<void>;
}

interface RejectedEntry {
  readonly event: DomainEvent;
  readonly errorCode: string;
}

/**
 * Publishes domain events on the Muster bus. A PutEvents call can take some entries and reject
 * others (FailedEntryCount > 0): only the rejected ones are sent again, in their order, with
 * backoff, so an accepted event is never put twice. An entry still rejected after the last
 * re-send, or rejected for a reason a re-send cannot cure, throws, naming the entries: the
 * caller's retry (Lambda, Step Functions) then publishes them again, and consumers deduplicate
 * on `detail.eventId`.
 */
export class EventPublisher {
  private readonly retryDelaysMs: readonly number[];
  private readonly wait: (milliseconds: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    options: EventPublisherOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MS;
    this.wait = options.wait ?? ((milliseconds) => sleep(milliseconds));
  }

  async publish(events: readonly DomainEvent[]): Promise<void> {
    for (let start = 0; start < events.length; start += MAX_ENTRIES_PER_CALL) {
      await this.putAll(events.slice(start, start + MAX_ENTRIES_PER_CALL));
    }
  }

  private async putAll(events: readonly DomainEvent[]): Promise<void> {
    let pending = events;
    for (let attempt = 1; ; attempt++) {
      const rejected = await this.put(pending);
      if (rejected.length === 0) return;
      const delay = this.retryDelaysMs[attempt - 1];
      const permanent = rejected.some((entry) => PERMANENT_ENTRY_ERRORS.has(entry.errorCode));
      if (delay === undefined || permanent) {
        throw new Error(
          `EventBridge rejected ${rejected.length} event(s) after ${attempt} attempt(s): ${rejected
            .map(({ event, errorCode }) => `${event.detailType} ${event.detail.eventId} (${errorCode})`)
            .join(', ')}`,
        );
      }
      logger.warn('EventBridge rejected some events; sending them again', {
        attempt,
        rejected: rejected.length,
        error_codes: [...new Set(rejected.map((entry) => entry.errorCode))],
      });
      pending = rejected.map((entry) => entry.event);
      await this.wait(delay);
    }
  }

  /** One PutEvents call; the entries it rejected, in their order. */
  private async put(events: readonly DomainEvent[]): Promise<RejectedEntry[]> {
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busName,
          Source: EVENT_SOURCE,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    if (!result.FailedEntryCount) return [];
    // Result entries answer the request's entries position by position; without them, no entry is known to be in.
    return events.flatMap((event, index): RejectedEntry[] => {
      const entry = result.Entries?.[index];
      if (entry?.EventId !== undefined && entry.ErrorCode === undefined) return [];
      return [{ event, errorCode: entry?.ErrorCode ?? 'Unknown' }];
    });
  }
}
