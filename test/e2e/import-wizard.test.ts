import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { armChaos } from '../integration/bulk-import/import-support';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  recordPageProblems,
  saveScreenshot,
  signIn,
} from './support/browser';

const ROWS = 200;
const BAD_ROWS = [17, 58, 99, 140, 181];
const VALID_ROWS = ROWS - BAD_ROWS.length;
/**
 * Provisioning crashes from this spreadsheet row on, past every retry of its batch, until disarmed:
 * the first batch's rows are created, the rest of run 1 fails, and only a later run can create them.
 */
const CRASH_FROM_ROW = 150;

const browser = chromiumForFile();

/** 200 people of the tenant as an XLSX sheet; the rows at BAD_ROWS (0-based) have no valid email. */
async function workbook(tenantId: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Users');
  sheet.addRow(['email', 'given_name']);
  for (let index = 0; index < ROWS; index += 1) {
    const email = BAD_ROWS.includes(index) ? `not-an-email-${index}` : `p${index}@${tenantId}.test`;
    sheet.addRow([email, `Given${index}`]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

interface BrowserDataTransfer {
  readonly items: { add(file: File): unknown };
}

/** Drops a file on the wizard's drop zone as a browser drag-and-drop does (a DataTransfer with the file). */
async function dropFile(page: Page, name: string, content: Buffer, type: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ name, base64, type }) => {
      const bytes = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
      // Runs in the page: the DOM's DataTransfer, which the Node typings of this file do not declare.
      const { DataTransfer } = globalThis as unknown as { DataTransfer: new () => BrowserDataTransfer };
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type }));
      return transfer;
    },
    { name, base64: content.toString('base64'), type },
  );
  await page.dispatchEvent('[data-testid="drop-zone"]', 'dragover', { dataTransfer });
  await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer });
}

/** Clicks a download link of the page and reads what the browser saved. */
async function downloadFrom(page: Page, testId: string): Promise<{ fileName: string; content: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  return { fileName: download.suggestedFilename(), content: readFileSync(path) };
}

describe('the import wizard in Chromium', () => {
  it('imports a 200-row XLSX with 5 bad rows dropped on the page: errors inline, commit, progress to a crash, failed rows, a retry that creates them', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const tenantId = e2eTenant();
    await signIn(page, { tenantId, role: 'superuser' });

    await dropFile(
      page,
      'people.xlsx',
      await workbook(tenantId),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const issues = page.getByTestId('issue-row');
    await issues.first().waitFor({ timeout: 30_000 });
    expect(await issues.count()).toBe(BAD_ROWS.length);
    // Row numbers count the header as row 1, as a spreadsheet does.
    const issueText = await page.getByTestId('issues-table').textContent();
    for (const index of BAD_ROWS) expect(issueText).toContain(String(index + 2));
    await saveScreenshot(page, 'import-validated');

    await expect
      .poll(() => page.getByTestId('count-valid').textContent(), { timeout: 30_000 })
      .toBe(String(VALID_ROWS));

    await armChaos({ point: 'provision-batch', tenantId, afterRow: CRASH_FROM_ROW, times: 5000 });
    const count = async (name: string) => Number(await page.getByTestId(`count-${name}`).textContent());
    const task = page.getByTestId('import-task');
    try {
      await page.getByTestId('commit').click();
      await page.getByTestId('run-progress').waitFor();
      await saveScreenshot(page, 'import-progress');
      await page.getByTestId('finished').waitFor({ timeout: 120_000 });
      expect(await task.getAttribute('data-status')).toBe('FAILED');
    } finally {
      await armChaos({ tenantId });
    }
    expect(await task.getAttribute('data-run')).toBe('1');
    const firstRun = { succeeded: await count('succeeded'), failed: await count('failed') };
    expect(firstRun.succeeded).toBeGreaterThan(0);
    expect(firstRun.failed).toBeGreaterThan(0);
    expect(firstRun.succeeded + firstRun.failed).toBe(VALID_ROWS);
    await saveScreenshot(page, 'import-finished');

    const failedRows = await downloadFrom(page, 'failed-export');
    expect(failedRows.fileName).toMatch(/\.csv$/);
    const failedText = failedRows.content.toString('utf8');
    // The last row is past the crash; the first is in the batch that was created.
    expect(failedText).toContain(`p${ROWS - 1}@${tenantId}.test`);
    expect(failedText).not.toContain(`p0@${tenantId}.test`);

    const retried = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/retry'),
    );
    await page.getByTestId('retry').click();
    const retry = await retried;
    expect(retry.status()).toBe(202);
    expect(await retry.json()).toMatchObject({ run: 2 });
    // Only the second run can end COMPLETED: the first one ended FAILED, and nothing fails now.
    await expect.poll(() => task.getAttribute('data-run'), { timeout: 60_000 }).toBe('2');
    await expect.poll(() => task.getAttribute('data-status'), { timeout: 120_000 }).toBe('COMPLETED');
    await page.getByTestId('finished').waitFor();
    expect(await count('succeeded')).toBe(VALID_ROWS);
    expect(await count('failed')).toBe(0);
    await expect(page.getByTestId('retry').count()).resolves.toBe(0);
    await saveScreenshot(page, 'import-retried');
    expect(problems).toEqual([]);
    await context.close();
  }, 240_000);

  it('downloads through the browser what it offers: both templates, the full report, the created rows', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const tenantId = e2eTenant();
    await signIn(page, { tenantId, role: 'superuser' });

    const csvTemplate = await downloadFrom(page, 'template-csv');
    expect(csvTemplate.fileName).toMatch(/\.csv$/);
    expect(csvTemplate.content.toString('utf8').split(/\r?\n/)[0]).toContain('email');
    const xlsxTemplate = await downloadFrom(page, 'template-xlsx');
    expect(xlsxTemplate.fileName).toMatch(/\.xlsx$/);
    const template = new ExcelJS.Workbook();
    await template.xlsx.load(new Uint8Array(xlsxTemplate.content).buffer);
    expect(template.worksheets.length).toBeGreaterThan(0);

    const fresh = [`fresh1@${tenantId}.test`, `fresh2@${tenantId}.test`];
    const rows = ['email,given_name', `${fresh[0]},One`, 'no-at-sign,Broken', `${fresh[1]},Two`];
    await dropFile(page, 'three.csv', Buffer.from(rows.join('\r\n')), 'text/csv');
    await page.getByTestId('issue-row').first().waitFor({ timeout: 30_000 });
    const report = (await downloadFrom(page, 'report-csv')).content.toString('utf8');
    expect(report).toContain('no-at-sign');
    expect(report).toContain('INVALID_EMAIL');

    await page.getByTestId('commit').click();
    await page.getByTestId('finished').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('import-task').getAttribute('data-status')).toBe('COMPLETED');
    const succeeded = (await downloadFrom(page, 'success-export')).content.toString('utf8');
    for (const email of fresh) expect(succeeded).toContain(email);
    expect(succeeded).not.toContain('no-at-sign');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
