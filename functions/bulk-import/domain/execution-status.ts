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
