import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalIdFor } from '../../approvals/domain/approval';
import { approvalStepOf, decisionActor } from '../../approvals/domain/approval-step';
import type { ApprovalOutcome } from '../../approvals/domain/approval-subject';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import type { Mailer } from '../../shared/aws/mailer';
import type { ObjectStore } from '../../shared/aws/object-store';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import { parseRowLines } from '../adapters/import-row-codec';
import type { ImportTask, ImportTaskRepository } from '../adapters/import-task-repository';
import type { GrantStatus, PendingGrantRepository } from '../adapters/pending-grant-repository';
import { writeCsvFile } from '../adapters/report-writers';
import { artifactKeys } from '../domain/artifact-keys';
import type { ImportRow } from '../domain/import-row';
import type { TaskCounts } from '../domain/import-task';
import { countsFrom, latestOutcomes, type RowOutcome } from '../domain/row-outcome';
import {
  activateBoundGrants,
  type ImportGrant,
  importGrants,
  readGrantStates,
  sensitiveRolesOf,
  settleGrants,
  tallyGrants,
} from './import-grants';
import { findTask } from './task-view';

export interface FinalizeDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'listBatchOutcomes' | 'transition'>;
  readonly reports: Pick<ObjectStore, 'readText' | 'putFile'>;
  readonly directory: Pick<DirectoryRepository, 'getUser' | 'addRoles'>;
  readonly pendingGrants: Pick<PendingGrantRepository, 'get' | 'settle'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  /** Absent when transactional notifications are off: no summary email then. */
  readonly mailer?: Pick<Mailer, 'send'>;
  readonly recordMetrics: (counts: TaskCounts, durationSeconds: number) => void;
  readonly clock: () => Date;
}

export const FINAL_STATUSES = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];
type FinalTask = ImportTask & { readonly status: FinalStatus };

/** Whether the task ended this run: retried or redriven, its step announces it again. */
export function isFinalFor(task: ImportTask, run: number): task is FinalTask {
  return task.run === run && (FINAL_STATUSES as readonly string[]).includes(task.status);
}

/**
 * Ends a run: counts from every row's latest outcome (a valid row without one failed), the
 * succeeded and failed exports, the final status, the `iam.user.bulk_imported` event and the
 * operator's summary. A run whose created users hold grants still waiting for approval stops
 * short of final: the task is AWAITING_APPROVAL and the workflow waits for the approval, whose
 * settlement ends the run. When the wait fails instead, the run ends FAILED here and the grants
 * still pending are rejected, so no task is left waiting after its execution ended. When the
 * approval was granted but its settlement failed, nothing is rejected: a grant whose role is
 * already bound turns ACTIVE, the others stay pending for a redrive, and the run ends
 * COMPLETED_WITH_ERRORS when some grant stands (FAILED otherwise), with the reason. Retried, a
 * task already final for the run is announced again under the same event id (the summary email
 * at most once); a redriven execution whose run failed (a failure reason is recorded) finalizes
 * its run again, with the rows it now created.
 */
export async function finalizeImport(
  deps: FinalizeDeps,
  input: {
    tenantId: string;
    taskId: string;
    run: number;
    correlationId: string;
    outcome: 'FINISHED' | 'FAILED';
    error?: unknown;
    /** The approval's outcome, when the settlement of an approved run failed. */
    approval?: ApprovalOutcome;
  },
): Promise<{ status: string }> {
  const task = await findTask(deps, input.tenantId, input.taskId);
  // A run the workflow marked failed carries its reason; one that ended FAILED on its own
  // counts (no row created) does not, and a retry of that Finalize only announces it again.
  const redriven =
    isFinalFor(task, input.run) && input.outcome === 'FINISHED' && task.failureReason !== undefined;
  if (isFinalFor(task, input.run) && !redriven) {
    await announceRun(deps, task, input.correlationId, { summary: false });
    return { status: task.status };
  }
  const waitFailed = task.status === 'AWAITING_APPROVAL' && input.outcome === 'FAILED';
  if (task.run !== input.run || !(task.status === 'PROVISIONING' || redriven || waitFailed))
    return { status: task.status };

  const validRows = parseRowLines(await deps.reports.readText(task.artifacts.validRows ?? ''));
  const latest = latestOutcomes(await deps.tasks.listBatchOutcomes(input.tenantId, input.taskId));
  const now = deps.clock();
  const failureReason = input.outcome === 'FAILED' ? describeFailure(input.error) : undefined;
  const approved = waitFailed && input.approval?.decision === 'APPROVED' ? input.approval : undefined;
  if (waitFailed) {
    const grants = importGrants(validRows, latest);
    await deps.publish(
      approved
        ? await activateBoundGrants(
            deps,
            input,
            grants,
            { ...approvalStepOf(approved), decision: 'APPROVED' },
            decisionActor(approved, input.tenantId, 'bulk-import'),
            now,
          )
        : await rejectWaitingGrants(deps, input, grants, failureReason, now),
    );
  }
  const settled = await settledRows(deps, task, validRows, latest);
  const status: FinalStatus | 'AWAITING_APPROVAL' =
    input.outcome === 'FAILED'
      ? approved && (settled.counts.grantsApproved ?? 0) > 0
        ? 'COMPLETED_WITH_ERRORS'
        : 'FAILED'
      : settled.counts.succeeded === 0
        ? 'FAILED'
        : settled.grantsAwaiting > 0
          ? 'AWAITING_APPROVAL'
          : finalStatusOf(settled.counts);

  const final = await deps.tasks.transition(
    input.tenantId,
    input.taskId,
    [task.status],
    status,
    {
      counts: settled.counts,
      artifacts: { ...task.artifacts, ...settled.artifacts },
      grantsAwaitingApproval: settled.grantsAwaiting,
      // The run started when it was provisioned, not when its approval wait failed.
      ...(waitFailed ? {} : { runStartedAt: task.updatedAt }),
      ...(failureReason ? { failureReason } : {}),
    },
    now.toISOString(),
    // Finalized again without a failure (a redrive), the run no longer failed for that reason.
    failureReason ? [] : ['failureReason'],
  );
  if (!waitFailed) {
    // Recorded once per run: a run that waited for an approval was recorded when it began to.
    deps.recordMetrics(settled.counts, (now.getTime() - new Date(task.updatedAt).getTime()) / 1000);
  }
  if (status === 'AWAITING_APPROVAL') return { status };
  await announceRun(deps, { ...final, status }, input.correlationId, { summary: true });
  return { status };
}

