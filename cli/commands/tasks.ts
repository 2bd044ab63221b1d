import { setTimeout as sleep } from 'node:timers/promises';
import type { Invocation } from '../args';
import { type CommandContext, print } from '../context';
import { issuesCsv, issuesTable, taskSummary } from '../format';
import { exitCodeOf } from '../outcome';
import { watchRun } from '../watch';

/** `muster status <taskId>`: informational, so it exits 0 whatever the task's state. */
export async function status(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'status' }>,
): Promise<number> {
  const task = await context.api.task(invocation.taskId);
  print(context, task, () => taskSummary(task));
  return 0;
}

/** `muster errors <taskId>`: every issue, all pages; --csv for a spreadsheet (wins over --json). */
export async function errors(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'errors' }>,
): Promise<number> {
  const issues = await context.api.allIssues(invocation.taskId);
  if (invocation.csv) {
    context.terminal.out(`${issuesCsv(issues)}\r\n`);
    return 0;
  }
  print(context, { items: issues }, () => (issues.length === 0 ? 'no issues' : issuesTable(issues)));
  return 0;
}

/** `muster retry <taskId>`: a new run of the failed rows; with --watch, followed to its end. */
export async function retry(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'retry' }>,
): Promise<number> {
  const started = await context.api.retry(invocation.taskId);
  if (!invocation.watch) {
    print(
      context,
      started,
      () => `task ${started.taskId}: run ${started.run ?? '?'} retries the failed rows`,
    );
    return 0;
  }
  context.terminal.err(`task ${started.taskId}: run ${started.run ?? '?'} retries the failed rows\n`);
  const task = await watchRun(context, invocation.taskId);
  print(context, task, () => taskSummary(task));
  return exitCodeOf(task);
}

/**
 * `muster redrive <taskId|executionArn>`: resumes the failed execution of the task's current run at
 * the step that failed (a run still going, or one that ran to its end, is refused by the API); with
 * --watch, followed to its end. An execution ARN of an earlier run is refused here: the API only
 * redrives the current run.
 */
export async function redrive(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'redrive' }>,
): Promise<number> {
  if (invocation.run !== undefined) {
    const { run } = await context.api.task(invocation.taskId);
    if (run !== invocation.run) {
      context.terminal.err(
        `task ${invocation.taskId} is at run ${run}: run ${invocation.run} can no longer be redriven; retry its failed rows instead\n`,
      );
      return 1;
    }
  }
  const started = await context.api.redrive(invocation.taskId);
  const line = `task ${started.taskId}: run ${started.run ?? '?'} resumes where it failed`;
  if (!invocation.watch) {
    print(context, started, () => line);
    return 0;
  }
  context.terminal.err(`${line}\n`);
  const task = await watchRun(context, invocation.taskId);
  print(context, task, () => taskSummary(task));
  return exitCodeOf(task);
}

/**
 * `muster replay-emails <taskId>`: one call of the replay, which sends what it has time for; with
 * --watch, called again until no email remains (waiting a moment when another replay holds the
 * rest). Exits 1 when an email failed again: its row says FAILED, replay again once SES is healthy.
 */
export async function replayEmails(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'replay-emails' }>,
): Promise<number> {
  let total = { taskId: invocation.taskId, sent: 0, failed: 0, remaining: 0 };
  for (;;) {
    const replayed = await context.api.replayWelcomeEmails(invocation.taskId);
    total = {
      taskId: replayed.taskId,
      sent: total.sent + replayed.sent,
      failed: total.failed + replayed.failed,
      remaining: replayed.remaining,
    };
    if (!invocation.watch || replayed.remaining === 0) break;
    context.terminal.err(`task ${total.taskId}: ${total.sent} sent so far, ${total.remaining} to go\n`);
    if (replayed.sent === 0 && replayed.failed === 0) await sleep(context.pollIntervalMs);
  }
  print(
    context,
    total,
    () =>
      `task ${total.taskId}: ${total.sent} welcome email(s) sent, ${total.failed} failed again` +
      (total.remaining > 0 ? `, ${total.remaining} remaining (run it again)` : ''),
  );
  return total.failed > 0 ? 1 : 0;
}
