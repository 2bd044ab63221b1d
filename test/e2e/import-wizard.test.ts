import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
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
/** A valid row whose person gets an account between validation and commit: it fails provisioning. */
const TAKEN_ROW = 3;

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
  it('imports a 200-row XLSX with 5 bad rows dropped on the page: errors inline, commit, progress to the end, failed rows, retry', async () => {
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
      .poll(() => page.getByTestId('count-valid').textContent())
      .toBe(String(ROWS - BAD_ROWS.length));

    const taken = await fetch(`${inject('apiUrl')}/_local/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenantId, email: `p${TAKEN_ROW}@${tenantId}.test` }),
    });
    expect(taken.status).toBe(200);

    await page.getByTestId('commit').click();
    await page.getByTestId('run-progress').waitFor();
    await saveScreenshot(page, 'import-progress');
    const task = page.getByTestId('import-task');
    await page.getByTestId('finished').waitFor({ timeout: 60_000 });
    expect(await task.getAttribute('data-status')).toBe('COMPLETED_WITH_ERRORS');
    expect(await page.getByTestId('count-succeeded').textContent()).toBe(String(ROWS - BAD_ROWS.length - 1));
    expect(await page.getByTestId('count-failed').textContent()).toBe('1');
    await saveScreenshot(page, 'import-finished');

    const failedRowsUrl = await page.getByTestId('failed-export').getAttribute('href');
    const failedRows = await fetch(new URL(failedRowsUrl ?? '', inject('consoleUrl')));
    expect(failedRows.status).toBe(200);
    expect(await failedRows.text()).toContain(`p${TAKEN_ROW}@${tenantId}.test`);

    const retried = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/retry'),
    );
    await page.getByTestId('retry').click();
    expect((await retried).status()).toBe(202);
    // The person still has an account, so the replayed row fails again, in a second run.
    await expect
      .poll(() => task.getAttribute('data-status'), { timeout: 60_000 })
      .toBe('COMPLETED_WITH_ERRORS');
    await page.getByTestId('finished').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('count-failed').textContent()).toBe('1');
    expect(problems).toEqual([]);
    await context.close();
  });
});
