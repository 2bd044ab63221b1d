import { describe, expect, it } from 'vitest';
import { LOCAL_API_URL, parseCommandLine, UsageError } from '../../../cli/args';

const parse = (argv: string[], env: Record<string, string> = {}) => parseCommandLine(argv, env);

describe('parseCommandLine', () => {
  it('defaults to the local stack and its operator, human output', () => {
    expect(parse(['status', 't_1']).globals).toEqual({
      apiUrl: LOCAL_API_URL,
      tenantId: 'local',
      email: 'operator@muster.local',
      roles: [],
      json: false,
    });
  });

  it('takes the API URL and token from the environment, and the flags over them', () => {
    const env = { MUSTER_API_URL: 'https://api.example.test/', MUSTER_TOKEN: 'from-env' };
    expect(parse(['status', 't_1'], env).globals).toMatchObject({
      apiUrl: 'https://api.example.test',
      token: 'from-env',
    });
    expect(
      parse(['--api-url', 'http://127.0.0.1:4000', 'status', 't_1', '--token', 'flag'], env).globals,
    ).toMatchObject({ apiUrl: 'http://127.0.0.1:4000', token: 'flag' });
  });

  it('reads global options anywhere on the line, roles as a comma list', () => {
    const { globals, invocation } = parse([
      'errors',
      '--json',
      't_1',
      '--tenant',
      'acme',
      '--email',
      'a@acme.test',
      '--roles',
      'tenant_admin, operator',
    ]);
    expect(globals).toMatchObject({
      tenantId: 'acme',
      email: 'a@acme.test',
      roles: ['tenant_admin', 'operator'],
    });
    expect(globals.json).toBe(true);
    expect(invocation).toEqual({ command: 'errors', taskId: 't_1', csv: false });
  });

  it('reads import with its switches, welcome emails on unless --no-welcome', () => {
    expect(parse(['import', 'people.csv']).invocation).toEqual({
      command: 'import',
      file: 'people.csv',
      commit: false,
      sendWelcome: true,
      watch: false,
    });
    expect(parse(['import', 'people.csv', '--commit', '--no-welcome', '--watch']).invocation).toEqual({
      command: 'import',
      file: 'people.csv',
      commit: true,
      sendWelcome: false,
      watch: true,
    });
  });

  it('reads template with csv by default and xlsx on request', () => {
    expect(parse(['template']).invocation).toEqual({ command: 'template', format: 'csv' });
    expect(parse(['template', '--format', 'xlsx', '--out', 'x.xlsx']).invocation).toEqual({
      command: 'template',
      format: 'xlsx',
      out: 'x.xlsx',
    });
  });

  it('reads the approvals sub-commands', () => {
    expect(parse(['approvals', 'list']).invocation).toEqual({ command: 'approvals-list', status: 'PENDING' });
    expect(parse(['approvals', 'list', '--status', 'approved']).invocation).toEqual({
      command: 'approvals-list',
      status: 'APPROVED',
    });
    expect(parse(['approvals', 'approve', 'ap_1', '--justification', 'Needed.']).invocation).toEqual({
      command: 'approvals-decide',
      approvalId: 'ap_1',
      decision: 'APPROVE',
      justification: 'Needed.',
    });
    expect(parse(['approvals', 'reject', 'ap_1']).invocation).toEqual({
      command: 'approvals-decide',
      approvalId: 'ap_1',
      decision: 'REJECT',
    });
  });

  it('answers help for no command, help, and --help anywhere', () => {
    expect(parse([]).invocation).toEqual({ command: 'help' });
    expect(parse(['help']).invocation).toEqual({ command: 'help' });
    expect(parse(['import', '-h']).invocation).toEqual({ command: 'help' });
  });

  it('redrives a task, or the task and run an execution ARN names', () => {
    expect(parse(['redrive', 't_1', '--watch']).invocation).toEqual({
      command: 'redrive',
      taskId: 't_1',
      watch: true,
    });
    const arn =
      'arn:aws:states:eu-west-1:123456789012:execution:muster-dev-BulkImport:t_01jredrive0000000000000000-run-2';
    expect(parse(['redrive', arn]).invocation).toEqual({
      command: 'redrive',
      taskId: 't_01jredrive0000000000000000',
      run: 2,
      watch: false,
    });
  });

  it('reads replay-emails of a task, once or until none remains', () => {
    expect(parse(['replay-emails', 't_1']).invocation).toEqual({
      command: 'replay-emails',
      taskId: 't_1',
      watch: false,
    });
    expect(parse(['replay-emails', '--watch', 't_1']).invocation).toMatchObject({ watch: true });
  });

  it.each([
    [['launch'], /Unknown command "launch"/],
    [['replay-emails'], /"replay-emails" takes <taskId>; got 0/],
    [['replay-emails', 't_1', '--csv'], /"replay-emails" takes no --csv/],
    [['status'], /"status" takes <taskId>; got 0/],
    [['status', 't_1', 't_2'], /got 2/],
    [['status', 't_1', '--csv'], /"status" takes no --csv/],
    [['retry', 't_1', '--commit'], /"retry" takes no --commit/],
    [['redrive'], /"redrive" takes <taskId\|executionArn>; got 0/],
    [['redrive', 'arn:aws:states:eu-west-1:1:stateMachine:m'], /not a bulk-import execution ARN/],
    [['template', '--format', 'pdf'], /csv or xlsx/],
    [['template', 'extra'], /takes no arguments/],
    [['import', 'a.csv', '--bogus'], /Unknown option '--bogus'/],
    [['import', 'a.csv', '--out'], /argument missing/],
    [['approvals'], /list, approve <approvalId> or reject <approvalId>/],
    [['approvals', 'list', '--status', 'LOST'], /--status is one of PENDING/],
    [['approvals', 'list', '--justification', 'x'], /takes no --justification/],
    [['approvals', 'approve'], /takes <approvalId>/],
    [['approvals', 'approve', 'ap_1', '--status', 'PENDING'], /takes no --status/],
    [['status', 't_1', '--api-url', 'not a url'], /is not a URL/],
  ])('refuses %j as a usage error', (argv, message) => {
    expect(() => parse(argv)).toThrow(UsageError);
    expect(() => parse(argv)).toThrow(message);
  });
});
