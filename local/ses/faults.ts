import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * The answers SES gives a send it will not take right now, which the SESv2 client retries: a
 * throttled account (429, the SDK's throttling backoff) or a service error (503, its transient one).
 */
export const SES_FAULT_ERRORS = {
  TooManyRequestsException: { status: 429, message: 'Maximum sending rate exceeded.' },
  ServiceUnavailable: { status: 503, message: 'Service is unavailable. Try again later.' },
} as const;
export type SesFaultError = keyof typeof SES_FAULT_ERRORS;

/** What `PUT /_local/faults/ses` arms; `{}` disarms. */
export const sesFaultsSchema = z.strictObject({
  /** The share of recipients whose sends fail, each chosen by a hash of its address. */
  failRate: z.number().min(0).max(1),
  /** Only recipients whose address ends with this (e.g. `@<tenant>.test`): other tests' mail goes through. */
  recipientSuffix: z.string().min(1).max(256).optional(),
  error: z
    .enum(Object.keys(SES_FAULT_ERRORS) as [SesFaultError, ...SesFaultError[]])
    .default('TooManyRequestsException'),
});
export type SesFaults = z.infer<typeof sesFaultsSchema>;

/**
 * Whether a recipient's sends fail under `failRate`: the same recipient always gets the same
 * answer while the faults are armed, so every retry of its send fails too and the SDK's retries
 * can be counted. Case-insensitive, as mailbox domains are.
 */
export function recipientFails(faults: Pick<SesFaults, 'failRate' | 'recipientSuffix'>, recipient: string) {
  const address = recipient.toLowerCase();
  if (faults.recipientSuffix !== undefined && !address.endsWith(faults.recipientSuffix.toLowerCase())) {
    return false;
  }
  return fractionOf(address) < faults.failRate;
}

/** A stable number in [0, 1) from an address. */
function fractionOf(address: string): number {
  return createHash('sha256').update(address).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the engine reports of the armed faults: every send attempt per recipient in scope. */
export interface SesFaultReport {
  readonly armed: boolean;
  readonly faults?: SesFaults;
  /** Attempts per recipient address (lower case) since the faults were armed, failed or not. */
  readonly attempts: Readonly<Record<string, number>>;
  /** Attempts answered with the fault, per recipient. */
  readonly rejected: Readonly<Record<string, number>>;
}

/** The fault switch of the SES engine: armed, it decides each send and counts the attempts. */
export class SesFaultSwitch {
  private faults: SesFaults | undefined;
  private attempts = new Map<string, number>();
  private rejected = new Map<string, number>();

  /** Arms (resetting the counts) or, with `undefined`, disarms; the counts stay readable until the next arming. */
  set(faults: SesFaults | undefined): void {
    this.faults = faults;
    if (faults !== undefined) {
      this.attempts = new Map();
      this.rejected = new Map();
    }
  }

  /** The error to answer a send to these recipients with, or undefined to let it through. */
  decide(recipients: readonly string[]): SesFaultError | undefined {
    const faults = this.faults;
    if (faults === undefined) return undefined;
    const inScope = recipients
      .map((recipient) => recipient.toLowerCase())
      .filter(
        (address) =>
          faults.recipientSuffix === undefined || address.endsWith(faults.recipientSuffix.toLowerCase()),
      );
    for (const address of inScope) this.attempts.set(address, (this.attempts.get(address) ?? 0) + 1);
    const failing = inScope.filter((address) => recipientFails(faults, address));
    if (failing.length === 0) return undefined;
    for (const address of failing) this.rejected.set(address, (this.rejected.get(address) ?? 0) + 1);
    return faults.error;
  }

  report(): SesFaultReport {
    return {
      armed: this.faults !== undefined,
      ...(this.faults === undefined ? {} : { faults: this.faults }),
      attempts: Object.fromEntries(this.attempts),
      rejected: Object.fromEntries(this.rejected),
    };
  }
}