/**
 * The events of the grants still pending rejected, when a run's approval could not be waited for
 * to the end, under that run's approval id with no decider; the ones an approval settled before
 * stay as they are.
 */
async function rejectWaitingGrants(
  deps: FinalizeDeps,
  run: { tenantId: string; taskId: string; run: number; correlationId: string },
  grants: readonly ImportGrant[],
  failureReason: string | undefined,
  now: Date,
): Promise<DomainEvent[]> {
  const approval = {
    approvalId: approvalIdFor(run.tenantId, { type: 'bulk_import', taskId: run.taskId, run: run.run }),
    decision: 'REJECTED' as const,
    decidedAt: now.toISOString(),
    justification: `The import failed before its approval was settled (${failureReason}); request the role again.`,
  };
  return settleGrants(deps, run, grants, approval, { type: 'system', component: 'bulk-import' }, now);
}

/** A finished run's status from its counts: every valid row created or not. */
export function finalStatusOf(counts: TaskCounts): 'COMPLETED' | 'COMPLETED_WITH_ERRORS' {
  return counts.failed === 0 ? 'COMPLETED' : 'COMPLETED_WITH_ERRORS';
}

/**
 * Counts and exports of a task's rows as they stand: which rows were created, and where each
 * created row's sensitive grants are (pending, approved, rejected), read from the grants.
 */
export async function settledRows(
  deps: Pick<FinalizeDeps, 'reports' | 'pendingGrants'>,
  task: ImportTask,
  validRows: readonly ImportRow[],
  latest: ReadonlyMap<number, RowOutcome>,
): Promise<{ counts: TaskCounts; grantsAwaiting: number; artifacts: Record<string, string> }> {
  const grants = importGrants(validRows, latest);
  const states = await readGrantStates(deps.pendingGrants, task.tenantId, grants);
  const tally = tallyGrants(grants, states);
  const counts: TaskCounts = {
    ...countsFrom(task.counts, latest),
    pendingApproval: tally.rowsAwaiting,
    grantsApproved: tally.grantsApproved,
    grantsRejected: tally.grantsRejected,
  };
  const succeeded = validRows.flatMap((row) => {
    const outcome = latest.get(row.row);
    return outcome?.status === 'CREATED' ? [outcome] : [];
  });
  const failed: RowOutcome[] = validRows.flatMap((row) => {
    const outcome = latest.get(row.row);
    if (outcome?.status === 'CREATED') return [];
    return [
      outcome ?? {
        row: row.row,
        email: row.email,
        status: 'FAILED' as const,
        code: 'PROVISIONING_INCOMPLETE',
        message: 'Its batch did not finish; retry the failed rows.',
      },
    ];
  });
  const artifacts = await writeExports(deps, task.tenantId, task.taskId, succeeded, failed, grants, states);
  return { counts, grantsAwaiting: tally.grantsAwaiting, artifacts };
}

/**
 * The `iam.user.bulk_imported` event of a run that is over, as of its final write (the same event,
 * id and content, however often it is announced), and the operator's summary when asked for.
 */
