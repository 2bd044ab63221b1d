import { type ParseArgsConfig, parseArgs } from 'node:util';

export const LOCAL_API_URL = 'http://127.0.0.1:3000';
export const LOCAL_OPERATOR = { tenantId: 'local', email: 'operator@muster.local' } as const;

/** A command line the CLI cannot run: exit code 2, with the usage. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface GlobalOptions {
  readonly apiUrl: string;
  /** A bearer token given by the caller; without one, the local stack's issuer mints one. */
  readonly token?: string;
  readonly tenantId: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly json: boolean;
}

export type Invocation =
  | { readonly command: 'help' }
  | { readonly command: 'template'; readonly format: 'csv' | 'xlsx'; readonly out?: string }
  | {
      readonly command: 'import';
      readonly file: string;
      readonly commit: boolean;
      readonly sendWelcome: boolean;
      readonly watch: boolean;
    }
  | { readonly command: 'status'; readonly taskId: string }
  | { readonly command: 'errors'; readonly taskId: string; readonly csv: boolean }
  | { readonly command: 'retry'; readonly taskId: string; readonly watch: boolean }
  | {
      readonly command: 'redrive';
      readonly taskId: string;
      /** Named by an execution ARN: the run it must still be the task's current one. */
      readonly run?: number;
      readonly watch: boolean;
    }
  | { readonly command: 'replay-emails'; readonly taskId: string; readonly watch: boolean }
  | { readonly command: 'approvals-list'; readonly status: ApprovalStatus }
  | {
      readonly command: 'approvals-decide';
      readonly approvalId: string;
      readonly decision: 'APPROVE' | 'REJECT';
      readonly justification?: string;
    }
  | { readonly command: 'token' };

const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'EXPIRED'] as const;
type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

const globalOptions = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  tenant: { type: 'string' },
  email: { type: 'string' },
  roles: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Each command's own options, on top of the global ones. */
const commandOptions = {
  template: { format: { type: 'string' }, out: { type: 'string' } },
  import: { commit: { type: 'boolean' }, 'no-welcome': { type: 'boolean' }, watch: { type: 'boolean' } },
  status: {},
  errors: { csv: { type: 'boolean' } },
  retry: { watch: { type: 'boolean' } },
  redrive: { watch: { type: 'boolean' } },
  'replay-emails': { watch: { type: 'boolean' } },
  approvals: { status: { type: 'string' }, justification: { type: 'string' } },
  token: {},
} as const satisfies Record<string, ParseArgsConfig['options']>;
type CommandName = keyof typeof commandOptions;

export const USAGE = `Usage: muster <command> [options]

Commands:
  template [--format csv|xlsx] [--out file]      the import template (CSV to stdout unless --out)
  import <file> [--commit] [--no-welcome] [--watch]
                                                 upload, validate, and optionally commit and follow an import
  status <taskId>                                an import task's status and counts
  errors <taskId> [--csv]                        every validation issue of a task
  retry <taskId> [--watch]                       replay the failed rows of a task
  redrive <taskId|executionArn> [--watch]        resume a crashed run's failed execution where it failed
  replay-emails <taskId> [--watch]               send the welcome emails of a task not yet sent, once
                                                 (--watch: again until none remains)
  approvals list [--status PENDING|APPROVED|REJECTED|EXPIRED]
  approvals approve <approvalId> [--justification text]
  approvals reject <approvalId> [--justification text]
  token                                          a bearer token from the local stack's issuer

Global options:
  --api-url url     the API (env MUSTER_API_URL; default ${LOCAL_API_URL}, the local stack)
  --token jwt       a bearer token (env MUSTER_TOKEN); without one, the local stack mints one for
  --tenant id       this tenant (default ${LOCAL_OPERATOR.tenantId}),
  --email address   this user (default ${LOCAL_OPERATOR.email})
  --roles a,b       with at least these roles (local stack only)
  --json            machine-readable output on stdout
  -h, --help        this text

Exit codes: 0 done, 1 failed (an API error, invalid or failed rows, a failed task), 2 usage error.`;

