import { z } from 'zod';
import { ApiError, MusterApi } from './api-client';
import { type GlobalOptions, type Invocation, parseCommandLine, USAGE, UsageError } from './args';
import { decideApproval, listApprovals } from './commands/approvals';
import { importFile } from './commands/import';
import { errors, redrive, replayEmails, retry, status } from './commands/tasks';
import { template } from './commands/template';
import { token } from './commands/token';
import { CliFailure, type CommandContext, type Terminal } from './context';
import { errorLine } from './format';

const POLL_INTERVAL_MS = 500;

/** Runs one command line; the answer is the exit code (0 done, 1 failed, 2 usage). */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  terminal: Terminal,
): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    terminal.err(`muster: ${error.message} (muster --help for usage)\n`);
    return 2;
  }
  const { globals, invocation } = parsed;
  if (invocation.command === 'help') {
    terminal.out(`${USAGE}\n`);
    return 0;
  }
  const api: MusterApi = new MusterApi(
    globals.apiUrl,
    bearerToken(globals, () => api),
  );
  const context: CommandContext = { api, globals, terminal, pollIntervalMs: POLL_INTERVAL_MS };
  try {
    return await run(context, invocation);
  } catch (error) {
    if (error instanceof ApiError) terminal.err(`${errorLine(error)}\n`);
    else if (error instanceof CliFailure) terminal.err(`muster: ${error.message}\n`);
    else if (error instanceof z.ZodError) {
      terminal.err(
        `muster: UNEXPECTED_ANSWER: the API answered in a shape this CLI does not know: ${error.message}\n`,
      );
    } else throw error;
    return 1;
  }
}

/** The caller's token, or one the local stack's issuer mints for --tenant/--email/--roles. */
function bearerToken(globals: GlobalOptions, api: () => MusterApi): () => Promise<string> {
  const given = globals.token;
  if (given !== undefined) return () => Promise.resolve(given);
  return async () =>
    (await api().localToken({ tenantId: globals.tenantId, email: globals.email, roles: globals.roles }))
      .accessToken;
}

function run(context: CommandContext, invocation: Exclude<Invocation, { command: 'help' }>): Promise<number> {
  switch (invocation.command) {
    case 'template':
      return template(context, invocation);
    case 'import':
      return importFile(context, invocation);
    case 'status':
      return status(context, invocation);
    case 'errors':
      return errors(context, invocation);
    case 'retry':
      return retry(context, invocation);
    case 'redrive':
      return redrive(context, invocation);
    case 'replay-emails':
      return replayEmails(context, invocation);
    case 'approvals-list':
      return listApprovals(context, invocation);
    case 'approvals-decide':
      return decideApproval(context, invocation);
    case 'token':
      return token(context);
  }
}

process.exitCode = await main(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
});
