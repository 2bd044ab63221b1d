import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BASE, csvOf, waitForStatus } from '../bulk-import/import-support';
import { call, principal, uniqueTenant } from '../support/api';
import { as, muster, retryFailedScript } from './cli-support';

const taskOutput = z.object({
  taskId: z.string(),
  status: z.string(),
  run: z.number(),
  counts: z.object({
    total: z.number(),
    valid: z.number(),
    invalid: z.number(),
    succeeded: z.number(),
    failed: z.number(),
    notified: z.number(),
  }),
});
const importOutput = z.object({
  task: taskOutput,
  issues: z.array(z.object({ row: z.number().nullable(), code: z.string() })),
});

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'muster-cli-'));
});

async function csvFile(name: string, header: string[], rows: string[][]): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, csvOf(header, rows));
  return path;
}

describe('muster template', () => {
  it('prints the CSV template and writes the workbook to a file', async () => {
    const tenantId = uniqueTenant('cli-template');
    const csv = await muster(['template', ...as(tenantId, `admin@${tenantId}.test`, 'tenant_admin')]);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split(/\r?\n/)[0]).toMatch(/^email,.*template_version:2026\.11$/);

    const out = join(workDir, 'template.xlsx');
    const xlsx = await muster([
      'template',
      '--format',
      'xlsx',
      '--out',
      out,
      '--json',
      ...as(tenantId, `admin@${tenantId}.test`, 'tenant_admin'),
    ]);
    expect(xlsx.code, xlsx.stderr).toBe(0);
    const bytes = await readFile(out);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(JSON.parse(xlsx.stdout)).toEqual({ format: 'xlsx', file: out, bytes: bytes.byteLength });
  });
});

