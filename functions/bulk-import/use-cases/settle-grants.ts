import type { ApprovalOutcome } from '../../approvals/domain/approval-subject';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent, EventActor } from '../../shared/events/domain-event';
import { parseRowLines } from '../adapters/import-row-codec';
import type { GrantApproval, PendingGrantRepository } from '../adapters/pending-grant-repository';
import { latestOutcomes } from '../domain/row-outcome';
import { announceRun, type FinalizeDeps, finalStatusOf, settledRows } from './finalize-import';
import { type ImportGrant, importGrants } from './import-grants';
import { findTask } from './task-view';

export interface SettleGrantsDeps
  extends Omit<FinalizeDeps, 'pendingGrants' | 'directory' | 'recordMetrics'> {
  readonly pendingGrants: Pick<PendingGrantRepository, 'get' | 'settle'>;
  readonly directory: Pick<DirectoryRepository, 'getUser' | 'addRoles'>;
}

/**
 * Ends a run that waited for the approval of its sensitive role grants. Approved, each grant's
 * role is bound to its user and the grant turns ACTIVE; rejected or expired, the grant turns
 * REJECTED with the approval's justification. Then the task gets its final status, counts and
 * exports, and the run is announced as finalize would have. Retried, a grant already settled by
 * this approval is settled again as a no-op (its role binding too), and a task already final for
 * the run is left alone; every event has a stable id.
 */
export async function settleImportGrants(
  deps: SettleGrantsDeps,
  input: { tenantId: string; taskId: string; run: number; correlationId: string; outcome: ApprovalOutcome },
): Promise<{ status: string }> {
  const task = await findTask(deps, input.tenantId, input.taskId);
  if (task.status !== 'AWAITING_APPROVAL' || task.run !== input.run) return { status: task.status };

  const validRows = parseRowLines(await deps.reports.readText(task.artifacts.validRows ?? ''));
  const latest = latestOutcomes(await deps.tasks.listBatchOutcomes(input.tenantId, input.taskId));
  const now = deps.clock();
  const { outcome } = input;
  const approval: GrantApproval = {
    approvalId: outcome.approvalId,
    decision: outcome.decision,
    ...(outcome.decidedBy ? { decidedBy: outcome.decidedBy } : {}),
    decidedAt: outcome.decidedAt,
    ...(outcome.justification ? { justification: outcome.justification } : {}),
  };
  const actor: EventActor = outcome.decidedBy
    ? { type: 'user', userId: outcome.decidedBy, tenantId: input.tenantId }
    : { type: 'system', component: 'approval-sweep' };
  const events: DomainEvent[] = [];
  for (const grant of importGrants(validRows, latest)) {
    if (await settleGrant(deps, input.tenantId, grant, approval, now)) {
      events.push(grantEvent(input, task.taskId, grant, approval, actor, now));
    }
  }
  await deps.publish(events);

  const settled = await settledRows(deps, task, validRows, latest);
  const status = finalStatusOf(settled.counts);
  const final = await deps.tasks.transition(
    input.tenantId,
    input.taskId,
    ['AWAITING_APPROVAL'],
    status,
    {
      counts: settled.counts,
      artifacts: { ...task.artifacts, ...settled.artifacts },
      grantsAwaitingApproval: settled.grantsAwaiting,
    },
    now.toISOString(),
  );
  await announceRun(deps, final, status, settled.counts, input.correlationId, now);
  return { status };
}

/** Settles one grant by this approval; false when another approval settled it before. */
async function settleGrant(
  deps: SettleGrantsDeps,
  tenantId: string,
  grant: ImportGrant,
  approval: GrantApproval,
  now: Date,
): Promise<boolean> {
  const stored = await deps.pendingGrants.get(tenantId, grant.userId, grant.role);
  const ours = stored?.status === 'PENDING_APPROVAL' || stored?.approval?.approvalId === approval.approvalId;
  if (!stored || !ours) return false;
  if (approval.decision === 'APPROVED') {
    // Bound before the grant says ACTIVE: a crash in between is retried from a pending grant.
    await deps.directory.addRoles(tenantId, grant.userId, [grant.role], now.toISOString());
  }
  const status = approval.decision === 'APPROVED' ? 'ACTIVE' : 'REJECTED';
  return deps.pendingGrants.settle(tenantId, grant.userId, grant.role, status, approval, now.toISOString());
}

function grantEvent(
  input: { tenantId: string; correlationId: string },
  taskId: string,
  grant: ImportGrant,
  approval: GrantApproval,
  actor: EventActor,
  now: Date,
): DomainEvent {
  const context = { tenantId: input.tenantId, correlationId: input.correlationId, actor, occurredAt: now };
  const data = {
    targetId: `user:${grant.userId}`,
    userId: grant.userId,
    grant: { type: 'role' as const, role: grant.role },
    source: { type: 'bulk_import' as const, taskId, row: grant.row },
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
