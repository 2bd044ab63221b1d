import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { EventRuleDefinition } from '../../config/event-rules';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../environment';
import { createAsyncInvoker, type DeliveryProgress } from '../lambda/async-invoker';
import type { HandlerReference } from '../lambda/handlers';
import { matchesPattern } from './pattern';

/**
 * On AWS, Muster's events go on its own bus and AWS services' (Step Functions' status changes) on
 * the account's default bus. Locally one bus routes both, and remembers which each belongs to.
 */
export type BusName = 'muster' | 'default';

export interface PublishedEntry {
  /** Absent: Muster's bus. */
  readonly bus?: BusName;
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly time: Date;
  readonly resources: readonly string[];
}

export type { DeliveryStatus } from '../lambda/async-invoker';

export interface DeliveryRecord extends DeliveryProgress {
  readonly rule: string;
}

export interface BusEventRecord {
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly detail: unknown;
  readonly time: string;
  readonly tenantId?: string;
  readonly bus: BusName;
  /** One per rule that matched, so a test can see its target ran. */
  readonly deliveries: readonly DeliveryRecord[];
}

export type BusEvent = EventBridgeEvent<string, unknown>;

export interface LocalEventBus {
  /** Records the event and starts delivering it to the targets of matching rules, after returning. */
  publish(entry: PublishedEntry): BusEventRecord;
  /** Recorded events of one bus (Muster's unless named), oldest first. */
  events(filter?: { detailType?: string; bus?: BusName }): readonly BusEventRecord[];
  /** Resolves once no delivery is in flight, including deliveries started meanwhile. */
  drain(): Promise<void>;
}

export interface LocalEventBusOptions {
  readonly rules: readonly EventRuleDefinition[];
  readonly invokeTarget: (target: HandlerReference, event: BusEvent) => Promise<unknown>;
  /** Waits before each retry of a failing target; EventBridge retries with backoff too, for much longer. */
  readonly retryDelaysMs?: readonly number[];
  readonly onDeadLetter?: (event: BusEventRecord, delivery: DeliveryRecord) => void;
}

const DEFAULT_RETRY_DELAYS_MS = [100, 400, 1_600];
/**
 * A long `npm start` session must not grow without bound; tests look at recent events only. Room
 * for the 5,000-row chaos import (over 5,000 events) and every test running beside it, each of
 * which looks for all of its own (about 20 MB at most).
 */
const EVENTS_KEPT = 20_000;

export function createLocalEventBus(options: LocalEventBusOptions): LocalEventBus {
  const recorded: BusEventRecord[] = [];
  // PutEvents answers before any target runs, as in AWS: the invoker starts after the caller's turn.
  const invoker = createAsyncInvoker<BusEvent>({
    invoke: options.invokeTarget,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
  });

  return {
    publish(entry) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: LOCAL_ACCOUNT_ID,
        time: entry.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [...entry.resources],
        detail: entry.detail,
      };
      const targets = options.rules
        .filter((rule) => matchesPattern(rule.pattern, event))
        .map((rule) => {
          const delivery: DeliveryRecord = { rule: rule.name, status: 'pending', attempts: 0 };
          return { rule, delivery };
        });
      const tenantId = tenantIdOf(entry.detail);
      const record: BusEventRecord = {
        id: event.id,
        'detail-type': event['detail-type'],
        source: event.source,
        detail: event.detail,
        time: event.time,
        ...(tenantId === undefined ? {} : { tenantId }),
        bus: entry.bus ?? 'muster',
        deliveries: targets.map(({ delivery }) => delivery),
      };
      recorded.push(record);
      recorded.splice(0, Math.max(0, recorded.length - EVENTS_KEPT));
      for (const { rule, delivery } of targets) {
        invoker.deliver(rule.target, event, delivery, () => options.onDeadLetter?.(record, delivery));
      }
      return record;
    },
    events(filter = {}) {
      const bus = filter.bus ?? 'muster';
      return recorded.filter(
        (record) =>
          record.bus === bus &&
          (filter.detailType === undefined || record['detail-type'] === filter.detailType),
      );
    },
    drain: () => invoker.drain(),
  };
}

function tenantIdOf(detail: unknown): string | undefined {
  if (typeof detail !== 'object' || detail === null || !('tenantId' in detail)) return undefined;
  return typeof detail.tenantId === 'string' ? detail.tenantId : undefined;
}
