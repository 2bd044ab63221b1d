import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
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

    const failedRowsUrl = await page.getByTestId('failed-export').getAttribute('href');
    const failedRows = await fetch(new URL(failedRowsUrl ?? '', inject('consoleUrl')));
    expect(failedRows.status).toBe(200);
    const failedText = await failedRows.text();
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
});
