import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectoryRepository } from '../../identity/adapters/directory-repository';
import type { Mailer } from '../../shared/aws/mailer';
import type { ObjectStore } from '../../shared/aws/object-store';
import { domainEvent } from '../../shared/events/catalog';
import type { DomainEvent } from '../../shared/events/domain-event';
import { parseRowLines } from '../adapters/import-row-codec';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { writeCsvFile } from '../adapters/report-writers';
import { artifactKeys } from '../domain/artifact-keys';
import type { TaskCounts } from '../domain/import-task';
import { countsFrom, latestOutcomes, type RowOutcome } from '../domain/row-outcome';
import { findTask } from './task-view';

export interface FinalizeDeps {
  readonly tasks: Pick<ImportTaskRepository, 'getTask' | 'listBatchOutcomes' | 'transition'>;
  readonly reports: Pick<ObjectStore, 'readText' | 'putFile'>;
  readonly directory: Pick<DirectoryRepository, 'getUser'>;
  readonly publish: (events: readonly DomainEvent[]) => Promise<void>;
  /** Absent when transactional notifications are off: no summary email then. */
  readonly mailer?: Pick<Mailer, 'send'>;
  readonly recordMetrics: (counts: TaskCounts, durationSeconds: number) => void;
  readonly clock: () => Date;
}

export type FinalStatus = 'COMPLETED' | 'COMPLETED_WITH_ERRORS' | 'FAILED';

/**
 * Ends a run: counts from every row's latest outcome (a valid row without one failed), the
 * succeeded and failed exports, the final status, the `iam.user.bulk_imported` event and the
 * operator's summary. Retried, it finds the task already final for this run and changes nothing;
 * a redriven execution that failed before finalizes its run again, with the rows it now created.
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
  },
): Promise<{ status: string }> {
  const task = await findTask(deps, input.tenantId, input.taskId);
  // A FAILED run is finalized again when its execution is redriven; any other settled run, or an
  // older run, is left as it is (a retried Finalize step).
  const finalizable = task.run === input.run && (task.status === 'PROVISIONING' || task.status === 'FAILED');
  if (!finalizable || (task.status === 'FAILED' && input.outcome === 'FAILED'))
    return { status: task.status };

  const validRows = parseRowLines(await deps.reports.readText(task.artifacts.validRows ?? ''));
  const latest = latestOutcomes(await deps.tasks.listBatchOutcomes(input.tenantId, input.taskId));
  const counts = countsFrom(task.counts, latest);
  const status: FinalStatus =
    input.outcome === 'FAILED' || counts.succeeded === 0
      ? 'FAILED'
      : counts.failed === 0
        ? 'COMPLETED'
        : 'COMPLETED_WITH_ERRORS';

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
  const artifacts = await writeExports(deps, task.tenantId, task.taskId, succeeded, failed);

  const now = deps.clock();
  const final = await deps.tasks.transition(
    input.tenantId,
    input.taskId,
    ['PROVISIONING', 'FAILED'],
    status,
    {
      counts,
      artifacts: { ...task.artifacts, ...artifacts },
      ...(input.outcome === 'FAILED' ? { failureReason: describeFailure(input.error) } : {}),
    },
    now.toISOString(),
  );
  const durationSeconds = (now.getTime() - new Date(task.updatedAt).getTime()) / 1000;
  deps.recordMetrics(counts, durationSeconds);
  await deps.publish([
    domainEvent(
      'iam.user.bulk_imported',
      {
        tenantId: input.tenantId,
        correlationId: input.correlationId,
        actor: task.committedBy
          ? { type: 'user', userId: task.committedBy, tenantId: input.tenantId }
          : { type: 'system', component: 'bulk-import' },
        occurredAt: now,
      },
      { taskId: input.taskId, run: input.run, status, counts, durationSeconds },
      `evt_${input.taskId.slice(2)}_run${input.run}_${status.toLowerCase()}`,
    ),
  ]);
  await sendSummary(deps, final.committedBy, input, status, counts);
  return { status };
}

async function writeExports(
  deps: Pick<FinalizeDeps, 'reports'>,
  tenantId: string,
  taskId: string,
  succeeded: readonly RowOutcome[],
  failed: readonly RowOutcome[],
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
      ['row', 'email', 'user_id', 'pending_approval', 'welcome_email', 'note_code', 'note'],
      succeeded.map((outcome) => [
        String(outcome.row),
        outcome.email,
        outcome.userId ?? '',
        outcome.pendingApproval ? 'yes' : 'no',
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