describe('muster import', () => {
  it('uploads, validates, commits and follows the run to the end, with the final counts in --json', async () => {
    const tenantId = uniqueTenant('cli-import');
    const file = await csvFile(
      'people.csv',
      ['email', 'given_name'],
      [
        [`ann@${tenantId}.test`, 'Ann'],
        [`bob@${tenantId}.test`, 'Bob'],
        [`cy@${tenantId}.test`, 'Cy'],
      ],
    );
    const run = await muster([
      'import',
      file,
      '--commit',
      '--watch',
      '--no-welcome',
      '--json',
      ...as(tenantId, `admin@${tenantId}.test`, 'tenant_admin'),
    ]);
    expect(run.code, run.stderr).toBe(0);
    const { task, issues } = importOutput.parse(JSON.parse(run.stdout));
    expect(task).toMatchObject({
      status: 'COMPLETED',
      run: 1,
      counts: { total: 3, valid: 3, invalid: 0, succeeded: 3, failed: 0, notified: 0 },
    });
    expect(issues).toEqual([]);
    // Not a TTY: one progress line per change, the last one the settled run.
    const progress = run.stderr.split('\n').filter((line) => line.includes(' rows '));
    expect(progress.at(-1)).toMatch(/^COMPLETED \[#+\] 3\/3 rows 100%/);
    expect(new Set(progress).size).toBe(progress.length);

    // The API agrees, for the tenant the CLI's token was minted for.
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['tenant_admin']);
    const stored = await call('GET', `${BASE}/${task.taskId}`, { token: admin.token });
    expect(stored.body).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 3 } });
  });

  it('exits 1 on an invalid row, shows it, and `errors --csv` lists it', async () => {
    const tenantId = uniqueTenant('cli-invalid');
    const admin = as(tenantId, `admin@${tenantId}.test`, 'tenant_admin');
    const file = await csvFile(
      'mixed.csv',
      ['email', 'given_name'],
      [
        [`ok@${tenantId}.test`, 'Ok'],
        ['not-an-email', 'Bad'],
      ],
    );
    const run = await muster(['import', file, ...admin]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/: VALIDATED\n/);
    expect(run.stdout).toMatch(/^3\s+email\s+error\s+INVALID_EMAIL\s+"not-an-email"/m);
    const taskId = /task (t_[0-9a-z]{26})/.exec(run.stdout)?.[1] ?? '';

    const exported = await muster(['errors', taskId, '--csv', ...admin]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(parse(exported.stdout, { columns: true })).toEqual([
      expect.objectContaining({ row: '3', column: 'email', code: 'INVALID_EMAIL', severity: 'error' }),
    ]);

    const status = await muster(['status', taskId, '--json', ...admin]);
    expect(status.code, status.stderr).toBe(0);
    expect(taskOutput.parse(JSON.parse(status.stdout))).toMatchObject({
      status: 'VALIDATED',
      counts: { total: 2, valid: 1, invalid: 1 },
    });
  });

  it('retries the failed rows of a run as a new run, and exits 1 while rows still fail', async () => {
    const tenantId = uniqueTenant('cli-retry');
    const adminEmail = `admin@${tenantId}.test`;
    const file = await csvFile(
      'people.csv',
      ['email'],
      [[`p1@${tenantId}.test`], [`p2@${tenantId}.test`], [`p3@${tenantId}.test`]],
    );
    const validated = await muster(['import', file, '--json', ...as(tenantId, adminEmail, 'tenant_admin')]);
    expect(validated.code, validated.stderr).toBe(0);
    const { taskId } = importOutput.parse(JSON.parse(validated.stdout)).task;
    // Someone gets an account some other way between validation and commit: that row fails.
    await principal(tenantId, `p2@${tenantId}.test`);
    const admin = await principal(tenantId, adminEmail, ['tenant_admin']);
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const first = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(first.counts).toMatchObject({ succeeded: 2, failed: 1 });

    const retried = await muster(['retry', taskId, '--watch', '--json', '--token', admin.token]);
    expect(retried.code, retried.stderr).toBe(1);
    expect(taskOutput.parse(JSON.parse(retried.stdout))).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      run: 2,
      counts: { valid: 3, succeeded: 2, failed: 1 },
    });
    expect(retried.stderr).toContain(`task ${taskId}: run 2 retries the failed rows`);

    // The seed's ops script is the same retry, followed to its end.
    const scripted = await retryFailedScript([taskId, '--json', '--token', admin.token]);
    expect(scripted.code, scripted.stderr).toBe(1);
    expect(taskOutput.parse(JSON.parse(scripted.stdout))).toMatchObject({
      status: 'COMPLETED_WITH_ERRORS',
      run: 3,
    });
    expect((await retryFailedScript([])).code).toBe(2);
  });
});

describe('errors and tokens', () => {
  it('reports an API error on one line with its code and correlation id, exit 1', async () => {
    const tenantId = uniqueTenant('cli-missing');
    const run = await muster([
      'status',
      't_00000000000000000000000000',
      ...as(tenantId, `a@${tenantId}.test`, 'tenant_admin'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^muster: TASK_NOT_FOUND: No import task t_0{26} in this tenant\. \(HTTP 404, correlation id muster-cli-[0-9a-z]{26}\)$/,
      ),
    ]);
  });

  it('refuses a member without the import permission with the API code', async () => {
    const tenantId = uniqueTenant('cli-member');
    const run = await muster([
      'status',
      't_00000000000000000000000000',
      ...as(tenantId, `m@${tenantId}.test`, 'member'),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^muster: PERMISSION_DENIED: .*\(HTTP 403, correlation id /);
  });

  it('exits 2 on a usage error, before calling anything', async () => {
    const run = await muster(['retry']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/"retry" takes <taskId>/);
  });

  it('mints a working token for a tenant and roles on the local stack', async () => {
    const tenantId = uniqueTenant('cli-token');
    const run = await muster(['token', ...as(tenantId, `ops@${tenantId}.test`, 'tenant_admin')]);
    expect(run.code, run.stderr).toBe(0);
    const me = await call('GET', '/v1/me', { token: run.stdout.trim() });
    expect(me.status, me.text).toBe(200);
    expect(me.body).toMatchObject({
      tenant: expect.objectContaining({ tenantId }),
      roles: expect.arrayContaining(['tenant_admin']),
    });
  });
});
