import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, errorCode, principal, uniqueTenant } from '../support/api';
import { BASE, csvOf, download, getTask, taskOf, upload, waitForStatus } from './import-support';

const issuesPage = z.object({
  items: z.array(
    z.object({
      row: z.number().nullable(),
      column: z.string().nullable(),
      code: z.string(),
      severity: z.enum(['error', 'warning']),
      message: z.string(),
      suggestion: z.string(),
    }),
  ),
  nextToken: z.string().optional(),
});
type Issue = z.infer<typeof issuesPage>['items'][number];

async function allIssues(token: string, taskId: string, limit = 3): Promise<Issue[]> {
  const issues: Issue[] = [];
  let nextToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(limit), ...(nextToken ? { nextToken } : {}) });
    const response = await call('GET', `${BASE}/${taskId}/errors?${query}`, { token });
    expect(response.status, response.text).toBe(200);
    const page = issuesPage.parse(response.body);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    issues.push(...page.items);
    nextToken = page.nextToken;
  } while (nextToken);
  return issues;
}

const HEADER = [
  'email',
  'given_name',
  'phone',
  'manager_email',
  'roles',
  'groups',
  'start_date',
  'locale',
  'department',
];

describe('validation of a file with every kind of row problem', () => {
  it('reports each problem on its row and column with a suggestion, and provisions nothing invalid', async () => {
    const tenantId = uniqueTenant('mixed');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    await principal(tenantId, 'existing@acme.test', ['member']);
    // No fallback role, and a rule for Sales only: a Marketing row resolves to no role at all.
    const policy = await call('PUT', '/internal/iam/role-policies/default', {
      token: admin.token,
      body: { rules: [{ department: 'Sales', roles: ['member'] }], fallbackRoles: [] },
    });
    expect(policy.status, policy.text).toBe(200);

    const rows = [
      ['ok@acme.test', 'Ok', '', '', '', '', '', '', 'Sales'], // 2 valid
      ['not-an-email', 'Bad', '', '', '', '', '', '', 'Sales'], // 3 INVALID_EMAIL
      ['dup@acme.test', 'Dup1', '', '', '', '', '', '', 'Sales'], // 4 DUPLICATE_IN_FILE
      ['DUP@acme.test ', 'Dup2', '', '', '', '', '', '', 'Sales'], // 5 DUPLICATE_IN_FILE
      ['existing@acme.test', 'Ex', '', '', '', '', '', '', 'Sales'], // 6 ALREADY_EXISTS
      ['phone@acme.test', 'Ph', '12', '', '', '', '', '', 'Sales'], // 7 INVALID_PHONE
      ['mgr@acme.test', 'Mg', '', 'ghost@acme.test', '', '', '', '', 'Sales'], // 8 MANAGER_NOT_FOUND
      ['role@acme.test', 'Ro', '', '', 'wizard', '', '', '', 'Sales'], // 9 UNKNOWN_ROLE
      ['group@acme.test', 'Gr', '', '', '', 'ghosts', '', '', 'Sales'], // 10 UNKNOWN_GROUP
      ['date@acme.test', 'Da', '', '', '', '', '31/02/2026', '', 'Sales'], // 11 INVALID_DATE
      ['long@acme.test', 'x'.repeat(300), '', '', '', '', '', '', 'Sales'], // 12 TOO_LONG
      ['locale@acme.test', 'Lo', '', '', '', '', '', 'not a locale!', 'Sales'], // 13 INVALID_LOCALE
      ['policy@acme.test', 'Po', '', '', '', '', '', '', 'Marketing'], // 14 POLICY_NO_DEFAULT_ROLE
      ['approve@acme.test', 'Ap', '', '', 'tenant_admin', '', '', '', 'Sales'], // 15 REQUIRES_APPROVAL (warning)
      ['', 'No Email', '', '', '', '', '', '', 'Sales'], // 16 REQUIRED
      ['ctrl@acme.test', 'Bad\u0007Bell', '', '', '', '', '', '', 'Sales'], // 17 INVALID_CHARACTERS
    ];
    const fileId = await upload(
      admin,
      'mixed.csv',
      csvOf(
        [...HEADER, 'favourite_colour'],
        rows.map((row) => [...row, 'blue']),
      ),
    );
    const taskId = await taskOf(admin, fileId);
    const task = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(task.status).toBe('VALIDATED');
    expect(task.counts).toMatchObject({ total: 16, valid: 2, invalid: 14 });

    const issues = await allIssues(admin.token, taskId);
    const byRow = (row: number) => issues.filter((found) => found.row === row).map((found) => found.code);
    expect(issues.find((found) => found.code === 'UNKNOWN_COLUMN')).toMatchObject({
      row: null,
      severity: 'warning',
    });
    expect(byRow(2)).toEqual([]);
    expect(byRow(3)).toContain('INVALID_EMAIL');
    expect(byRow(4)).toContain('DUPLICATE_IN_FILE');
    expect(byRow(5)).toContain('DUPLICATE_IN_FILE');
    expect(issues.find((found) => found.row === 4 && found.code === 'DUPLICATE_IN_FILE')?.suggestion).toMatch(
      /row 5/,
    );
    expect(issues.find((found) => found.row === 5 && found.code === 'DUPLICATE_IN_FILE')?.suggestion).toMatch(
      /row 4/,
    );
    expect(byRow(6)).toContain('ALREADY_EXISTS');
    expect(byRow(7)).toContain('INVALID_PHONE');
    expect(byRow(8)).toContain('MANAGER_NOT_FOUND');
    expect(byRow(9)).toContain('UNKNOWN_ROLE');
    expect(byRow(10)).toContain('UNKNOWN_GROUP');
    expect(byRow(11)).toContain('INVALID_DATE');
    expect(byRow(12)).toContain('TOO_LONG');
    expect(byRow(13)).toContain('INVALID_LOCALE');
    expect(byRow(14)).toContain('POLICY_NO_DEFAULT_ROLE');
    expect(byRow(15)).toEqual(['REQUIRES_APPROVAL']);
    expect(byRow(16)).toContain('REQUIRED');
    expect(byRow(17)).toContain('INVALID_CHARACTERS');
    for (const found of issues) {
      expect(found.message.length).toBeGreaterThan(10);
      expect(found.suggestion.length).toBeGreaterThan(5);
    }
    expect(issues.map((found) => found.row ?? 0)).toEqual(
      [...issues.map((found) => found.row ?? 0)].sort((a, b) => a - b),
    );

    const report = await download((await getTask(admin, taskId)).reportUrl ?? '');
    expect(report).toContain('DUPLICATE_IN_FILE');
    expect(report.split(/\r?\n/).filter(Boolean)).toHaveLength(issues.length + 1);
  });

  it('neutralises spreadsheet formulas in every cell of the downloadable report', async () => {
    const tenantId = uniqueTenant('formula');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const fileId = await upload(
      admin,
      'evil.csv',
      csvOf(['email', 'roles', '=HYPERLINK("http://evil.test")'], [['=1+1', '@SUM(A1)', '-2+3']]),
    );
    const taskId = await taskOf(admin, fileId);
    await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    const cells = parse(await download((await getTask(admin, taskId)).reportUrl ?? ''), { bom: true }).flat();
    expect(cells.length).toBeGreaterThan(6);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(cells.some((cell: string) => cell.startsWith("'="))).toBe(true);
  });

  it('fails a file without the email column with one clear error', async () => {
    const tenantId = uniqueTenant('nocol');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const fileId = await upload(admin, 'names.csv', csvOf(['given_name', 'family_name'], [['Ann', 'Lee']]));
    const taskId = await taskOf(admin, fileId);
    const task = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(task.status).toBe('VALIDATION_FAILED');
    const issues = await allIssues(admin.token, taskId, 50);
    expect(issues.filter((found) => found.severity === 'error')).toEqual([
      expect.objectContaining({ row: null, code: 'MISSING_REQUIRED_COLUMN' }),
    ]);
    const commit = await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId } });
    expect(commit.status).toBe(409);
    expect(errorCode(commit)).toBe('TASK_STATE_CONFLICT');
  });

  it('keeps another tenant out of a task: 404', async () => {
    const tenantId = uniqueTenant('owner');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const fileId = await upload(admin, 'one.csv', csvOf(['email'], [['one@acme.test']]));
    const taskId = await taskOf(admin, fileId);
    const outsider = await principal(uniqueTenant('outsider'), 'admin@acme.test', ['tenant_admin']);
    for (const [method, path] of [
      ['GET', `${BASE}/${taskId}`],
      ['GET', `${BASE}/${taskId}/errors`],
      ['POST', `${BASE}/${taskId}/retry`],
    ] as const) {
      const response = await call(method, path, { token: outsider.token });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(errorCode(response)).toBe('TASK_NOT_FOUND');
    }
    const commit = await call('POST', `${BASE}/commit`, { token: outsider.token, body: { taskId } });
    expect(commit.status).toBe(404);
    const validation = await call('POST', `${BASE}/validation`, { token: outsider.token, body: { fileId } });
    expect(validation.status).toBe(404);
  });

  it('refuses a member without the import permission', async () => {
    const member = await principal(uniqueTenant('member'), 'member@acme.test', ['member']);
    const response = await call('POST', `${BASE}/uploads`, {
      token: member.token,
      body: { fileName: 'x.csv' },
    });
    expect(response.status).toBe(403);
    expect(errorCode(response)).toBe('PERMISSION_DENIED');
  });
});
