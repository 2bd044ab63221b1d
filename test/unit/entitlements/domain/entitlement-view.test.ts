import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENTITLEMENT_STATUSES,
  type Entitlement,
} from '../../../../functions/entitlements/domain/entitlement';
import {
  describeEntitlements,
  entitlementViewSchema,
} from '../../../../functions/entitlements/domain/entitlement-view';

import { entitlementOf } from '../support/entitlement';

const NOW = new Date('2026-11-22T10:00:00Z');

const entitlement = (bundleId: string, overrides: Partial<Entitlement> = {}): Entitlement =>
  entitlementOf(bundleId, { remindersSent: [168], updatedAt: '2026-11-02T00:00:00Z', ...overrides });

const NAMES = new Map([['viewer', 'Viewer']]);
const order = (entitlements: Entitlement[]) =>
  describeEntitlements(entitlements, NAMES, NOW).map((view) => view.bundleId);

describe('describeEntitlements', () => {
  it('shows what, validity, risk, source and dates; leaves out the tenant, user and reminder bookkeeping', () => {
    const [view] = describeEntitlements(
      [
        entitlement('viewer', {
          risk: 'high',
          scope: 'project:atlas',
          source: { type: 'batch_assign', assignmentId: 'asg_1' },
          approvalChain: [
            {
              approvalId: 'apr_1',
              decision: 'APPROVED',
              decidedBy: 'u_sec',
              decidedAt: '2026-11-01T00:00:00Z',
            },
          ],
        }),
      ],
      NAMES,
      NOW,
    );
    expect(view).toEqual({
      entitlementId: 'e_viewer',
      bundleId: 'viewer',
      bundleName: 'Viewer',
      scope: 'project:atlas',
      status: 'ACTIVE',
      inForce: true,
      risk: 'high',
      validFrom: '2026-11-01T00:00:00Z',
      validUntil: '2026-12-01T00:00:00Z',
      source: { type: 'batch_assign', assignmentId: 'asg_1' },
      grantedBy: 'u_admin',
      approvalChain: [
        { approvalId: 'apr_1', decision: 'APPROVED', decidedBy: 'u_sec', decidedAt: '2026-11-01T00:00:00Z' },
      ],
      grantedAt: '2026-11-01T00:00:00Z',
      updatedAt: '2026-11-02T00:00:00Z',
    });
    expect(entitlementViewSchema.strict().safeParse(view).success).toBe(true);
  });

  it('leaves out the name of a deleted bundle and the end of an open-ended grant', () => {
    const [view] = describeEntitlements([entitlement('gone', { validUntil: undefined })], NAMES, NOW);
    expect(view).not.toHaveProperty('bundleName');
    expect(view).not.toHaveProperty('validUntil');
    expect(view?.inForce).toBe(true);
  });

  it('says an ACTIVE grant past its end, or before its start, is not in force', () => {
    const views = describeEntitlements(
      [
        entitlement('lapsed', { validUntil: '2026-11-22T09:59:59Z' }),
        entitlement('later', { validFrom: '2026-11-23T00:00:00Z' }),
      ],
      NAMES,
      NOW,
    );
    expect(views.map((view) => [view.bundleId, view.status, view.inForce])).toEqual([
      ['lapsed', 'ACTIVE', false],
      ['later', 'ACTIVE', false],
    ]);
  });

  it('lists grants in force first, the soonest expiry first and no expiry last', () => {
    expect(
      order([
        entitlement('open', { validUntil: undefined }),
        entitlement('late', { validUntil: '2027-06-01T00:00:00Z' }),
        entitlement('soon', { validUntil: '2026-11-25T00:00:00.000Z' }),
        entitlement('sooner', { validUntil: '2026-11-24T23:00:00Z' }),
      ]),
    ).toEqual(['sooner', 'soon', 'late', 'open']);
  });

  it('then ACTIVE outside its window, pending, expired, revoked, rejected', () => {
    expect(
      order([
        entitlement('rejected', { status: 'REJECTED' }),
        entitlement('revoked', { status: 'REVOKED' }),
        entitlement('expired', { status: 'EXPIRED', validUntil: '2026-11-03T00:00:00Z' }),
        entitlement('pending', { status: 'PENDING_APPROVAL' }),
        entitlement('lapsed', { validUntil: '2026-11-20T00:00:00Z' }),
        entitlement('held', { validUntil: '2027-01-01T00:00:00Z' }),
      ]),
    ).toEqual(['held', 'lapsed', 'pending', 'expired', 'revoked', 'rejected']);
  });

  it('breaks ties by bundle, scope and id, and sorts an unreadable end as none', () => {
    expect(
      describeEntitlements(
        [
          entitlement('b', { scope: 'tenant', entitlementId: 'e2' }),
          entitlement('b', { scope: 'project:a', entitlementId: 'e3' }),
          entitlement('a', { entitlementId: 'e9' }),
          entitlement('c', { validUntil: 'not a date', status: 'PENDING_APPROVAL' }),
          entitlement('d', { validUntil: undefined, status: 'PENDING_APPROVAL' }),
        ],
        NAMES,
        NOW,
      ).map((view) => `${view.bundleId}/${view.scope}`),
    ).toEqual(['a/tenant', 'b/project:a', 'b/tenant', 'c/tenant', 'd/tenant']);
  });

  it('orders the same grants the same way whatever order they are read in', () => {
    const grant = fc.record({
      bundleId: fc.constantFrom('a', 'b', 'c'),
      scope: fc.constantFrom('tenant', 'project:x'),
      status: fc.constantFrom(...ENTITLEMENT_STATUSES),
      validUntil: fc.option(fc.constantFrom('2026-11-20T00:00:00Z', '2026-12-01T00:00:00Z'), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(grant, { selector: (g) => `${g.bundleId}|${g.scope}` }), (grants) => {
        const entitlements = grants.map((g) =>
          entitlement(g.bundleId, { ...g, entitlementId: `e_${g.bundleId}_${g.scope}` }),
        );
        const forwards = describeEntitlements(entitlements, NAMES, NOW);
        const backwards = describeEntitlements([...entitlements].reverse(), NAMES, NOW);
        expect(backwards).toEqual(forwards);
        const inForce = forwards.map((view) => view.inForce);
        expect(inForce).toEqual([...inForce].sort((a, b) => Number(b) - Number(a)));
      }),
    );
  });
});
