import type { ApprovalStep } from '../../approvals/domain/approval-step';
import type { RiskLevel } from './bundle';

/**
 * An entitlement: one bundle granted to one user within a scope for a window of time (seed 001).
 * Only an ACTIVE entitlement inside its window counts when access is evaluated.
 */
export const ENTITLEMENT_STATUSES = ['PENDING_APPROVAL', 'ACTIVE', 'EXPIRED', 'REVOKED', 'REJECTED'] as const;
export type EntitlementStatus = (typeof ENTITLEMENT_STATUSES)[number];

export type EntitlementSource =
  | { readonly type: 'batch_assign'; readonly assignmentId: string }
  | { readonly type: 'bulk_import'; readonly taskId: string; readonly row: number }
  | { readonly type: 'direct' };

export type { ApprovalStep };

export interface Entitlement {
  readonly tenantId: string;
  readonly entitlementId: string;
  readonly userId: string;
  readonly bundleId: string;
  /** What the grant covers: `tenant`, or a project or resource such as `project:atlas`. */
  readonly scope: string;
  readonly risk: RiskLevel;
  readonly validFrom: string;
  /** Absent: open-ended (allowed only below high risk without a maximum duration). */
  readonly validUntil?: string;
  readonly source: EntitlementSource;
  readonly status: EntitlementStatus;
  readonly approvalChain: readonly ApprovalStep[];
  readonly grantedBy: string;
  /** The expiry reminders sent so far, as hours before `validUntil` (functions/entitlements/domain/expiry.ts). */
  readonly remindersSent?: readonly number[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Whether the entitlement grants access at `now`: ACTIVE and inside its window. */
export function isInForce(
  entitlement: Pick<Entitlement, 'status' | 'validFrom' | 'validUntil'>,
  now: Date,
): boolean {
  if (entitlement.status !== 'ACTIVE') return false;
  const at = now.getTime();
  // Written so that an unreadable date (NaN) fails closed: no access.
  if (!(Date.parse(entitlement.validFrom) <= at)) return false;
  return entitlement.validUntil === undefined || Date.parse(entitlement.validUntil) > at;
}
