import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskView } from './api-client';
import type { CommandContext } from './context';
import { type ProgressSample, progressBetween, progressLine, sampleOf } from './progress';

/**
 * Where a run stops moving by itself. AWAITING_APPROVAL is one: the run waits for a person, for up
 * to days, and carries on by itself once someone decides (`muster approvals`).
 */
const RUN_SETTLED = new Set(['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'AWAITING_APPROVAL']);

/** Polls a task until its validation is over. */
export async function waitForValidation(context: CommandContext, taskId: string): Promise<TaskView> {
  for (;;) {
    const task = await context.api.task(taskId);
    if (task.status !== 'VALIDATING') return task;
    await sleep(context.pollIntervalMs);
  }
}

/**
 * Follows a provisioning run until it settles, drawing its progress on stderr: one line redrawn
 * in place on a terminal, one line per change (status or rows settled) otherwise.
 */
export async function watchRun(context: CommandContext, taskId: string): Promise<TaskView> {
  const { terminal } = context;
  let first: ProgressSample | undefined;
  let lastPrinted = '';
  for (;;) {
    const task = await context.api.task(taskId);
    const sample = sampleOf(task.counts, Date.now());
    first ??= sample;
    const settled = RUN_SETTLED.has(task.status);
    const line = progressLine(task.status, progressBetween(first, sample));
    if (terminal.errIsTTY) {
      terminal.err(`\r${line}\x1b[K${settled ? '\n' : ''}`);
    } else {
      const state = `${task.status} ${sample.done}/${sample.total}`;
      if (state !== lastPrinted) terminal.err(`${line}\n`);
      lastPrinted = state;
    }
    if (settled) return task;
    await sleep(context.pollIntervalMs);
  }
}
