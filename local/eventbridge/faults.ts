import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The entry errors PutEvents answers for a fault on its side, which a caller may send again. */
export const PUT_EVENTS_FAULT_CODES = ['InternalFailure', 'ThrottlingException'] as const;

/** What `PUT /_local/faults/eventbridge` arms; `{}` disarms. */
export const eventBridgeFaultsSchema = z.strictObject({
  /** The share of entries rejected, each chosen by a hash of its event (its `detail.eventId`). */
  failRate: z.number().min(0).max(1),
  /** Only entries whose `detail.tenantId` is this one: other tests' events go through. */
  tenantId: z.string().min(1).max(128).optional(),
  /**
   * How many times a chosen entry is rejected before it is accepted: a sender that re-sends it
   * gets it through, one that gives up earlier loses it. A large number makes the failure persist.
   */
  failuresPerEntry: z.number().int().min(1).max(1_000).default(2),
  errorCode: z.enum(PUT_EVENTS_FAULT_CODES).default('InternalFailure'),
});
export type EventBridgeFaults = z.infer<typeof eventBridgeFaultsSchema>;

export interface EventBridgeFaultReport {
  readonly armed: boolean;
  readonly faults?: EventBridgeFaults;
  /** Entries rejected at least once since the faults were armed. */
  readonly entriesRejected: number;
  /** Rejections in all (an entry rejected twice counts twice). */
  readonly rejections: number;
}

/** An entry as the fault switch sees it: the event's identity and its tenant. */
export interface FaultCandidate {
  readonly detail: unknown;
  readonly detailText: string;
}

/** The fault switch of the local bus's PutEvents: armed, it rejects some entries a few times each. */
export class EventBridgeFaultSwitch {
  private faults: EventBridgeFaults | undefined;
  private rejections = new Map<string, number>();

  /** Arms (resetting the counts) or, with `undefined`, disarms; the counts stay readable until the next arming. */
  set(faults: EventBridgeFaults | undefined): void {
    this.faults = faults;
    if (faults !== undefined) this.rejections = new Map();
  }

  /** The error code to answer this entry with, or undefined to put it on the bus. */
  decide(entry: FaultCandidate): (typeof PUT_EVENTS_FAULT_CODES)[number] | undefined {
    const faults = this.faults;
    if (faults === undefined) return undefined;
    if (faults.tenantId !== undefined && detailField(entry.detail, 'tenantId') !== faults.tenantId) {
      return undefined;
    }
    // The event's own id when it has one, so a re-sent entry is recognised as the same entry.
    const eventId = detailField(entry.detail, 'eventId');
    const identity = typeof eventId === 'string' ? eventId : entry.detailText;
    if (fractionOf(identity) >= faults.failRate) return undefined;
    const rejected = this.rejections.get(identity) ?? 0;
    if (rejected >= faults.failuresPerEntry) return undefined;
    this.rejections.set(identity, rejected + 1);
    return faults.errorCode;
  }

  report(): EventBridgeFaultReport {
    return {
      armed: this.faults !== undefined,
      ...(this.faults === undefined ? {} : { faults: this.faults }),
      entriesRejected: this.rejections.size,
      rejections: [...this.rejections.values()].reduce((total, count) => total + count, 0),
    };
  }
}

function detailField(detail: unknown, field: string): unknown {
  return typeof detail === 'object' && detail !== null && field in detail
    ? Object.getOwnPropertyDescriptor(detail, field)?.value
    : undefined;
}

/** A stable number in [0, 1) from an event's identity. */
function fractionOf(identity: string): number {
  return createHash('sha256').update(identity).digest().readUInt32BE(0) / 2 ** 32;
}
