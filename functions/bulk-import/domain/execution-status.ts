/**
 * Whether a "Step Functions Execution Status Change" that ended a run arrives after a redrive of
 * that run already moved its task back to PROVISIONING. EventBridge delivers at least once, so a
 * late copy of the FAILED change must not mark the redriven, running run FAILED. A failure of the
 * redriven run stops after the redrive, so it is never taken for a stale one.
 */
export function isStaleStatusChange(
  task: { readonly status: string; readonly run: number; readonly updatedAt: string },
  change: { readonly run: number; readonly stoppedAt: number },
): boolean {
  return (
    task.run === change.run && task.status === 'PROVISIONING' && Date.parse(task.updatedAt) > change.stoppedAt
  );
}

/** Fail states the workflow ends in on purpose: the approval's outcome is settled, nothing is left to resume. */
const SETTLED_FAILURES = new Set(['ApprovalFailed', 'GrantSettlementFailed']);

/** Whether a run's execution ended on its approval, on purpose: a redrive would resume nothing. */
export function endedOnItsApproval(execution: { readonly error?: string }): boolean {
  return execution.error !== undefined && SETTLED_FAILURES.has(execution.error);
}

/**
 * Whether a run's execution stopped part-way and a redrive would resume it: it failed, timed out or
 * was aborted at a step, not on its approval, and AWS still redrives it.
 */
export function isResumable(execution: {
  readonly status: string;
  readonly error?: string;
  readonly redrivable: boolean;
}): boolean {
  return (
    ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(execution.status) &&
    !endedOnItsApproval(execution) &&
    execution.redrivable
  );
}
