import { approvalStepOf, decisionActor } from '../../approvals/domain/approval-step';
import type { ApprovalOutcome } from '../../approvals/domain/approval-subject';
import { parseRowLines } from '../adapters/import-row-codec';
import { latestOutcomes } from '../domain/row-outcome';
import { announceRun, type FinalizeDeps, finalStatusOf, isFinalFor, settledRows } from './finalize-import';
import { importGrants, settleGrants } from './import-grants';
import { findTask } from './task-view';

export type SettleGrantsDeps = Omit<FinalizeDeps, 'recordMetrics'>;

/**
 * How the wait for the approval ended: its outcome, or the workflow's own timeout (the backstop
 * past the maximum wait), which expires the grants with no decider and no `decidedAt`: the
 * settlement's time is the expiry's then.
 */
export type SettlementOutcome = Pick<ApprovalOutcome, 'approvalId' | 'decision'> &
  Partial<Pick<ApprovalOutcome, 'decidedBy' | 'decidedAt' | 'justification'>>;

/**
 * Ends a run that waited for the approval of its sensitive role grants. Approved, each grant's
 * role is bound to its user and the grant turns ACTIVE; rejected or expired, the grant turns
 * REJECTED with the approval's justification. Then the task gets its final status, counts and
 * exports, and the run is announced as finalize would have. Retried, a grant already settled by
 * this outcome is not written again (its event is rebuilt from what was stored), and a task
 * already final for the run is announced again under the same event id (its summary email is not
 * sent twice: at most once).
 */
export async function settleImportGrants(
  deps: SettleGrantsDeps,
  input: { tenantId: string; taskId: string; run: number; correlationId: string; outcome: SettlementOutcome },
): Promise<{ status: string }> {
  const task = await findTask(deps, input.tenantId, input.taskId);
  if (isFinalFor(task, input.run)) {
    await announceRun(deps, task, input.correlationId, { summary: false });
    return { status: task.status };
  }
  if (task.status !== 'AWAITING_APPROVAL' || task.run !== input.run) return { status: task.status };

  const validRows = parseRowLines(await deps.reports.readText(task.artifacts.validRows ?? ''));
  const latest = latestOutcomes(await deps.tasks.listBatchOutcomes(input.tenantId, input.taskId));
  const now = deps.clock();
  const { outcome } = input;
  const approval = approvalStepOf({ ...outcome, decidedAt: outcome.decidedAt ?? now.toISOString() });
  const actor = decisionActor(approval, input.tenantId, outcome.decidedAt ? 'approval-sweep' : 'bulk-import');
  await deps.publish(await settleGrants(deps, input, importGrants(validRows, latest), approval, actor, now));

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
  await announceRun(deps, { ...final, status }, input.correlationId, { summary: true });
  return { status };
}
