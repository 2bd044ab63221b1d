import type { ElementHandle, Locator, Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { approvalOfAssignment } from '../integration/approvals/approval-support';
import { armChaos } from '../integration/bulk-import/import-support';
import {
  startAssignment,
  tenantWithBundles,
  waitForStatus,
} from '../integration/entitlements/assign-support';
import { principal } from '../integration/support/api';
import { accessibleNodes, axeViolations, describeViolations } from './support/accessibility';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  openPage,
  recordPageProblems,
  signIn,
} from './support/browser';

const browser = chromiumForFile();

const VIEWPORTS = [
  { name: '1280×800', width: 1280, height: 800 },
  { name: '390×844', width: 390, height: 844 },
] as const;

/** Enough presses to cross any page of the console; more means focus is stuck or never gets there. */
const MAX_TAB_PRESSES = 60;
const DAY = 86_400_000;

/** A file the wizard validates with one bad row and commits into an approval (a sensitive role). */
function csvWithOneBadRow(tenantId: string): Buffer {
  return Buffer.from(
    `email,roles\r\nboss@${tenantId}.test,tenant_admin\r\nplain@${tenantId}.test,\r\nnot-an-email,\r\n`,
  );
}

/** Issues of three codes (INVALID_EMAIL, UNKNOWN_ROLE, DUPLICATE_IN_FILE) beside two valid rows. */
function csvWithSeveralCodes(tenantId: string): Buffer {
  return Buffer.from(
    [
      'email,roles',
      'not-an-email,',
      `ann@${tenantId}.test,no_such_role`,
      `bob@${tenantId}.test,`,
      `bob@${tenantId}.test,`,
      `cy@${tenantId}.test,`,
      `dee@${tenantId}.test,`,
    ].join('\r\n'),
  );
}

/** The element that has focus, as its opening tag: `<body>` when focus was dropped. */
function focusedTag(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as {
      document: { activeElement: { outerHTML: string } | null };
    };
    return `${document.activeElement?.outerHTML.split('>')[0] ?? '(nothing'}>`;
  });
}

/**
 * Runs axe on the page at each viewport and returns the report of every violation, empty when there is
 * none. Any impact fails, moderate and minor included: the console is small enough to have none, and a
 * "moderate" rule of WCAG A/AA (a heading order, a landmark) still leaves someone unable to find their way.
 */
async function auditAtEveryViewport(page: Page, state: string): Promise<string> {
  const reports: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    const violations = await axeViolations(page);
    if (violations.length > 0)
      reports.push(`${state} at ${viewport.name}:\n${describeViolations(violations)}`);
    const overflow = await sidewaysOverflow(page);
    if (overflow) reports.push(`${state} at ${viewport.name}: the page scrolls sideways (${overflow})`);
  }
  await page.setViewportSize(VIEWPORTS[0]);
  return reports.join('\n\n');
}

interface LaidOutElement {
  readonly scrollWidth: number;
  readonly clientWidth: number;
  readonly outerHTML: string;
  getBoundingClientRect(): { right: number };
}

/**
 * Reflow (WCAG 1.4.10): the page itself must not scroll sideways; a wide table scrolls inside its own
 * frame. Names the elements reaching past the window's right edge when it does, empty when it does not.
 */
function sidewaysOverflow(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as {
      document: {
        documentElement: LaidOutElement;
        querySelectorAll(selector: string): Iterable<LaidOutElement>;
      };
    };
    const root = document.documentElement;
    if (root.scrollWidth <= root.clientWidth) return '';
    // What reaches past the edge, and what holds more than it shows: the innermost, last, is the cause.
    const wide = [...document.querySelectorAll('body *')]
      .filter(
        (element) =>
          element.getBoundingClientRect().right > root.clientWidth + 1 ||
          element.scrollWidth > element.clientWidth + 1,
      )
      .map((element) => `${element.outerHTML.split('>')[0]}>`);
    return `${root.scrollWidth}px wide in ${root.clientWidth}px: ${wide.slice(-6).join(', ')}`;
  });
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate(
    (element) =>
      element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
  );
}

