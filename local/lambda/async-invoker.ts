import { setTimeout as delay } from 'node:timers/promises';
import { log } from '../log';
import type { HandlerReference } from './handlers';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead-lettered';

/** How one asynchronous delivery is going; updated in place, so a caller can show it while it runs. */
export interface DeliveryProgress {
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
}

export interface AsyncInvokerOptions<TEvent> {
  readonly invoke: (target: HandlerReference, event: TEvent) => Promise<unknown>;
  /** Waits before each retry of a failing target; after the last, the event is dead-lettered. */
  readonly retryDelaysMs: readonly number[];
}

export interface AsyncInvoker<TEvent> {
  /**
   * Invokes `target` with `event` once the caller's turn is over (the sender never waits, as with
   * an asynchronous Lambda invocation), retrying a failure after each of `retryDelaysMs`; then calls
   * `onDeadLetter`. Never throws.
   */
  deliver(
    target: HandlerReference,
    event: TEvent,
    progress: DeliveryProgress,
    onDeadLetter?: (progress: DeliveryProgress) => void,
  ): void;
  /** Resolves once no delivery is in flight, including deliveries started meanwhile. */
  drain(): Promise<void>;
}

/**
 * The asynchronous invocation of the local stack, shared by everything AWS delivers asynchronously
 * with retries and a dead-letter queue: EventBridge rule targets and S3 notifications. Locally the
 * retries take seconds, not hours, and a dead letter is logged by the caller, not queued.
 */
export function createAsyncInvoker<TEvent>(options: AsyncInvokerOptions<TEvent>): AsyncInvoker<TEvent> {
  const inFlight = new Set<Promise<void>>();

  async function run(
    target: HandlerReference,
    event: TEvent,
    progress: DeliveryProgress,
    onDeadLetter: ((progress: DeliveryProgress) => void) | undefined,
  ): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    for (const wait of [0, ...options.retryDelaysMs]) {
      if (wait > 0) await delay(wait);
      progress.attempts += 1;
      try {
        await options.invoke(target, event);
        progress.status = 'delivered';
        delete progress.lastError;
        return;
      } catch (error) {
        progress.lastError = error instanceof Error ? error.message : String(error);
      }
    }
    progress.status = 'dead-lettered';
    onDeadLetter?.(progress);
  }

  return {
    deliver(target, event, progress, onDeadLetter) {
      const running = run(target, event, progress, onDeadLetter)
        .catch((error: unknown) => log.error('an asynchronous delivery failed to record its outcome', error))
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
    },
    async drain() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
