import { describe, expect, inject, it } from 'vitest';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  openPage,
  recordPageProblems,
  saveScreenshot,
  signIn,
} from './support/browser';

const browser = chromiumForFile();
const DAY = 86_400_000;

/** The API of the test's stack, called as `token`'s holder; fails the test on an unexpected status. */
async function api(method: string, path: string, token: string | undefined, body: unknown, expected: number) {
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBe(expected);
  return JSON.parse(text) as Record<string, unknown>;
}

async function tokenFor(tenantId: string, email: string, roles: string[]): Promise<string> {
  return String((await api('POST', '/_local/token', undefined, { tenantId, email, roles }, 200)).accessToken);
}

/** Grants `bundleId` to `member` through a batch assignment; resolves once it reaches one of `statuses`. */
async function assign(token: string, body: Record<string, unknown>, statuses: readonly string[]) {
  const { assignmentId } = await api('POST', '/internal/iam/roles/batch-assign', token, body, 202);
  await expect
    .poll(
      async () => {
        const response = await fetch(`${inject('apiUrl')}/internal/iam/roles/batch-assign/${assignmentId}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await response.json()) as { status?: string }).status;
      },
      { timeout: 30_000 },
    )
    .toSatisfy((status) => statuses.includes(String(status)));
}

describe('the users page in Chromium', () => {
  it('creates a user, deactivates and reactivates them', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const tenantId = e2eTenant();
    const email = `ada@${tenantId}.test`;
    await signIn(page, { tenantId, role: 'superuser' });
    await openPage(page, 'Users');

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

  it("shows a user's entitlements with their validity: one granted for 12 days, one awaiting approval", async () => {
    const tenantId = e2eTenant();
    const member = `grace@${tenantId}.test`;
    const granter = await tokenFor(tenantId, `granter@${tenantId}.test`, ['tenant_admin']);
    await tokenFor(tenantId, member, ['member']);
    await api(
      'POST',
      '/internal/iam/bundles',
      granter,
      { bundleId: 'viewer', name: 'Viewer', roles: ['member'], risk: 'low' },
      201,
    );
    await api(
      'POST',
      '/internal/iam/bundles',
      granter,
      {
        bundleId: 'payments-admin',
        name: 'Payments admin',
        permissions: ['roles.assign'],
        risk: 'high',
        maxDurationDays: 30,
      },
      201,
    );
    // An hour past the 12th day, so the whole days left still read 12 when the page shows them.
    const validUntil = new Date(Date.now() + 12 * DAY + 3_600_000).toISOString();
    await assign(granter, { members: [member], bundles: ['viewer'], validUntil }, ['COMPLETED']);
    await assign(
      granter,
      {
        members: [member],
        bundles: ['payments-admin'],
        validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
        justification: 'Quarter-end close',
      },
      ['AWAITING_APPROVAL'],
    );

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'superuser' });
    await openPage(page, 'Users');
    const row = page.locator(`[data-testid="user-row"][data-email="${member}"]`);
    const opener = row.getByRole('button', { name: `Entitlements of ${member}` });
    await opener.click();

    const dialog = page.getByRole('dialog', { name: `Entitlements of ${member}` });
    await dialog.waitFor();
    const granted = dialog.locator('[data-testid="entitlement-row"][data-bundle="viewer"]');
    const pending = dialog.locator('[data-testid="entitlement-row"][data-bundle="payments-admin"]');
    await granted.waitFor();
    expect(await granted.getByTestId('entitlement-status').textContent()).toBe('active');
    expect(await granted.getByTestId('entitlement-validity').textContent()).toBe('expires in 12 days');
    expect(await granted.textContent()).toContain('batch assignment asg_');
    expect(await pending.getByTestId('entitlement-status').textContent()).toBe('pending approval');
    expect(await pending.getByTestId('entitlement-validity').textContent()).toMatch(
      /^expires in (19|20) days$/,
    );
    // In force first: the active grant is listed above the one awaiting approval.
    expect(
      await dialog
        .getByTestId('entitlement-row')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-bundle'))),
    ).toEqual(['viewer', 'payments-admin']);
    await saveScreenshot(page, 'users-entitlements');

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    // Focus goes back to the button that opened it.
    const focused = (element: unknown) =>
      element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement;
    await expect.poll(() => opener.evaluate(focused)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });
});
