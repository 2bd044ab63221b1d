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

describe('the users page in Chromium', () => {
  it('creates a user, deactivates and reactivates them', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const tenantId = e2eTenant();
    const email = `ada@${tenantId}.test`;
    await signIn(page, { tenantId, role: 'superuser' });
    await page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Users', exact: true })
      .click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

    // The form folds away under its summary until asked for.
    await page.locator('summary', { hasText: 'Create a user' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await page.getByTestId('new-user-email').fill(email);
    await form.getByLabel('Given name').fill('Ada');
    await form.getByLabel('Family name').fill('Lovelace');
    await page.getByTestId('create-user').click();

    const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
    await row.waitFor();
    await saveScreenshot(page, 'users-created');
    const statusBefore = await row.getByTestId('user-status').textContent();
    expect(statusBefore).not.toMatch(/deactivated/i);

    await row.getByRole('button', { name: `Deactivate ${email}` }).click();
    await expect.poll(() => row.getByTestId('user-status').textContent()).toMatch(/deactivated/i);
    await row.getByRole('button', { name: `Reactivate ${email}` }).waitFor();
    await saveScreenshot(page, 'users-deactivated');

    await row.getByRole('button', { name: `Reactivate ${email}` }).click();
    await expect.poll(() => row.getByTestId('user-status').textContent()).not.toMatch(/deactivated/i);
    expect(problems).toEqual([]);
    await context.close();
  });
});
