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

type Run = { tenantId: string; taskId: string; correlationId: string };

/** How a grant stands settled: by which outcome, and when that was written. */
interface Settlement {
  readonly approval: ApprovalStep;
  readonly settledAt: string;
}

/**
 * Settles a run's grants by one approval's outcome, a few at a time: approved, the role is bound
 * to the user and the grant turns ACTIVE; otherwise it turns REJECTED. The events of the grants
 * it settled, in row order, with stable ids: retried, a grant it settled before is left as it is
 * and its event is built again from what was stored, so it is the same event (id and content).
 */
export async function settleGrants(
  deps: GrantSettlementDeps,
  run: Run,
  grants: readonly ImportGrant[],
  approval: ApprovalStep,
  actor: EventActor,
  now: Date,
): Promise<DomainEvent[]> {
  return settleEach(deps, run, grants, approval, actor, (grant) =>
    settleGrant(deps, run.tenantId, grant, approval, now),
  );
}

/**
 * After an approval was granted but its settlement could not finish: each grant still pending whose
 * role its user already holds (bound just before the settlement stopped) turns ACTIVE under that
 * approval, so the directory and the grant agree and the decision stands; the others stay pending
 * for a redrive to settle. Removing the role instead would undo what the approver decided.
 */
export async function activateBoundGrants(
  deps: Pick<GrantSettlementDeps, 'pendingGrants'> & { directory: Pick<DirectoryRepository, 'getUser'> },
  run: Run,
  grants: readonly ImportGrant[],
  approval: ApprovalStep & { decision: 'APPROVED' },
  actor: EventActor,
  now: Date,
): Promise<DomainEvent[]> {
  return settleEach(deps, run, grants, approval, actor, async (grant) => {
    const user = await deps.directory.getUser(run.tenantId, grant.userId);
    if (!user?.roles.includes(grant.role)) return undefined;
    const settledAt = now.toISOString();
    const written = await deps.pendingGrants.settle(
      run.tenantId,
      grant.userId,
      grant.role,
      'ACTIVE',
      approval,
      settledAt,
    );
    return written ? { approval, settledAt } : undefined;
  });
}

/**
 * Runs `settle` on each grant still pending, a few at a time; a grant that already holds this very
 * outcome is not written again, and one another outcome settled is left alone. The events of the
 * grants now settled by `approval`.
 */
async function settleEach(
  deps: { readonly pendingGrants: Pick<PendingGrantRepository, 'get'> },
  run: Run,
  grants: readonly ImportGrant[],
  approval: ApprovalStep,
  actor: EventActor,
  settle: (grant: ImportGrant) => Promise<Settlement | undefined>,
): Promise<DomainEvent[]> {
  const limit = pLimit(GRANTS_IN_FLIGHT);
  const settled = await Promise.all(
    grants.map((grant) =>
      limit(async () => {
        const stored = await deps.pendingGrants.get(run.tenantId, grant.userId, grant.role);
        if (stored && isSettledBy(stored, approval)) {
          return { approval: stored.approval, settledAt: stored.settledAt ?? stored.approval.decidedAt };
        }
        return stored?.status === 'PENDING_APPROVAL' ? settle(grant) : undefined;
      }),
    ),
  );
  return grants.flatMap((grant, index) => {
    const settlement = settled[index];
    return settlement ? [grantEvent(run, grant, settlement, actor)] : [];
  });
}

/** Settles one pending grant; undefined when something else settled it meanwhile. */
async function settleGrant(
  deps: GrantSettlementDeps,
  tenantId: string,
  grant: ImportGrant,
  approval: ApprovalStep,
  now: Date,
): Promise<Settlement | undefined> {
  const settledAt = now.toISOString();
  if (approval.decision === 'APPROVED') {
    // Bound before the grant says ACTIVE: a crash in between is retried from a pending grant, and
    // a settlement that stops there for good is finished by activateBoundGrants.
    await deps.directory.addRoles(tenantId, grant.userId, [grant.role], settledAt);
  }
  const status = approval.decision === 'APPROVED' ? 'ACTIVE' : 'REJECTED';
  const written = await deps.pendingGrants.settle(
    tenantId,
    grant.userId,
    grant.role,
    status,
    approval,
    settledAt,
  );
  return written ? { approval, settledAt } : undefined;
}

/**
 * Whether a settled grant holds this very outcome: same approval, decision and decider. A run
 * that failed rejects under its approval's id with no decider, so it never overwrites what a
 * person decided before.
 */
function isSettledBy(
  stored: StoredGrant,
  approval: ApprovalStep,
): stored is StoredGrant & { approval: ApprovalStep } {
  return (
    stored.status !== 'PENDING_APPROVAL' &&
    stored.approval?.approvalId === approval.approvalId &&
    stored.approval.decision === approval.decision &&
    stored.approval.decidedBy === approval.decidedBy
  );
}

function grantEvent(run: Run, grant: ImportGrant, settlement: Settlement, actor: EventActor): DomainEvent {
  const { approval } = settlement;
  const context = {
    tenantId: run.tenantId,
    correlationId: run.correlationId,
    actor,
    occurredAt: new Date(settlement.settledAt),
  };
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
