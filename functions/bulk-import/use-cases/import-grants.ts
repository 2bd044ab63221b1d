import pLimit from 'p-limit';
import type { ApprovalStep } from '../../approvals/domain/approval-step';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent, EventActor } from '../../shared/events/domain-event';
import type { GrantStatus, PendingGrantRepository, StoredGrant } from '../adapters/pending-grant-repository';
import type { ImportRow } from '../domain/import-row';
import type { RowOutcome } from '../domain/row-outcome';

/** One sensitive role a created row asked for: a pending grant of its user. */
export interface ImportGrant {
  readonly row: number;
  readonly userId: string;
  readonly role: string;
}

/** The grants an import's created rows hold pending or settled, in row order. */
export function importGrants(
  validRows: readonly ImportRow[],
  latest: ReadonlyMap<number, RowOutcome>,
): ImportGrant[] {
  return validRows.flatMap((row) => {
    const outcome = latest.get(row.row);
    if (outcome?.status !== 'CREATED' || !outcome.userId) return [];
    const userId = outcome.userId;
    return row.rolesPendingApproval.map((role) => ({ row: row.row, userId, role }));
  });
}

/**
 * Grants read or settled at once: a 10,000-row import must finish within the Lambda's time
 * without a burst the table would throttle.
 */
const GRANTS_IN_FLIGHT = 8;

export const grantKey = (grant: Pick<ImportGrant, 'userId' | 'role'>) => `${grant.userId}\n${grant.role}`;

/** Where each grant stands, read from the grants themselves (a missing one counts as pending). */
export async function readGrantStates(
  pendingGrants: Pick<PendingGrantRepository, 'get'>,
  tenantId: string,
  grants: readonly ImportGrant[],
): Promise<Map<string, GrantStatus>> {
  const limit = pLimit(GRANTS_IN_FLIGHT);
  const stored = await Promise.all(
    grants.map((grant) => limit(() => pendingGrants.get(tenantId, grant.userId, grant.role))),
  );
  return new Map(
    grants.map((grant, index) => [grantKey(grant), stored[index]?.status ?? 'PENDING_APPROVAL']),
  );
}

export interface GrantSettlementDeps {
  readonly pendingGrants: Pick<PendingGrantRepository, 'get' | 'settle'>;
  readonly directory: Pick<DirectoryRepository, 'addRoles'>;
}

/**
 * Settles a run's grants by one approval's outcome, a few at a time: approved, the role is bound
 * to the user and the grant turns ACTIVE; otherwise it turns REJECTED. The events of the grants
 * it settled, in row order, with stable ids: retried, a grant it settled before is settled again
 * as a no-op and its event is published again under the same id.
 */
export async function settleGrants(
  deps: GrantSettlementDeps,
  run: { tenantId: string; taskId: string; correlationId: string },
  grants: readonly ImportGrant[],
  approval: ApprovalStep,
  actor: EventActor,
  now: Date,
): Promise<DomainEvent[]> {
  const limit = pLimit(GRANTS_IN_FLIGHT);
  const settled = await Promise.all(
    grants.map((grant) => limit(() => settleGrant(deps, run.tenantId, grant, approval, now))),
  );
  return grants.flatMap((grant, index) =>
    settled[index] ? [grantEvent(run, grant, approval, actor, now)] : [],
  );
}

/** Settles one grant; false when something else settled it before (another approval, another outcome). */
async function settleGrant(
  deps: GrantSettlementDeps,
  tenantId: string,
  grant: ImportGrant,
  approval: ApprovalStep,
  now: Date,
): Promise<boolean> {
  const stored = await deps.pendingGrants.get(tenantId, grant.userId, grant.role);
  if (!stored || !(stored.status === 'PENDING_APPROVAL' || isSettledBy(stored, approval))) return false;
  if (approval.decision === 'APPROVED') {
    // Bound before the grant says ACTIVE: a crash in between is retried from a pending grant.
    await deps.directory.addRoles(tenantId, grant.userId, [grant.role], now.toISOString());
  }
  const status = approval.decision === 'APPROVED' ? 'ACTIVE' : 'REJECTED';
  return deps.pendingGrants.settle(tenantId, grant.userId, grant.role, status, approval, now.toISOString());
}

/**
 * Whether a settled grant holds this very outcome: same approval, decision and decider. A run
 * that failed rejects under its approval's id with no decider, so it never overwrites what a
 * person decided before.
 */
function isSettledBy(stored: StoredGrant, approval: ApprovalStep): boolean {
  return (
    stored.approval?.approvalId === approval.approvalId &&
    stored.approval.decision === approval.decision &&
    stored.approval.decidedBy === approval.decidedBy
  );
}

function grantEvent(
  run: { tenantId: string; taskId: string; correlationId: string },
  grant: ImportGrant,
  approval: ApprovalStep,
  actor: EventActor,
  now: Date,
): DomainEvent {
  const context = { tenantId: run.tenantId, correlationId: run.correlationId, actor, occurredAt: now };
  const data = {
    targetId: `user:${grant.userId}`,
    userId: grant.userId,
    grant: { type: 'role' as const, role: grant.role },
    source: { type: 'bulk_import' as const, taskId: run.taskId, row: grant.row },
    approvalChain: [approval],
  };
  const eventId = `evt_${approval.approvalId}_${grant.userId}_${grant.role}`;
  return approval.decision === 'APPROVED'
    ? domainEvent('iam.permission.granted', context, { ...data, validFrom: approval.decidedAt }, eventId)
    : domainEvent(
        'iam.permission.rejected',
        context,
        { ...data, reason: approval.decision === 'EXPIRED' ? 'approval_expired' : 'rejected' },
        eventId,
      );
}

export interface GrantTally {
  /** Rows with at least one grant still waiting: the task's `pendingApproval` count. */
  readonly rowsAwaiting: number;
  readonly grantsAwaiting: number;
  readonly grantsApproved: number;
  readonly grantsRejected: number;
}

export function tallyGrants(
  grants: readonly ImportGrant[],
  states: ReadonlyMap<string, GrantStatus>,
): GrantTally {
  const statusOf = (grant: ImportGrant) => states.get(grantKey(grant)) ?? 'PENDING_APPROVAL';
  const awaiting = grants.filter((grant) => statusOf(grant) === 'PENDING_APPROVAL');
  return {
    rowsAwaiting: new Set(awaiting.map((grant) => grant.row)).size,
    grantsAwaiting: awaiting.length,
    grantsApproved: grants.filter((grant) => statusOf(grant) === 'ACTIVE').length,
    grantsRejected: grants.filter((grant) => statusOf(grant) === 'REJECTED').length,
  };
}

/**
 * The success export's `sensitive_roles` value of a row: `none` without sensitive roles, else
 * `pending`, `approved` or `rejected` (`mixed` if its grants were settled differently).
 */
export function sensitiveRolesOf(
  row: number,
  grants: readonly ImportGrant[],
  states: ReadonlyMap<string, GrantStatus>,
): string {
  const statuses = new Set(
    grants
      .filter((grant) => grant.row === row)
      .map((grant) => states.get(grantKey(grant)) ?? 'PENDING_APPROVAL'),
  );
  if (statuses.size === 0) return 'none';
  if (statuses.size > 1) return statuses.has('PENDING_APPROVAL') ? 'pending' : 'mixed';
  const [only] = statuses;
  return only === 'ACTIVE' ? 'approved' : only === 'REJECTED' ? 'rejected' : 'pending';
}
