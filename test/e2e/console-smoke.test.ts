import { describe, expect, inject, it } from 'vitest';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  recordPageProblems,
  saveScreenshot,
  signIn,
  waitUntilSettled,
} from './support/browser';

const browser = chromiumForFile();

describe('the console in Chromium', () => {
  it('signs in locally and shows the import wizard', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const tenantId = e2eTenant();

    const response = await page.goto(inject('consoleUrl'));
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");

    await page.getByRole('heading', { name: 'Sign in to Muster' }).waitFor();
    await page.getByLabel('Tenant').fill(tenantId);
    await page.getByLabel('Email').fill(`admin@${tenantId}.test`);
    await page.getByLabel('Role').selectOption('superuser');
    await saveScreenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Import users', level: 1 }).waitFor();
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toContain(tenantId);
    const cookies = await context.cookies();
    expect(cookies.find((cookie) => cookie.name === 'muster_session')?.httpOnly).toBe(true);
    await saveScreenshot(page, 'import-wizard');
    // The CSP allows only the console's own origin: a violation would show as a console error.
    expect(problems).toEqual([]);
    await context.close();
  });

  it("enforces the console's CSP in the browser: another origin is refused", async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await page.goto(inject('consoleUrl'));
    const outcome = await page.evaluate(() =>
      fetch('http://127.0.0.1:9/').then(
        () => 'fetched',
        () => 'refused',
      ),
    );
    expect(outcome).toBe('refused');
    await expect.poll(() => problems.join('\n')).toContain('Content Security Policy');
    await context.close();
  });

  it.each([
    { viewport: { width: 1280, height: 800 }, suffix: '' },
    { viewport: { width: 390, height: 844 }, suffix: '-narrow' },
  ])(
    'shows every page of the navigation at $viewport.width px, with a screenshot of each',
    async ({ viewport, suffix }) => {
      const context = await newConsoleContext(browser(), viewport);
      const page = await context.newPage();
      const problems = recordPageProblems(page);
      await signIn(page, { tenantId: e2eTenant(), role: 'superuser' });
      const navigation = page.getByRole('navigation', { name: 'Console' });
      for (const [link, name] of [
        ['Imports', 'imports'],
        ['Users', 'users'],
        ['Approvals', 'approvals'],
        ['Audit', 'audit'],
        ['Import users', 'import'],
      ] as const) {
        await navigation.getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { name: link, level: 1 }).waitFor();
        expect(new URL(page.url()).pathname).toBe(name === 'import' ? '/console/' : `/console/${name}`);
        await waitUntilSettled(page);
        await saveScreenshot(page, `page-${name}${suffix}`);
      }
      expect(problems).toEqual([]);
      await context.close();
    },
  );

  it('offers a security approver only the pages their role may open, and lands on the first, also from a deep link', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    await signIn(page, { tenantId: e2eTenant(), role: 'security_approver', landsOn: 'Users' });
    const navigation = page.getByRole('navigation', { name: 'Console' });
    expect(await navigation.getByRole('link').allTextContents()).toEqual(['Users', 'Approvals', 'Audit']);
    // A deep link to a page the role may not open shows the first it may, under that page's address.
    await page.goto(`${inject('consoleUrl')}imports`);
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/console/users');
    await context.close();
  });

  it('answers a deep link to a console page with the app, not a 404', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const response = await page.goto(`${inject('consoleUrl')}approvals`);
    expect(response?.status()).toBe(200);
    await page.getByRole('heading', { name: 'Sign in to Muster' }).waitFor();
    await context.close();
  });
});
