import type { GrantStatus, PendingGrantRepository } from '../adapters/pending-grant-repository';
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

export const grantKey = (grant: Pick<ImportGrant, 'userId' | 'role'>) => `${grant.userId}\n${grant.role}`;

/** Where each grant stands, read from the grants themselves (a missing one counts as pending). */
export async function readGrantStates(
  pendingGrants: Pick<PendingGrantRepository, 'get'>,
  tenantId: string,
  grants: readonly ImportGrant[],
): Promise<Map<string, GrantStatus>> {
  const states = new Map<string, GrantStatus>();
  for (const grant of grants) {
    const stored = await pendingGrants.get(tenantId, grant.userId, grant.role);
    states.set(grantKey(grant), stored?.status ?? 'PENDING_APPROVAL');
  }
  return states;
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
