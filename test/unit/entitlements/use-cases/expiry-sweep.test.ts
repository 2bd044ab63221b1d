import { describe, expect, it } from 'vitest';
import type { DueEntitlement } from '../../../../functions/entitlements/adapters/entitlement-repository';
import type { Entitlement } from '../../../../functions/entitlements/domain/entitlement';
import {
  type ExpirySweepDeps,
  sweepEntitlementExpiry,
} from '../../../../functions/entitlements/use-cases/expiry-sweep';
import type { DomainEvent } from '../../../../functions/shared/events/domain-event';

const HOUR = 3_600_000;
const END = Date.parse('2026-06-30T00:00:00.000Z');

const grant = (overrides: Partial<Entitlement> = {}): Entitlement => ({
  tenantId: 't1',
  entitlementId: 'ent_1',
  userId: 'u_holder',
  bundleId: 'viewer',
  scope: 'tenant',
  risk: 'low',
  validFrom: '2026-06-01T00:00:00.000Z',
  validUntil: new Date(END).toISOString(),
  source: { type: 'batch_assign', assignmentId: 'asg_1' },
  status: 'ACTIVE',
  approvalChain: [],
  grantedBy: 'u_requester',
  createdAt: '2026-06-01T00:00:00.000Z',
  updatedAt: '2026-06-01T00:00:00.000Z',
  ...overrides,
});

/** An in-memory due index whose conditional writes behave like the repository's. */
function fakes(due: DueEntitlement[], options: { failPublish?: boolean } = {}) {
  const published: DomainEvent[] = [];
  const sent: string[] = [];
  const recorded: unknown[] = [];
  const cleared: string[] = [];
  const handled = new Set<string>();
  const deps: ExpirySweepDeps = {
    entitlements: {
      listDue: async () => due.filter((found) => !handled.has(found.dueKey)),
      recordExpiry: async (found, change) => {
        if (handled.has(found.dueKey)) return false;
        handled.add(found.dueKey);
        recorded.push(change);
        return true;
      },
      clearDue: async (found) => {
        cleared.push(found.entitlement.entitlementId);
        return true;
      },
    },
    directory: {
      getUser: async (_tenantId, userId) =>
        ({ userId, email: `${userId}@x.test`, status: 'ACTIVE' }) as Awaited<
          ReturnType<ExpirySweepDeps['directory']['getUser']>
        >,
    },
    publish: async (events) => {
      if (options.failPublish) throw new Error('bus down');
      published.push(...events);
    },
    mailer: { send: async (email) => void sent.push(email.to) },
  };
  return { deps, published, sent, recorded, cleared };
}

describe('sweepEntitlementExpiry', () => {
  it('revokes a grant at its end, once, with a stable event id', async () => {
    const { deps, published, recorded } = fakes([{ entitlement: grant(), dueKey: 'k1' }]);
    const now = new Date(END + 60_000);
    expect(await sweepEntitlementExpiry(deps, { now }, [168, 24])).toEqual({
      due: 1,
      reminded: 0,
      revoked: 1,
    });
    expect(await sweepEntitlementExpiry(deps, { now }, [168, 24])).toEqual({
      due: 0,
      reminded: 0,
      revoked: 0,
    });
    expect(recorded).toEqual([{ status: 'EXPIRED' }]);
    expect(
      published.map((event) => [event.detailType, event.detail.eventId, event.detail.data.reason]),
    ).toEqual([['iam.permission.revoked', 'evt_revoked_ent_1', 'expired']]);
  });

  it('reminds the holder and the requester, and moves the timer to the next threshold', async () => {
    const { deps, published, sent, recorded } = fakes([{ entitlement: grant(), dueKey: 'k1' }]);
    const result = await sweepEntitlementExpiry(deps, { now: new Date(END - 100 * HOUR) }, [168, 24]);
    expect(result).toEqual({ due: 1, reminded: 1, revoked: 0 });
    expect(recorded).toEqual([{ remindersSent: [168], nextDueAt: new Date(END - 24 * HOUR) }]);
    expect(published[0]?.detail).toMatchObject({
      eventId: 'evt_expiring_ent_1_168',
      data: { remindedBeforeHours: 168, validUntil: new Date(END).toISOString(), userId: 'u_holder' },
    });
    expect(sent).toEqual(['u_holder@x.test', 'u_requester@x.test']);
  });

  it('takes a grant no longer ACTIVE off the index without telling anyone', async () => {
    const { deps, published, cleared } = fakes([{ entitlement: grant({ status: 'REVOKED' }), dueKey: 'k1' }]);
    await sweepEntitlementExpiry(deps, { now: new Date(END + HOUR) }, [168, 24]);
    expect(cleared).toEqual(['ent_1']);
    expect(published).toEqual([]);
  });

  it('handles the other grants and then throws, so the next sweep retries the failed one', async () => {
    const { deps, recorded } = fakes(
      [
        { entitlement: grant(), dueKey: 'k1' },
        { entitlement: grant({ entitlementId: 'ent_2', status: 'EXPIRED' }), dueKey: 'k2' },
      ],
      { failPublish: true },
    );
    await expect(sweepEntitlementExpiry(deps, { now: new Date(END + HOUR) }, [168, 24])).rejects.toThrow(
      /1 of 2 due entitlement/,
    );
    // Nothing recorded for the grant whose event could not be published: it stays due.
    expect(recorded).toEqual([]);
  });
});
