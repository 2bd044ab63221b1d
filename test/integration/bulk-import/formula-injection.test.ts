import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COLUMN_NAMES } from '../../../functions/bulk-import/domain/template-columns';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { LOCAL_NAMES } from '../../../local/environment';
import { call, documentClient, principal, s3Client, TABLE_NAME, uniqueTenant } from '../support/api';
import { BASE, csvOf, validatedTask, waitForStatus } from './import-support';

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const s3 = s3Client();

/** What a spreadsheet could run: a formula trigger first, behind any whitespace or control characters. */
const FORMULA_START = /^(?:[\t\r]|[\s\p{Cc}]*[=+\-@＝＋－＠])/u;

const PAYLOADS = {
  cmd: "=cmd|' /C calc'!A0",
  plus: '+1+1',
  minus: '-2+3',
  at: '@SUM(A1)',
  tab: '\t=1',
  carriageReturn: '\r=1',
  hyperlink: '=HYPERLINK("http://evil.test","click")',
};

/** The template's columns from email to job_family: the ones that take free text. */
const FREE_TEXT_COLUMNS = COLUMN_NAMES.slice(0, COLUMN_NAMES.indexOf('job_family') + 1);

const artifactsSchema = z.object({
  status: z.string(),
  reportUrl: z.string(),
  reportXlsxUrl: z.string(),
  successExportUrl: z.string(),
  failedExportUrl: z.string(),
});

async function bytesAt(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const csvCells = (bytes: Buffer): string[] =>
  parse(bytes.toString('utf8'), { bom: true, relax_column_count: true }).flat();

async function xlsxCells(bytes: Buffer): Promise<{ texts: string[]; formulas: number }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  const texts: string[] = [];
  let formulas = 0;
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) formulas++;
        texts.push(cell.text);
      }),
    ),
  );
  return { texts, formulas };
}

describe('formula injection through an import', () => {
  it('comes back inert in every report and export, while the directory keeps the real values', async () => {
    const tenantId = uniqueTenant('formula');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const taken = `+taken@${tenantId}.test`;
    const taskId = await validatedTask(
      admin,
      csvOf(
        [...FREE_TEXT_COLUMNS, PAYLOADS.hyperlink],
        [
          [
            `=cmd@${tenantId}.test`,
            PAYLOADS.cmd,
            PAYLOADS.plus,
            PAYLOADS.minus,
            PAYLOADS.at,
            PAYLOADS.tab,
            PAYLOADS.hyperlink,
            'x',
          ],
          [
            `-2+3@${tenantId}.test`,
            PAYLOADS.at,
            PAYLOADS.carriageReturn,
            PAYLOADS.hyperlink,
            PAYLOADS.plus,
            PAYLOADS.cmd,
            PAYLOADS.minus,
          ],
          [taken, PAYLOADS.minus, PAYLOADS.cmd],
          ['=1+1', PAYLOADS.hyperlink],
          [`bad@${tenantId}.test`, `${PAYLOADS.cmd}\u0007`],
        ],
      ),
      { fileName: 'evil.csv' },
    );
    // Taken between validation and commit: the row fails provisioning and lands in the failure export.
    await principal(tenantId, taken);
    const committed = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: false },
    });
    expect(committed.status, committed.text).toBe(202);
    await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    const task = artifactsSchema.parse((await call('GET', `${BASE}/${taskId}`, { token: admin.token })).body);
    expect(task.status).toBe('COMPLETED_WITH_ERRORS');

    const summary = await call('POST', '/_local/schedules/BulkImportWeeklySummary/run', {
      body: { at: new Date().toISOString(), tenantId },
    });
    expect(summary.status, summary.text).toBe(200);
    const { key } = z.object({ result: z.object({ key: z.string() }) }).parse(summary.body).result;
    const summaryObject = await s3.send(
      new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: key }),
    );
    const summaryCsv = Buffer.from((await summaryObject.Body?.transformToByteArray()) ?? []);

    const files = {
      'validation report (CSV)': csvCells(await bytesAt(task.reportUrl)),
      'success export': csvCells(await bytesAt(task.successExportUrl)),
      'failure export': csvCells(await bytesAt(task.failedExportUrl)),
      'weekly summary': csvCells(summaryCsv),
    };
    const report = await xlsxCells(await bytesAt(task.reportXlsxUrl));
    expect(report.formulas).toBe(0);
    for (const [name, cells] of Object.entries({ ...files, 'validation report (XLSX)': report.texts })) {
      expect(cells.length, name).toBeGreaterThan(3);
      for (const cell of cells)
        expect(FORMULA_START.test(cell), `${name}: ${JSON.stringify(cell)}`).toBe(false);
    }
    // The payloads reached the files, neutralised rather than dropped.
    expect(files['success export']).toEqual(
      expect.arrayContaining([`'=cmd@${tenantId}.test`, `'-2+3@${tenantId}.test`]),
    );
    expect(files['failure export']).toContain(`'${taken}`);
    expect(files['validation report (CSV)']).toContain(`'${PAYLOADS.hyperlink}`);
    expect(report.texts).toContain(`'${PAYLOADS.hyperlink}`);

    const users = await directory.listAllUsers(tenantId);
    const imported = users.find((user) => user.email === `=cmd@${tenantId}.test`);
    expect(imported).toMatchObject({
      givenName: PAYLOADS.cmd,
      familyName: PAYLOADS.plus,
      displayName: PAYLOADS.minus,
      employeeId: PAYLOADS.at,
      department: '=1',
      jobFamily: PAYLOADS.hyperlink,
    });
    expect(users.find((user) => user.email === `-2+3@${tenantId}.test`)).toMatchObject({
      givenName: PAYLOADS.at,
      familyName: '=1',
    });
  }, 90_000);
});

describe('look-alike and plus-addressed emails through an import', () => {
  it('refuses a disguised address with CONFUSABLE_EMAIL and imports plus-addressed mailboxes as their own users', async () => {
    const tenantId = uniqueTenant('homoglyph');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const taskId = await validatedTask(
      admin,
      csvOf(
        ['email', 'given_name'],
        [
          [`ana@${tenantId}.test`, 'Ana'],
          [`Ana+IT@${tenantId}.test`, 'Ana (IT)'],
          [`ana@pаypal.com`, 'Disguised'],
          [`ana＠${tenantId}.test`, 'Full width'],
        ],
      ),
    );
    const errors = await call('GET', `${BASE}/${taskId}/errors`, { token: admin.token });
    expect(errors.status, errors.text).toBe(200);
    const issues = z
      .object({
        items: z.array(z.object({ row: z.number().nullable(), code: z.string(), suggestion: z.string() })),
      })
      .parse(errors.body).items;
    expect(issues.filter((found) => found.code === 'CONFUSABLE_EMAIL')).toEqual([
      expect.objectContaining({ row: 4, suggestion: expect.stringContaining('ana@paypal.com') }),
      expect.objectContaining({ row: 5, suggestion: expect.stringContaining(`ana@${tenantId}.test`) }),
    ]);

    const committed = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: false },
    });
    expect(committed.status, committed.text).toBe(202);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.counts).toMatchObject({ total: 4, valid: 2, invalid: 2, succeeded: 2 });
    const emails = (await directory.listAllUsers(tenantId)).map((user) => user.email);
    expect(emails).toEqual(expect.arrayContaining([`ana@${tenantId}.test`, `ana+it@${tenantId}.test`]));
    expect(emails.filter((email) => email.includes('paypal') || email.includes('＠'))).toEqual([]);
  }, 90_000);
});
