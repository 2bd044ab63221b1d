import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportIssue, TaskView } from '../api-client';
import type { Invocation } from '../args';
import { CliFailure, type CommandContext, print } from '../context';
import { issuesTable, taskSummary } from '../format';
import { exitCodeOf } from '../outcome';
import { waitForValidation, watchRun } from '../watch';

/** Issues shown after validation; `muster errors` lists them all. */
const ISSUES_SHOWN = 10;

/**
 * `muster import <file>`: upload through the presigned URL, wait for validation, show the counts
 * and first issues; with --commit provision the valid rows, with --watch follow the run to its end.
 */
export async function importFile(
  context: CommandContext,
  invocation: Extract<Invocation, { command: 'import' }>,
): Promise<number> {
  const { api, terminal } = context;
  const bytes = await readFile(invocation.file).catch((error: NodeJS.ErrnoException) => {
    throw new CliFailure(`cannot read ${invocation.file}: ${error.code ?? error.message}`);
  });
  const fileName = basename(invocation.file);
  const upload = await api.createUpload(fileName, bytes.byteLength);
  await api.sendUpload(upload, fileName, bytes);
  const { taskId } = await api.startValidation(upload.fileId);
  terminal.err(`uploaded ${fileName} (${bytes.byteLength} bytes): task ${taskId}, validating\n`);

  const validated = await waitForValidation(context, taskId);
  const issues = await api.firstIssues(taskId, ISSUES_SHOWN);
  if (!context.globals.json) terminal.out(`${validationReport(validated, issues)}\n`);

  let task = validated;
  if (invocation.commit && validated.status === 'VALIDATED') {
    if (validated.counts.invalid > 0) {
      terminal.err(
        `committing the ${validated.counts.valid} valid rows; the ${validated.counts.invalid} invalid ones are left out\n`,
      );
    }
    const started = await api.commit(taskId, invocation.sendWelcome);
    terminal.err(`committed: run ${started.run ?? '?'} provisioning\n`);
    task = invocation.watch ? await watchRun(context, taskId) : await api.task(taskId);
    if (!context.globals.json) terminal.out(`${taskSummary(task)}\n`);
  } else if (invocation.commit) {
    terminal.err(`not committed: the task is ${validated.status}\n`);
  }
  if (context.globals.json) print(context, { task, issues }, () => '');
  return exitCodeOf(task);
}

function validationReport(task: TaskView, issues: readonly ImportIssue[]): string {
  if (issues.length === 0) return `${taskSummary(task)}\nno issues`;
  const more =
    issues.length === ISSUES_SHOWN
      ? `\nfirst ${ISSUES_SHOWN} issues shown; all of them: muster errors ${task.taskId}`
      : '';
  return `${taskSummary(task)}\n\n${issuesTable(issues)}${more}`;
}
