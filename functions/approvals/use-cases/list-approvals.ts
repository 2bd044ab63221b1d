import { type ApprovalStatus, type Decider, mayDecide } from '../domain/approval';
import { approvalView } from '../domain/approval-view';
import type { ApprovalDeps } from './approval-effects';

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
