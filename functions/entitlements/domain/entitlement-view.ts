import { z } from 'zod';
import { approvalStepSchema } from '../../approvals/domain/approval-step';
import { RISK_LEVELS } from './bundle';
import { ENTITLEMENT_STATUSES, type Entitlement, type EntitlementStatus, isInForce } from './entitlement';

/**
 * One of a user's entitlements as an administrator judges it (`GET /v1/admin/users/{userId}/entitlements`):
 * what it grants, whether it holds now, for how long, and how it came about. The storage keys,
 * reminder bookkeeping and tenant stay out.
 */
export const entitlementViewSchema = z.object({
  entitlementId: z.string(),
  bundleId: z.string(),
  bundleName: z.string().optional().describe('Absent when the bundle was deleted after the grant.'),
  scope: z.string().describe('`tenant`, or a project or resource such as `project:atlas`.'),
  status: z.enum(ENTITLEMENT_STATUSES).describe('As stored; `inForce` says whether it grants access now.'),
  inForce: z
    .boolean()
    .describe(
      'ACTIVE and inside its window now. An ACTIVE grant past its `validUntil` that the expiry sweep has not reached yet, or one whose `validFrom` is ahead, grants nothing.',
    ),
  risk: z.enum(RISK_LEVELS),
  validFrom: z.string(),
  validUntil: z.string().optional().describe('Absent: no expiry.'),
  source: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('batch_assign'), assignmentId: z.string() }),
      z.object({ type: z.literal('bulk_import'), taskId: z.string(), row: z.number().int() }),
      z.object({ type: z.literal('direct') }),
    ])
    .describe('How it was granted: a batch assignment, a row of a bulk import, or directly.'),
  grantedBy: z.string().describe('The user id of who requested the grant.'),
  approvalChain: z.array(approvalStepSchema).readonly(),
  grantedAt: z.string(),
  updatedAt: z.string(),
});
export type EntitlementView = z.infer<typeof entitlementViewSchema>;

export const userEntitlementsSchema = z.object({
  userId: z.string(),
  items: z
    .array(entitlementViewSchema)
    .readonly()
    .describe(
      'Every bundle grant of the user whatever its status: in force first, then ACTIVE outside its window, pending approval, expired, revoked, rejected; within each, the soonest expiry first and no expiry last.',
    ),
});
export type UserEntitlements = z.infer<typeof userEntitlementsSchema>;

/** Where a grant sorts; a grant that holds now comes before one that only says ACTIVE. */
const RANK_OF_STATUS: Readonly<Record<EntitlementStatus, number>> = {
  ACTIVE: 1,
  PENDING_APPROVAL: 2,
  EXPIRED: 3,
  REVOKED: 4,
  REJECTED: 5,
};
const IN_FORCE_RANK = 0;

/** An unreadable or absent end sorts as never ending: last, not first. */
function endOf(view: Pick<EntitlementView, 'validUntil'>): number {
  const end = view.validUntil === undefined ? Number.NaN : Date.parse(view.validUntil);
  return Number.isNaN(end) ? Number.POSITIVE_INFINITY : end;
}

function rankOf(view: Pick<EntitlementView, 'status' | 'inForce'>): number {
  return view.inForce ? IN_FORCE_RANK : RANK_OF_STATUS[view.status];
}

export function compareEntitlementViews(a: EntitlementView, b: EntitlementView): number {
  const byRank = rankOf(a) - rankOf(b);
  if (byRank !== 0) return byRank;
  const [endA, endB] = [endOf(a), endOf(b)];
  if (endA !== endB) return endA < endB ? -1 : 1;
  // Ties broken by the grant's identity, so the same grants always list in the same order.
  return (
    a.bundleId.localeCompare(b.bundleId) ||
    a.scope.localeCompare(b.scope) ||
    a.entitlementId.localeCompare(b.entitlementId)
  );
}

/** A user's entitlements as the admin API shows them at `now`, named from the tenant's bundles and sorted. */
export function describeEntitlements(
  entitlements: readonly Entitlement[],
  bundleNames: ReadonlyMap<string, string>,
  now: Date,
): EntitlementView[] {
  return entitlements
    .map((entitlement) => toEntitlementView(entitlement, bundleNames.get(entitlement.bundleId), now))
    .sort(compareEntitlementViews);
}

function toEntitlementView(
  entitlement: Entitlement,
  bundleName: string | undefined,
  now: Date,
): EntitlementView {
  return {
    entitlementId: entitlement.entitlementId,
    bundleId: entitlement.bundleId,
    ...(bundleName === undefined ? {} : { bundleName }),
    scope: entitlement.scope,
    status: entitlement.status,
    inForce: isInForce(entitlement, now),
    risk: entitlement.risk,
    validFrom: entitlement.validFrom,
    ...(entitlement.validUntil === undefined ? {} : { validUntil: entitlement.validUntil }),
    source: entitlement.source,
    grantedBy: entitlement.grantedBy,
    approvalChain: entitlement.approvalChain,
    grantedAt: entitlement.createdAt,
    updatedAt: entitlement.updatedAt,
  };
}