/** Presses Tab (or Shift+Tab) until the element has focus; fails if it never gets there. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<void> {
  for (let presses = 0; presses < MAX_TAB_PRESSES; presses += 1) {
    if (await isFocused(target)) return;
    await page.keyboard.press(key);
  }
  throw new Error(`${MAX_TAB_PRESSES} presses of ${key} never reached ${target}`);
}

async function replaceText(page: Page, text: string): Promise<void> {
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** The local sign-in with the keyboard alone: Tab between the fields, type, pick the role by typing it, Enter. */
async function signInByKeyboard(page: Page, tenantId: string, role: string): Promise<void> {
  await page.goto(inject('consoleUrl'));
  await page.getByLabel('Tenant').waitFor();
  await tabTo(page, page.getByLabel('Tenant'));
  await replaceText(page, tenantId);
  await page.keyboard.press('Tab');
  expect(await isFocused(page.getByLabel('Email'))).toBe(true);
  await replaceText(page, `admin@${tenantId}.test`);
  await page.keyboard.press('Tab');
  expect(await isFocused(page.getByLabel('Role'))).toBe(true);
  await page.keyboard.type(role);
  expect(await page.getByLabel('Role').inputValue()).toBe(role);
  await tabTo(page, page.getByRole('button', { name: 'Sign in' }));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Import users', level: 1 }).waitFor();
}

interface StyledElement {
  readonly outerHTML: string;
  readonly parentElement: StyledElement | null;
  getBoundingClientRect(): { width: number; height: number };
}
type StyleWindow = {
  getComputedStyle(element: StyledElement): { outline: string; boxShadow: string; outlineStyle: string };
};

/**
 * What shows where focus is: the outline and shadow of the element (when it is big enough to be seen)
 * and of its containers, where a ring drawn by `:focus-within` shows for a visually hidden control.
 */
function focusRing(element: ElementHandle): Promise<string> {
  return element.evaluate((node) => {
    const view = globalThis as unknown as StyleWindow;
    const start = node as unknown as StyledElement;
    const box = start.getBoundingClientRect();
    const rings: string[] = [];
    let current: StyledElement | null = box.width >= 4 && box.height >= 4 ? start : start.parentElement;
    while (current) {
      const style = view.getComputedStyle(current);
      if (style.outlineStyle !== 'none' || style.boxShadow !== 'none') {
        rings.push(`${style.outline} ${style.boxShadow}`);
      }
      current = current.parentElement;
    }
    return rings.join(' | ');
  });
}

/**
 * Tabs through the whole page and returns every element focus reaches that draws no ring, or the same
 * ring once focus has moved on (an indicator that does not show).
 */
async function focusRingsOf(page: Page): Promise<{ reached: number; missing: string[] }> {
  const missing: string[] = [];
  let reached = 0;
  let first: ElementHandle | undefined;
  let previous: { element: ElementHandle; name: string; ring: string } | undefined;
  for (let presses = 0; presses < MAX_TAB_PRESSES; presses += 1) {
    await page.keyboard.press('Tab');
    if (previous) {
      const resting = await focusRing(previous.element);
      if (previous.ring === '' || previous.ring === resting) missing.push(previous.name);
    }
    const focused = page.locator(':focus');
    if ((await focused.count()) !== 1) break;
    const element = await focused.elementHandle();
    const name = await element.evaluate(
      (node) => `${(node as unknown as StyledElement).outerHTML.split('>')[0]}>`,
    );
    // Focus came round to where it started: the whole page was crossed.
    if (first && (await element.evaluate((node, start) => node === start, first))) break;
    first ??= element;
    reached += 1;
    previous = { element, name, ring: await focusRing(element) };
  }
  return { reached, missing };
}