export async function announceRun(
  deps: Pick<FinalizeDeps, 'publish' | 'mailer' | 'directory'>,
  task: FinalTask,
  correlationId: string,
  options: { summary: boolean },
): Promise<void> {
  const endedAt = new Date(task.updatedAt);
  const durationSeconds =
    (endedAt.getTime() - new Date(task.runStartedAt ?? task.updatedAt).getTime()) / 1000;
  // The summary first: a crash after it is retried with the event alone, so the operator gets
  // it at most once and the event, under a stable id, at least once.
  if (options.summary) await sendSummary(deps, task.committedBy, task, task.status, task.counts);
  await deps.publish([
    domainEvent(
      'iam.user.bulk_imported',
      {
        tenantId: task.tenantId,
        correlationId,
        actor: task.committedBy
          ? { type: 'user', userId: task.committedBy, tenantId: task.tenantId }
          : { type: 'system', component: 'bulk-import' },
        occurredAt: endedAt,
      },
      { taskId: task.taskId, run: task.run, status: task.status, counts: task.counts, durationSeconds },
      `evt_${task.taskId.slice(2)}_run${task.run}_${task.status.toLowerCase()}`,
    ),
  ]);
}

async function writeExports(
  deps: Pick<FinalizeDeps, 'reports'>,
  tenantId: string,
  taskId: string,
  succeeded: readonly RowOutcome[],
  failed: readonly RowOutcome[],
  grants: readonly ImportGrant[],
  grantStates: ReadonlyMap<string, GrantStatus>,
) {
  const scratch = await mkdtemp(join(tmpdir(), 'muster-exports-'));
  try {
    const succeededKey = artifactKeys.succeededExport(tenantId, taskId);
    const failedKey = artifactKeys.failedExport(tenantId, taskId);
    const succeededFile = join(scratch, 'succeeded.csv');
    const failedFile = join(scratch, 'failed.csv');
    await writeCsvFile(
      succeededFile,
      // A created row can still carry a note: a group deleted since validation, for one.
      ['row', 'email', 'user_id', 'sensitive_roles', 'welcome_email', 'note_code', 'note'],
      succeeded.map((outcome) => [
        String(outcome.row),
        outcome.email,
        outcome.userId ?? '',
        sensitiveRolesOf(outcome.row, grants, grantStates),
        outcome.notification ?? '',
        outcome.code ?? '',
        outcome.message ?? '',
      ]),
    );
    await writeCsvFile(
      failedFile,
      ['row', 'email', 'code', 'message'],
      failed.map((outcome) => [
        String(outcome.row),
        outcome.email,
        outcome.code ?? '',
        outcome.message ?? '',
      ]),
    );
    await deps.reports.putFile(succeededKey, succeededFile, 'text/csv; charset=utf-8');
    await deps.reports.putFile(failedKey, failedFile, 'text/csv; charset=utf-8');
    return { succeededExport: succeededKey, failedExport: failedKey };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function sendSummary(
  deps: Pick<FinalizeDeps, 'mailer' | 'directory'>,
  committedBy: string | undefined,
  input: { tenantId: string; taskId: string; run: number },
  status: FinalStatus,
  counts: TaskCounts,
): Promise<void> {
  if (!deps.mailer || !committedBy) return;
  const operator = await deps.directory.getUser(input.tenantId, committedBy);
  if (!operator) return;
  await deps.mailer.send({
    to: operator.email,
    subject: `Import ${input.taskId}: ${status.toLowerCase().replaceAll('_', ' ')}`,
    text: [
      `Import ${input.taskId} (run ${input.run}) finished: ${status}.`,
      `Rows: ${counts.total} total, ${counts.valid} valid, ${counts.invalid} invalid.`,
      `Accounts: ${counts.succeeded} created, ${counts.failed} failed, ${counts.pendingApproval} waiting for approval.`,
      counts.grantsApproved || counts.grantsRejected
        ? `Sensitive role grants: ${counts.grantsApproved ?? 0} approved, ${counts.grantsRejected ?? 0} rejected.`
        : '',
      `Welcome emails sent: ${counts.notified}.`,
      counts.failed > 0 ? 'Download the failed rows from the task, then retry them.' : '',
    ]
      .filter(Boolean)
      .join('\n'),
    html: `<p>Import <b>${input.taskId}</b> (run ${input.run}) finished: <b>${status}</b>.</p><p>${counts.succeeded} created, ${counts.failed} failed, ${counts.pendingApproval} waiting for approval, ${counts.notified} welcome emails sent.</p>`,
  });
}

function describeFailure(error: unknown): string {
  if (error && typeof error === 'object' && 'Error' in error && typeof error.Error === 'string') {
    const cause = 'Cause' in error && typeof error.Cause === 'string' ? `: ${error.Cause.slice(0, 300)}` : '';
    return `${error.Error}${cause}`;
  }
  return 'Provisioning stopped before the end.';
}
