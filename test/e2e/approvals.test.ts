import { describe, expect, it } from 'vitest';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  recordPageProblems,
  saveScreenshot,
  signIn,
} from './support/browser';

const browser = chromiumForFile();

describe('the approvals inbox in Chromium', () => {
  it('lets a security approver approve the high-risk role an import asked for, with a justification', async () => {
    const tenantId = e2eTenant();
    const requester = await newConsoleContext(browser());
    const importer = await requester.newPage();
    await signIn(importer, { tenantId, role: 'superuser' });
    const csv = `email,roles\r\nboss@${tenantId}.test,tenant_admin\r\nplain@${tenantId}.test,\r\n`;
    await importer
      .getByTestId('file-input')
      .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await importer.getByTestId('commit').waitFor({ timeout: 30_000 });
    await importer.getByTestId('commit').click();
    await expect
      .poll(() => importer.getByTestId('import-task').getAttribute('data-status'), { timeout: 60_000 })
      .toBe('AWAITING_APPROVAL');
    await requester.close();

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'security_approver', email: `approver@${tenantId}.test` });
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Approvals', exact: true })
      .click();
    const approval = page.getByTestId('approval').first();
    await approval.waitFor({ timeout: 30_000 });
    expect(await approval.textContent()).toMatch(/high/i);
    await approval.getByTestId('justification').fill('Boss starts Monday; confirmed with HR.');
    await saveScreenshot(page, 'approvals-pending');
    await approval.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('approval').count(), { timeout: 30_000 }).toBe(0);
    await saveScreenshot(page, 'approvals-decided');
    expect(problems).toEqual([]);
    await context.close();
  });
});