describe('the console for keyboard and assistive technology users', () => {
  it('has no WCAG 2.1 A/AA violation (axe, contrast included) and no sideways page scroll on any page, at 1280×800 and 390×844', async () => {
    const tenantId = e2eTenant();
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    const reports: string[] = [];

    await page.goto(inject('consoleUrl'));
    await page.getByLabel('Tenant').waitFor();
    reports.push(await auditAtEveryViewport(page, 'sign-in'));

    await signIn(page, { tenantId, role: 'superuser' });
    reports.push(await auditAtEveryViewport(page, 'import wizard, no file yet'));

    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: csvWithOneBadRow(tenantId) });
    await page.getByTestId('issue-row').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('commit').waitFor();
    reports.push(await auditAtEveryViewport(page, 'import wizard, validated with an error'));
    await page.getByTestId('commit').click();
    await page.getByTestId('finished').waitFor({ timeout: 60_000 });
    reports.push(await auditAtEveryViewport(page, 'import wizard, finished awaiting approval'));

    const navigation = page.getByRole('navigation', { name: 'Console' });
    await navigation.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByTestId('users-table').waitFor();
    reports.push(await auditAtEveryViewport(page, 'users'));
    await page.locator('summary', { hasText: 'Create a user' }).click();
    reports.push(await auditAtEveryViewport(page, 'users, create form open'));
    await page.getByRole('button', { name: `Change roles of admin@${tenantId}.test` }).click();
    await page.getByTestId('roles-dialog').waitFor();
    reports.push(await auditAtEveryViewport(page, 'users, roles dialog'));
    await page.keyboard.press('Escape');

    await navigation.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByTestId('audit-table').waitFor();
    reports.push(await auditAtEveryViewport(page, 'audit'));

    await navigation.getByRole('link', { name: 'Approvals', exact: true }).click();
    await page.getByTestId('empty').waitFor();
    reports.push(await auditAtEveryViewport(page, 'approvals, nothing to decide'));

    // Pages added to the navigation since: each as it first shows, once loaded.
    const covered = ['Import users', 'Users', 'Audit', 'Approvals'];
    for (const name of await navigation.getByRole('link').allTextContents()) {
      if (covered.includes(name)) continue;
      await navigation.getByRole('link', { name, exact: true }).click();
      await page.locator('main h1').waitFor();
      await page.locator('main .loading').waitFor({ state: 'detached' });
      reports.push(await auditAtEveryViewport(page, name));
    }

    // The import's sensitive role waits for a security approver: their inbox holds it.
    const approverContext = await newConsoleContext(browser());
    const approver = await approverContext.newPage();
    await signIn(approver, {
      tenantId,
      role: 'security_approver',
      email: `approver@${tenantId}.test`,
      landsOn: 'Users',
    });
    await approver
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Approvals', exact: true })
      .click();
    await approver.getByTestId('approval').first().waitFor({ timeout: 30_000 });
    reports.push(await auditAtEveryViewport(approver, 'approvals, one pending'));
    await approverContext.close();

    expect(reports.filter(Boolean).join('\n\n')).toBe('');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('signs in and reaches every page of the navigation with Tab and Enter alone', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    await signInByKeyboard(page, e2eTenant(), 'superuser');
    const navigation = page.getByRole('navigation', { name: 'Console' });
    const names = await navigation.getByRole('link').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['Import users', 'Users', 'Approvals', 'Audit']));
    // Every entry, and back to the first, so the page left behind each time is a different one.
    for (const name of [...names.slice(1), names[0] ?? '']) {
      const link = navigation.getByRole('link', { name, exact: true });
      // The navigation comes before the page's content, where focus lands after each move.
      await tabTo(page, link, 'Shift+Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => link.getAttribute('aria-current')).toBe('page');
      await page.locator('main h1').waitFor();
      expect(await isFocused(page.locator('main'))).toBe(true);
    }
    await context.close();
  });

  it('offers a skip link first, which moves focus past the navigation to the content', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    await signIn(page, { tenantId: e2eTenant(), role: 'superuser' });
    await page.reload();
    await page.getByRole('heading', { name: 'Import users', level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    const skipLink = page.getByRole('link', { name: 'Skip to content' });
    expect(await isFocused(skipLink)).toBe(true);
    const box = await skipLink.boundingBox();
    expect(box && box.x >= 0 && box.y >= 0 && box.width > 0).toBe(true);
    await page.keyboard.press('Enter');
    expect(await isFocused(page.locator('main'))).toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.locator('main :focus').count()).toBe(1);
    await context.close();
  });

  it('draws a visible focus ring on everything Tab reaches: sign-in, import wizard, users', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const tenantId = e2eTenant();
    await page.goto(inject('consoleUrl'));
    // From the top of the page (a fresh load), the least Tab must reach: the sign-in form; then the skip
    // link, the navigation, "Switch user" and the page's own controls.
    const expectRings = async (name: string, atLeast: number, ready: Locator) => {
      await page.reload();
      await ready.waitFor();
      const { reached, missing } = await focusRingsOf(page);
      expect({ name, missing }).toEqual({ name, missing: [] });
      expect(reached).toBeGreaterThanOrEqual(atLeast);
    };
    await expectRings('sign-in', 4, page.getByLabel('Tenant'));
    await signIn(page, { tenantId, role: 'superuser' });
    await expectRings('import wizard', 9, page.getByTestId('drop-zone'));
    await openPage(page, 'Users');
    await expectRings('users', 15, page.getByTestId('users-table'));
    await context.close();
  });

  it('notices a page whose focus ring is gone (the check above can fail)', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    await page.goto(inject('consoleUrl'));
    await page.getByLabel('Tenant').waitFor();
    // Through the CSSOM, which the console's CSP allows (it refuses an added <style>).
    await page.evaluate(() => {
      const sheet = (
        globalThis as unknown as { document: { styleSheets: { insertRule(rule: string): void }[] } }
      ).document.styleSheets[0];
      sheet?.insertRule('* { outline: none !important; box-shadow: none !important; }');
    });
    const { missing } = await focusRingsOf(page);
    expect(missing.length).toBeGreaterThanOrEqual(4);
    await context.close();
  });

  it('moves focus into the roles dialog, keeps Tab inside it, and gives focus back on Escape or Cancel', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const tenantId = e2eTenant();
    await signIn(page, { tenantId, role: 'superuser' });
    await openPage(page, 'Users');
    const opener = page.getByRole('button', { name: `Change roles of admin@${tenantId}.test` });
    const dialog = page.getByTestId('roles-dialog');

    for (const close of ['Escape', 'Cancel'] as const) {
      await tabTo(page, opener);
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      expect(await dialog.locator(':focus').count()).toBe(1);
      // More presses than the dialog has controls, both ways round: focus never leaves it.
      for (const key of [...Array(8).fill('Tab'), ...Array(8).fill('Shift+Tab')]) {
        await page.keyboard.press(key);
        expect(await dialog.locator(':focus').count()).toBe(1);
      }
      if (close === 'Escape') await page.keyboard.press('Escape');
      else {
        await tabTo(page, dialog.getByRole('button', { name: 'Cancel' }));
        await page.keyboard.press('Enter');
      }
      await dialog.waitFor({ state: 'detached' });
      expect(await isFocused(opener)).toBe(true);
    }
    await context.close();
  });

  it('opens the create-user form from its summary with the keyboard', async () => {
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    await signIn(page, { tenantId: e2eTenant(), role: 'superuser' });
    await openPage(page, 'Users');
    await tabTo(page, page.locator('summary', { hasText: 'Create a user' }));
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await isFocused(page.getByTestId('new-user-email'))).toBe(true);
    await context.close();
  });

  it.each(['Enter', 'Space'])(
    'opens the file picker from the drop zone with the keyboard (%s)',
    async (key) => {
      const context = await newConsoleContext(browser());
      const page = await context.newPage();
      await signIn(page, { tenantId: e2eTenant(), role: 'superuser' });
      // Listening first: Playwright turns on its file chooser interception only once someone listens.
      const chooser = page.waitForEvent('filechooser', { timeout: 5_000 });
      await tabTo(page, page.getByTestId('drop-zone').getByRole('button', { name: 'Choose a file…' }));
      await page.keyboard.press(key);
      expect((await chooser).isMultiple()).toBe(false);
      await context.close();
    },
  );

  it("audits a user's entitlements dialog (axe at both sizes), moves focus into it, keeps Tab inside and gives focus back on Escape", async () => {
    const { tenantId, admin, email } = await tenantWithBundles('e2e-a11y');
    const member = email('grace');
    await principal(tenantId, member, ['member']);
    // One bundle in force and one awaiting approval, so the dialog shows both badges and validities.
    const granted = await startAssignment(admin.token, {
      members: [member],
      bundles: ['viewer'],
      validUntil: new Date(Date.now() + 12 * DAY).toISOString(),
    });
    await waitForStatus(admin.token, granted.assignmentId, ['COMPLETED']);
    const awaiting = await startAssignment(admin.token, {
      members: [member],
      bundles: ['bundle-admin-high'],
      validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
      justification: 'Quarter-end close',
    });
    await waitForStatus(admin.token, awaiting.assignmentId, ['AWAITING_APPROVAL']);

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'superuser' });
    await openPage(page, 'Users');
    const opener = page.getByRole('button', { name: `Entitlements of ${member}` });
    await tabTo(page, opener);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Entitlements of ${member}` });
    await dialog.waitFor();
    expect(await dialog.locator(':focus').count()).toBe(1);
    await dialog.locator('[data-testid="entitlement-row"][data-status="PENDING_APPROVAL"]').waitFor();
    expect(await dialog.getByTestId('entitlement-row').count()).toBe(2);

    expect(await auditAtEveryViewport(page, 'users, entitlements dialog with two grants')).toBe('');

    // More presses than the dialog has controls (Close and the table's scrolling frame), both ways round.
    for (const key of [...Array(6).fill('Tab'), ...Array(6).fill('Shift+Tab')]) {
      await page.keyboard.press(key);
      expect(await dialog.locator(':focus').count(), `after ${key}`).toBe(1);
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await isFocused(opener)).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('approves one high-risk assignment with Enter and rejects another with Space, keyboard alone: the justification is labelled, the outcome announced, focus stays off <body>', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('e2e-a11y');
    const otherApprover = await principal(tenantId, email('sec2'), ['security_approver']);
    const decisions = [
      { member: email('ann'), key: 'Enter', button: 'Approve', outcome: 'approved' },
      { member: email('bob'), key: 'Space', button: 'Reject', outcome: 'rejected' },
    ] as const;
    const assignmentIds: string[] = [];
    for (const { member } of decisions) {
      await principal(tenantId, member);
      const { assignmentId } = await startAssignment(admin.token, {
        members: [member],
        bundles: ['bundle-admin-high'],
        validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
        justification: `${member} migrates the bundle catalogue.`,
      });
      await approvalOfAssignment(otherApprover, assignmentId);
      assignmentIds.push(assignmentId);
    }

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'security_approver', email: email('sec'), landsOn: 'Users' });
    await openPage(page, 'Approvals');
    const cards = page.getByTestId('approval');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(2);

    for (const [index, { key, button, outcome }] of decisions.entries()) {
      const card = cards.filter({ hasText: assignmentIds[index] });
      // Found by its label: the field is named for a screen reader, and says it is required.
      const justification = card.getByLabel('Justification (required for high risk)');
      expect(await justification.getAttribute('data-testid')).toBe('justification');
      await tabTo(page, justification);
      await page.keyboard.type(`Checked with the owner; ${outcome} by keyboard.`);
      await tabTo(page, card.getByRole('button', { name: button, exact: true }));
      await page.keyboard.press(key);
      await card.waitFor({ state: 'detached', timeout: 30_000 });

      const announcement = page.getByRole('status').filter({ hasText: `${outcome}.` });
      await announcement.waitFor();
      // The region was there before its text came, so a screen reader reads the outcome out.
      expect(await announcement.getAttribute('data-testid')).toBe('decision-outcome');
      expect(await focusedTag(page)).not.toBe('<body>');
      expect(await isFocused(announcement)).toBe(true);
      if (index === 0) {
        // From the outcome, Tab goes on into the card still waiting, not back to the top of the page.
        await page.keyboard.press('Tab');
        expect(await cards.locator(':focus').count()).toBe(1);
      }
    }
    expect(await cards.count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('filters the issues by code with Space, jumps focus to a named row, and exposes the provisioning progress bar with its values', async () => {
    const tenantId = e2eTenant();
    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'superuser' });
    await page
      .getByTestId('file-input')
      .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: csvWithSeveralCodes(tenantId) });
    const rows = page.getByTestId('issue-row');
    await rows.first().waitFor({ timeout: 30_000 });
    const allRows = await rows.count();
    const filters = page.locator('input[type="checkbox"][data-testid^="filter-"]');
    expect(await filters.count()).toBeGreaterThanOrEqual(2);

    const filter = filters.first();
    const code = String(await filter.getAttribute('data-testid')).replace('filter-', '');
    await tabTo(page, filter);
    await page.keyboard.press('Space');
    expect(await filter.isChecked()).toBe(true);
    const codesShown = () => rows.locator('td:nth-child(3) code').allTextContents();
    await expect
      .poll(codesShown)
      .toSatisfy((codes: string[]) => codes.length > 0 && codes.every((shown) => shown === code));
    expect(await rows.count()).toBeLessThan(allRows);
    await page.keyboard.press('Space');
    expect(await filter.isChecked()).toBe(false);
    await expect.poll(() => rows.count()).toBe(allRows);

    // The last row with an issue, so the jump has to go past the others to reach it.
    const target = String(await rows.last().getAttribute('data-row'));
    await tabTo(page, page.getByLabel('Jump to row'));
    await page.keyboard.type(target);
    await page.keyboard.press('Enter');
    const named = page.locator(`[data-testid="issue-row"][data-row="${target}"]`).first();
    expect(await isFocused(named)).toBe(true);

    // The first two batch attempts fail (the hook counts per process): the run stays in provisioning
    // through the retries' backoff.
    await armChaos({ point: 'provision-batch', tenantId, afterRow: 0, times: 2 });
    try {
      await page.getByTestId('commit').click();
      await page.getByTestId('run-progress').waitFor({ timeout: 30_000 });
      const [bar, ...others] = await accessibleNodes(page, 'progressbar');
      expect(others).toEqual([]);
      expect(bar?.valueMax).toBeGreaterThan(0);
      expect(bar?.valueNow).toBeGreaterThanOrEqual(0);
      expect(bar?.valueNow).toBeLessThanOrEqual(bar?.valueMax ?? 0);
      // Its name is the label a sighted person reads next to it.
      expect(bar?.name).toMatch(new RegExp(`^${bar?.valueNow} of ${bar?.valueMax} rows`));
      await page.getByTestId('finished').waitFor({ timeout: 60_000 });
    } finally {
      await armChaos({ tenantId });
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
