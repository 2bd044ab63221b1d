import type { Caller } from '../../identity/caller';
import type { ExecutionState } from '../../shared/aws/workflow-client';
import { ConflictError } from '../../shared/errors';
import { logger } from '../../shared/observability';
import type { ImportTaskRepository } from '../adapters/import-task-repository';
import { artifactKeys } from '../domain/artifact-keys';
import { isResumable } from '../domain/execution-status';
import { type NotifyBatchDeps, notifyBatch } from './notify-batch';
import { findTask } from './task-view';

export interface ReplayWelcomeEmailsDeps {
  readonly tasks: Pick<
    ImportTaskRepository,
    'getTask' | 'listBatchesWithUnsentEmails' | 'claimEmails' | 'releaseEmailClaim' | 'addNotified'
  >;
  /** What the workflow's notification step sends with: a replay sends the same way. */
  readonly notify: NotifyBatchDeps;
  readonly notificationsEnabled: boolean;
  /** Where a run's execution stands (undefined past AWS's 90 days). */
  readonly runExecution: (taskId: string, run: number) => Promise<ExecutionState | undefined>;
  /** Milliseconds left before the caller must answer (the function's remaining time). */
  readonly timeLeftMs: () => number;
  readonly newClaimId: () => string;
  readonly clock: () => Date;
}

export interface ReplayOutcome {
  readonly taskId: string;
  /** Welcome emails sent by this call. */
  readonly sent: number;
  /** Welcome emails this call tried that failed again (recorded FAILED on their rows). */
  readonly failed: number;
  /** Emails not tried yet: out of time, or their batch held by another replay. Call again until 0. */
  readonly remaining: number;
}

/**
 * A batch is started only with this much time left: its sends (eight at a time, each retried by
 * the SES client) and its outcome write must finish before the function is stopped.
 */
export const BATCH_TIME_NEEDED_MS = 10_000;
/**
 * A claim outlives any replay that holds it (an API function stops within 29 s): an older one
 * belongs to a replay that was stopped, and the batch is free again.
 */
export const CLAIM_LEASE_MS = 2 * 60 * 1000;

/** Tasks whose runs have done their notification steps: a replay cannot race a run's own. */
const REPLAYABLE = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'AWAITING_APPROVAL']);

/**
 * `POST .../:taskId/welcome-emails`: sends the welcome email of every user the task created whose
 * email is not SENT (failed, skipped while notifications were off, or never tried because the run
 * stopped), once, never touching the accounts. Each batch is claimed before it is sent (a
 * conditional write), so two replays racing never send the same email; the claim ends when the
 * batch's outcome is written. It works through the batches until its time is nearly up and says
 * what remains: the caller repeats until nothing does.
 */
export async function replayWelcomeEmails(
  deps: ReplayWelcomeEmailsDeps,
  caller: Caller,
  taskId: string,
): Promise<ReplayOutcome> {
  const tenantId = caller.tenantId;
  const task = await findTask(deps, tenantId, taskId);
  if (task.run === 0) {
    throw new ConflictError('NOTHING_TO_REPLAY', `The task is ${task.status}: no account was created yet.`);
  }
  if (!REPLAYABLE.has(task.status)) {
    throw new ConflictError(
      'RUN_IN_PROGRESS',
      `Run ${task.run} is ${task.status}: it sends its own welcome emails; replay the ones that failed once it ends.`,
    );
  }
  if (task.status === 'FAILED') await refuseResumableRun(deps, task.taskId, task.run);
  if (!task.sendWelcome) {
    throw new ConflictError(
      'WELCOME_NOT_REQUESTED',
      'The import was committed with sendWelcome false: its users get no welcome email.',
    );
  }
  if (!deps.notificationsEnabled) {
    throw new ConflictError(
      'NOTIFICATIONS_OFF',
      'Transactional email is off in this environment (flag notify-transactional): turn it on, then replay.',
    );
  }

  const batches = await deps.tasks.listBatchesWithUnsentEmails(tenantId, taskId);
  const claimId = deps.newClaimId();
  let sent = 0;
  let failed = 0;
  let remaining = 0;
  for (const ref of batches) {
    if (deps.timeLeftMs() < BATCH_TIME_NEEDED_MS) {
      remaining += ref.unsent;
      continue;
    }
    const now = deps.clock();
    const until = new Date(now.getTime() + CLAIM_LEASE_MS).toISOString();
    if (!(await deps.tasks.claimEmails(tenantId, taskId, ref, { id: claimId, until }, now.toISOString()))) {
      remaining += ref.unsent;
      continue;
    }
    const { delivery } = await notifyBatch(deps.notify, {
      tenantId,
      taskId,
      run: ref.run,
      batch: { number: ref.batch, key: artifactKeys.batch(tenantId, taskId, ref.run, ref.batch) },
      correlationId: caller.audit.correlationId,
      sendWelcome: true,
      notificationsEnabled: true,
    }).catch(async (error: unknown) => {
      await deps.tasks.releaseEmailClaim(tenantId, taskId, ref, claimId);
      throw error;
    });
    if (delivery.sent > 0) await deps.tasks.addNotified(tenantId, taskId, delivery.sent);
    sent += delivery.sent;
    failed += delivery.failed;
  }
  logger.info('Welcome emails replayed', { task_id: taskId, sent, failed, remaining });
  return { taskId, sent, failed, remaining };
}

/**
 * A run that stopped part-way is for its redrive, whose notification steps send the emails still
 * missing: a replay beside it (or beside a notification step still finishing after its Map failed)
 * would write the same batches and could send an email twice. A run that ended on its approval, or
 * that AWS no longer redrives, has nothing left to resume its emails.
 */
async function refuseResumableRun(deps: ReplayWelcomeEmailsDeps, taskId: string, run: number): Promise<void> {
  const execution = await deps.runExecution(taskId, run);
  if (execution === undefined) return;
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
    throw new ConflictError(
      'RUN_IN_PROGRESS',
      `Run ${run} is being redriven: it sends its own welcome emails; replay the ones that failed once it ends.`,
    );
  }
  if (isResumable(execution)) {
    throw new ConflictError(
      'REDRIVE_FIRST',
      `Run ${run} stopped part-way (${execution.error ?? execution.status}): redrive it (POST .../${taskId}/redrive, or muster redrive), which sends the welcome emails still missing; replay the ones that fail again once it has ended.`,
    );
  }
}
