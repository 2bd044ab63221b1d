import { type Approval, type ApprovalStatus, type Decider, mayDecide } from '../domain/approval';
import type { ApprovalDeps } from './approval-effects';

/** An approval as the API shows it: everything but the workflow's token and the bookkeeping. */
export function approvalView(approval: Approval) {
  const {
    taskToken: _token,
    resumed: _resumed,
    resumeClaimedAt: _claimed,
    notifiedAt: _notified,
    correlationId: _correlationId,
    ...view
  } = approval;
  return view;
}

/**
 * `GET /internal/approvals`: a tenant's approvals in one status that the caller may decide (holds
 * one of its deciding roles, did not ask), a page at a time.
 */
export async function listApprovals(
  deps: Pick<ApprovalDeps, 'approvals'>,
  decider: Decider & { readonly tenantId: string },
  query: { status: ApprovalStatus; limit: number; nextToken?: string },
) {
  const page = await deps.approvals.listByStatus(
    decider.tenantId,
    query.status,
    { limit: query.limit, ...(query.nextToken ? { nextToken: query.nextToken } : {}) },
    (approval) => mayDecide(approval, decider),
  );
  return { items: page.items.map(approvalView), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
