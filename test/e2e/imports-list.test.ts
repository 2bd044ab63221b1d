import { describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import {
  chromiumForFile,
  e2eTenant,
  newConsoleContext,
  openPage,
  recordPageProblems,
  saveScreenshot,
  signIn,
} from './support/browser';

const IMPORTS = '/internal/iam/users/bulk-import';
const browser = chromiumForFile();

async function api(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return text ? JSON.parse(text) : undefined;
}

async function tokenOf(tenantId: string, email: string): Promise<string> {
  const response = await fetch(`${inject('apiUrl')}/_local/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId, email, roles: ['tenant_admin'] }),
  });
  expect(response.status).toBe(200);
  return z.object({ accessToken: z.string() }).parse(await response.json()).accessToken;
}

async function untilStatus(token: string, taskId: string, wanted: string): Promise<void> {
  await expect
    .poll(
      async () =>
        z.object({ status: z.string() }).parse(await api(token, 'GET', `${IMPORTS}/${taskId}`)).status,
      { timeout: 60_000, interval: 250 },
    )
    .toBe(wanted);
}

/** A three-row CSV imported through the API as the wizard would: upload, validate, commit, wait for the end. */
async function finishedImport(tenantId: string, token: string): Promise<string> {
  const csv = [
    'email,given_name',
    ...[1, 2, 3].map((index) => `p${index}@${tenantId}.test,Given${index}`),
  ].join('\r\n');
  const presigned = z
    .object({ fileId: z.string(), uploadUrl: z.string(), fields: z.record(z.string(), z.string()) })
    .parse(await api(token, 'POST', `${IMPORTS}/uploads`, { fileName: 'three.csv', sizeBytes: csv.length }));
  const form = new FormData();
  for (const [name, value] of Object.entries(presigned.fields)) form.append(name, value);
  form.append('file', new Blob([csv]), 'three.csv');
  expect((await fetch(presigned.uploadUrl, { method: 'POST', body: form })).status).toBeLessThan(300);
  const { taskId } = z
    .object({ taskId: z.string() })
    .parse(await api(token, 'POST', `${IMPORTS}/validation`, { fileId: presigned.fileId }));
  await untilStatus(token, taskId, 'VALIDATED');
  await api(token, 'POST', `${IMPORTS}/commit`, { taskId, sendWelcome: false });
  await untilStatus(token, taskId, 'COMPLETED');
  return taskId;
}

describe('the imports list in Chromium', () => {
  it('lists a finished import with its status, counts and operator, and reopens it in the wizard', async () => {
    const tenantId = e2eTenant();
    const operator = `ops@${tenantId}.test`;
    const taskId = await finishedImport(tenantId, await tokenOf(tenantId, operator));

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'superuser' });
    await openPage(page, 'Imports');

    const row = page.locator(`[data-testid="import-row"][data-task="${taskId}"]`);
    await row.waitFor();
    expect(await row.getByTestId('import-status').textContent()).toBe('Completed');
    expect(await row.getByTestId('import-valid').textContent()).toBe('3');
    expect(await row.getByTestId('import-invalid').textContent()).toBe('0');
    expect(await row.getByTestId('import-succeeded').textContent()).toBe('3');
    expect(await row.getByTestId('import-failed').textContent()).toBe('0');
    expect(await row.textContent()).toContain(operator);
    await saveScreenshot(page, 'page-imports-listed');

    await page.getByTestId('imports-status').selectOption('FAILED');
    await page.getByTestId('empty').waitFor();
    await page.getByTestId('imports-status').selectOption('COMPLETED');
    await row.waitFor();

    await row.getByTestId('open-import').click();
    await page.getByRole('heading', { name: 'Import users', level: 1 }).waitFor();
    expect(new URL(page.url()).searchParams.get('task')).toBe(taskId);
    const task = page.getByTestId('import-task');
    await task.waitFor();
    expect(await task.getAttribute('data-status')).toBe('COMPLETED');
    expect(await page.getByTestId('count-succeeded').textContent()).toBe('3');
    expect(problems).toEqual([]);
    await context.close();
  });
});
