import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { fromRepositoryRoot } from '../../../lib/shared/repository';

/** Debian's Chromium, installed by scripts/e2e/ensure-chromium.sh; never a Playwright download. */
const CHROMIUM = process.env.MUSTER_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS_DIRECTORY = fromRepositoryRoot('test/e2e/artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // CI runs as root, where Chromium refuses its sandbox; /dev/shm is small in containers.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** One Chromium for a test file: launched before its tests, closed after them. */
export function chromiumForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('Chromium is launched in beforeAll: use it inside a test');
    return browser;
  };
}

/** A tenant of the test's own, so tests running side by side never see each other's data. */
export function e2eTenant(): string {
  return `e2e-${randomUUID().slice(0, 8)}`;
}

/** A fresh browser profile (no cookies) at the size the console is designed for. */
export async function newConsoleContext(
  browser: Browser,
  viewport = { width: 1280, height: 800 },
): Promise<BrowserContext> {
  return browser.newContext({ viewport, acceptDownloads: true });
}

/** As long as a page may take to load its data on a busy 2-core CI machine. */
const SETTLE_TIMEOUT_MS = 15_000;

/** What a page shows once it has its data: a table, the empty state, or the import wizard's drop zone. */
export const SETTLED_CONTENT = 'main table, main [data-testid="empty"], main [data-testid="drop-zone"]';

/**
 * Waits until the page has loaded what it shows: its content (`content`, a selector) is visible and
 * no loading state (`data-testid="loading"`, `aria-busy="true"`) is left, so a screenshot taken next
 * shows the page rather than "Loading…".
 */
export async function waitUntilSettled(page: Page, content = SETTLED_CONTENT): Promise<void> {
  await page.locator(content).first().waitFor();
  await expect
    .poll(() => page.locator('main [data-testid="loading"], main [aria-busy="true"]').count(), {
      timeout: SETTLE_TIMEOUT_MS,
    })
    .toBe(0);
}

/** Opens a page from the console's navigation and waits for its heading. */
export async function openPage(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
}

/** Saves a full-page screenshot as a test artifact: test/e2e/artifacts/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
  const path = join(ARTIFACTS_DIRECTORY, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A page's uncaught errors and Content Security Policy violations, so a test can assert the page ran
 * cleanly. Failed requests are left out: a 401 before sign-in is the console working as designed.
 */
export function recordPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

/**
 * Opens the console and signs in with the local sign-in form; resolves once the page the console
 * lands on shows (`landsOn`, a heading: the import wizard, unless the role may not import).
 */
export async function signIn(
  page: Page,
  {
    tenantId,
    role,
    email = `admin@${tenantId}.test`,
    landsOn = 'Import users',
  }: { tenantId: string; role: string; email?: string; landsOn?: string },
): Promise<void> {
  await page.goto(inject('consoleUrl'));
  await page.getByLabel('Tenant').fill(tenantId);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role').selectOption(role);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: landsOn, level: 1 }).waitFor();
}