/**
 * Reads the command line (global options anywhere) and the environment into what to run.
 * Throws UsageError for anything it cannot run.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { globals: GlobalOptions; invocation: Invocation } {
  const allOptions = Object.assign({}, globalOptions, ...Object.values(commandOptions)) as Record<
    string,
    { type: 'string' | 'boolean' }
  >;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options: allOptions, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const [name, ...positionals] = parsed.positionals;
  const globals = globalsOf(values, env);
  if (values.help || name === undefined || name === 'help')
    return { globals, invocation: { command: 'help' } };
  if (!isCommand(name)) throw new UsageError(`Unknown command "${name}".`);
  const allowed = new Set([...Object.keys(globalOptions), ...Object.keys(commandOptions[name])]);
  const stray = Object.keys(values).find((option) => !allowed.has(option));
  if (stray) throw new UsageError(`"${name}" takes no --${stray}.`);
  return { globals, invocation: invocationOf(name, positionals, values) };
}

function globalsOf(
  values: Record<string, string | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
): GlobalOptions {
  const apiUrl = stringValue(values['api-url']) ?? (env.MUSTER_API_URL || LOCAL_API_URL);
  if (!URL.canParse(apiUrl)) throw new UsageError(`--api-url "${apiUrl}" is not a URL.`);
  const token = stringValue(values.token) ?? (env.MUSTER_TOKEN || undefined);
  const roles = (stringValue(values.roles) ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    ...(token ? { token } : {}),
    tenantId: stringValue(values.tenant) ?? LOCAL_OPERATOR.tenantId,
    email: stringValue(values.email) ?? LOCAL_OPERATOR.email,
    roles,
    json: values.json === true,
  };
}

function invocationOf(
  name: CommandName,
  positionals: readonly string[],
  values: Record<string, string | boolean | undefined>,
): Invocation {
  switch (name) {
    case 'template': {
      expectPositionals(name, positionals, []);
      const format = stringValue(values.format) ?? 'csv';
      if (format !== 'csv' && format !== 'xlsx') throw new UsageError('--format is csv or xlsx.');
      const out = stringValue(values.out);
      return { command: 'template', format, ...(out ? { out } : {}) };
    }
    case 'import': {
      const [file] = expectPositionals(name, positionals, ['file']);
      return {
        command: 'import',
        file,
        commit: values.commit === true,
        sendWelcome: values['no-welcome'] !== true,
        watch: values.watch === true,
      };
    }
    case 'status':
      return { command: 'status', taskId: expectPositionals(name, positionals, ['taskId'])[0] };
    case 'errors':
      return {
        command: 'errors',
        taskId: expectPositionals(name, positionals, ['taskId'])[0],
        csv: values.csv === true,
      };
    case 'retry':
      return {
        command: 'retry',
        taskId: expectPositionals(name, positionals, ['taskId'])[0],
        watch: values.watch === true,
      };
    case 'redrive':
      return {
        command: 'redrive',
        ...redriveTarget(expectPositionals(name, positionals, ['taskId|executionArn'])[0]),
        watch: values.watch === true,
      };
    case 'replay-emails':
      return {
        command: 'replay-emails',
        taskId: expectPositionals(name, positionals, ['taskId'])[0],
        watch: values.watch === true,
      };
    case 'approvals':
      return approvalsInvocation(positionals, values);
    case 'token':
      expectPositionals(name, positionals, []);
      return { command: 'token' };
  }
}

function approvalsInvocation(
  positionals: readonly string[],
  values: Record<string, string | boolean | undefined>,
): Invocation {
  const [action, ...rest] = positionals;
  const justification = stringValue(values.justification);
  if (action === 'list') {
    expectPositionals('approvals list', rest, []);
    if (justification !== undefined) throw new UsageError('"approvals list" takes no --justification.');
    const status = (stringValue(values.status) ?? 'PENDING').toUpperCase();
    if (!isApprovalStatus(status))
      throw new UsageError(`--status is one of ${APPROVAL_STATUSES.join(', ')}.`);
    return { command: 'approvals-list', status };
  }
  if (action === 'approve' || action === 'reject') {
    const [approvalId] = expectPositionals(`approvals ${action}`, rest, ['approvalId']);
    if (values.status !== undefined) throw new UsageError(`"approvals ${action}" takes no --status.`);
    return {
      command: 'approvals-decide',
      approvalId,
      decision: action === 'approve' ? 'APPROVE' : 'REJECT',
      ...(justification !== undefined ? { justification } : {}),
    };
  }
  throw new UsageError('approvals: say list, approve <approvalId> or reject <approvalId>.');
}

function expectPositionals<const Names extends readonly string[]>(
  command: string,
  positionals: readonly string[],
  names: Names,
): { [Index in keyof Names]: string } {
  if (positionals.length !== names.length) {
    const wanted = names.length === 0 ? 'no arguments' : names.map((argument) => `<${argument}>`).join(' ');
    throw new UsageError(`"${command}" takes ${wanted}; got ${positionals.length}.`);
  }
  return positionals as unknown as { [Index in keyof Names]: string };
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(commandOptions, name);
}

function isApprovalStatus(status: string): status is ApprovalStatus {
  return (APPROVAL_STATUSES as readonly string[]).includes(status);
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A bulk-import execution is named `<taskId>-run-<run>` (functions/bulk-import/use-cases/provisioning-runs.ts). */
const IMPORT_EXECUTION_ARN = /^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:(t_[0-9a-z]{26})-run-(\d+)$/;

function redriveTarget(target: string): { taskId: string; run?: number } {
  if (!target.startsWith('arn:')) return { taskId: target };
  const match = IMPORT_EXECUTION_ARN.exec(target);
  if (!match?.[1] || !match[2]) {
    throw new UsageError(
      `"${target}" is not a bulk-import execution ARN (…:execution:<machine>:<taskId>-run-<n>).`,
    );
  }
  return { taskId: match[1], run: Number(match[2]) };
}
