import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { emailRecipients } from '../../identity/use-cases/email-recipients';
import type { SweepScope } from '../../shared/aws/due-index';
import type { Mailer } from '../../shared/aws/mailer';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent, EventActor } from '../../shared/events/domain-event';
import { logger } from '../../shared/observability';
import { sendEach } from '../../shared/send-each';
import type { DueEntitlement, EntitlementRepository } from '../adapters/entitlement-repository';
import { decideExpiry } from '../domain/expiry';
import { expiringEmail } from '../domain/grant-emails';
import { permissionData } from './assignment-workflow';

export interface ExpirySweepDeps {
  readonly entitlements: Pick<EntitlementRepository, 'listDue' | 'recordExpiry' | 'clearDue'>;
  readonly directory: Pick<DirectoryRepository, 'getUser'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  /** Absent while `notify-transactional` is off. */
  readonly mailer?: Pick<Mailer, 'send'>;
}

export interface ExpirySweepResult {
  readonly due: number;
  readonly reminded: number;
  readonly revoked: number;
}

const SWEEPER: EventActor = { type: 'system', component: 'entitlement-expiry-sweep' };

/**
 * The entitlement expiry sweep (seed 001), run on a schedule whose event time is `now`: for each
 * entitlement due on the index (functions/shared/aws/due-index.ts says why a sweep and not a
 * schedule per grant), revokes it at `validUntil` (`iam.permission.revoked`, reason expired) or
 * sends the nearest reminder it has passed (`iam.permission.expiring`, and an email to the holder
 * and the requester) and moves its timer on. The write that records it is conditional on the
 * timer it was found under, so a sweep run twice acts once; event ids are stable per grant and
 * threshold for the same reason. A failure throws after the rest is done, so the next sweep retries.
 */
export async function sweepEntitlementExpiry(
  deps: ExpirySweepDeps,
  scope: SweepScope,
  reminderHours: readonly number[],
): Promise<ExpirySweepResult> {
  const { now } = scope;
  const due = await deps.entitlements.listDue(scope);
  let reminded = 0;
  let revoked = 0;
  const failures: unknown[] = [];
  for (const found of due) {
    try {
      const outcome = await handle(deps, found, now, reminderHours);
      if (outcome === 'revoked') revoked += 1;
      if (outcome === 'reminded') reminded += 1;
    } catch (error) {
      logger.error('Expiry of an entitlement not handled', {
        entitlement_id: found.entitlement.entitlementId,
        error,
      });
      failures.push(error);
    }
  }
  if (failures.length > 0) {
    throw new AggregateError(failures, `${failures.length} of ${due.length} due entitlement(s) failed`);
  }
  return { due: due.length, reminded, revoked };
}

async function handle(
  deps: ExpirySweepDeps,
  found: DueEntitlement,
  now: Date,
  reminderHours: readonly number[],
): Promise<'revoked' | 'reminded' | 'none'> {
  const { entitlement } = found;
  if (entitlement.status !== 'ACTIVE') {
    await deps.entitlements.clearDue(found);
    return 'none';
  }
  const decision = decideExpiry(entitlement, reminderHours, now);
  const context = {
    tenantId: entitlement.tenantId,
    correlationId: `expiry-sweep-${now.toISOString()}`,
    actor: SWEEPER,
    occurredAt: now,
  };
  // Published before the write that records it: a sweep that fails between the two publishes
  // again next time under the same event id, instead of never.
  if (decision.action === 'revoke') {
    await deps.publish([
      domainEvent(
        'iam.permission.revoked',
        context,
        { ...permissionData(entitlement), reason: 'expired' },
        `evt_revoked_${entitlement.entitlementId}`,
      ),
    ]);
    const expired = await deps.entitlements.recordExpiry(found, { status: 'EXPIRED' }, now.toISOString());
    return expired ? 'revoked' : 'none';
  }
  const remindersSent = entitlement.remindersSent ?? [];
  if (decision.action === 'wait') {
    await deps.entitlements.recordExpiry(
      found,
      { remindersSent, nextDueAt: decision.nextDueAt },
      now.toISOString(),
    );
    return 'none';
  }
  if (entitlement.validUntil !== undefined) {
    await deps.publish([
      domainEvent(
        'iam.permission.expiring',
        context,
        {
          ...permissionData(entitlement),
          validUntil: entitlement.validUntil,
          remindedBeforeHours: decision.hours,
        },
        `evt_expiring_${entitlement.entitlementId}_${decision.hours}`,
      ),
    ]);
  }
  const recorded = await deps.entitlements.recordExpiry(
    found,
    { remindersSent: [...remindersSent, decision.hours], nextDueAt: decision.nextDueAt },
    now.toISOString(),
  );
  // Emails go out only from the sweep whose write won: they cannot be taken back.
  if (!recorded) return 'none';
  await remind(deps, entitlement, decision.hours);
  return 'reminded';
}

/** The holder and whoever granted it; an email that fails is logged, never sent twice. */
async function remind(
  deps: ExpirySweepDeps,
  entitlement: DueEntitlement['entitlement'],
  hours: number,
): Promise<void> {
  const { mailer } = deps;
  if (!mailer || entitlement.validUntil === undefined) return;
  const content = expiringEmail({
    bundleId: entitlement.bundleId,
    scope: entitlement.scope,
    validUntil: entitlement.validUntil,
    hours,
  });
  const addresses = await emailRecipients(deps.directory, entitlement.tenantId, [
    entitlement.userId,
    entitlement.grantedBy,
  ]);
  await sendEach(
    mailer,
    [...addresses.values()].map((to) => ({ to, ...content })),
    'Expiry reminder',
  );
}
