import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { approvalOfAssignment } from '../integration/approvals/approval-support';
import {
  ASSIGN,
  assignmentSchema,
  canManageBundles,
  startAssignment,
  tenantWithBundles,
} from '../integration/entitlements/assign-support';
import { call, principal } from '../integration/support/api';
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

/** An answer's `status` field, for polling a task or an assignment until it ends. */
async function statusAt(token: string, path: string): Promise<string> {
  const response = await call('GET', path, { token });
  expect(response.status, response.text).toBe(200);
  return z.object({ status: z.string() }).parse(response.body).status;
}

describe('the approvals inbox in Chromium', () => {
  it('lets a security approver approve the high-risk role an import asked for, with a justification; the import then completes', async () => {
    const tenantId = e2eTenant();
    const requester = await newConsoleContext(browser());
    const importer = await requester.newPage();
    await signIn(importer, { tenantId, role: 'superuser' });
    const csv = `email,roles\r\nboss@${tenantId}.test,tenant_admin\r\nplain@${tenantId}.test,\r\n`;
    await importer
      .getByTestId('file-input')
      .setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await importer.getByTestId('commit').waitFor({ timeout: 30_000 });
    await importer.getByLabel('Note for the approver').fill('Boss starts Monday.');
    await importer.getByTestId('commit').click();
    await expect
      .poll(() => importer.getByTestId('import-task').getAttribute('data-status'), { timeout: 60_000 })
      .toBe('AWAITING_APPROVAL');
    await requester.close();

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, {
      tenantId,
      role: 'security_approver',
      email: `approver@${tenantId}.test`,
      landsOn: 'Users',
    });
    await openPage(page, 'Approvals');
    const approval = page.getByTestId('approval').first();
    await approval.waitFor({ timeout: 30_000 });
    expect(await approval.textContent()).toMatch(/high/i);
    expect(await approval.getByTestId('approval-note').textContent()).toContain('Boss starts Monday.');
    await approval.getByTestId('justification').fill('Boss starts Monday; confirmed with HR.');
    await saveScreenshot(page, 'approvals-pending');
    await approval.getByTestId('approve').click();
    await expect.poll(() => page.getByTestId('approval').count(), { timeout: 30_000 }).toBe(0);
    await saveScreenshot(page, 'approvals-decided');
    expect(problems).toEqual([]);
    await context.close();

    // The import goes on once approved: the sensitive grant is made and the task completes.
    const ops = await principal(tenantId, `ops@${tenantId}.test`, ['superuser']);
    const approved = await call('GET', '/internal/approvals?status=APPROVED', { token: ops.token });
    const [decided] = z
      .object({ items: z.array(z.object({ subject: z.object({ taskId: z.string() }) })) })
      .parse(approved.body).items;
    const taskPath = `/internal/iam/users/bulk-import/${decided?.subject.taskId}`;
    await expect.poll(() => statusAt(ops.token, taskPath), { timeout: 60_000 }).toBe('COMPLETED');
  });

  it('lets a security approver approve a high-risk batch assignment, seeing its findings and the note; the member then holds the grant', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('e2e-assign');
    const ann = await principal(tenantId, email('ann'));
    const note = 'Ann migrates the bundle catalogue this sprint.';
    // Ann named twice: a finding (DUPLICATE_MEMBER) the approver sees next to the high risk.
    const { assignmentId } = await startAssignment(admin.token, {
      members: [email('ann'), email('ann')],
      bundles: ['bundle-admin-high'],
      validUntil: new Date(Date.now() + 20 * DAY).toISOString(),
      justification: note,
    });
    // Waits until the approval opened, as another approver lists it.
    await approvalOfAssignment(await principal(tenantId, email('sec2'), ['security_approver']), assignmentId);
    expect(await canManageBundles(ann.token)).toBe(false);

    const context = await newConsoleContext(browser());
    const page = await context.newPage();
    const problems = recordPageProblems(page);
    await signIn(page, { tenantId, role: 'security_approver', email: email('sec'), landsOn: 'Users' });
    await openPage(page, 'Approvals');
    const card = page.getByTestId('approval').filter({ hasText: assignmentId });
    await card.waitFor({ timeout: 30_000 });
    expect(await card.locator('.risk').textContent()).toMatch(/high risk/i);
    expect(await card.textContent()).toContain('bundle-admin-high');
    expect(await card.getByTestId('approval-note').textContent()).toContain(note);
    expect(await card.getByTestId('approval-finding').getAttribute('data-code')).toBe('DUPLICATE_MEMBER');
    await saveScreenshot(page, 'approvals-assignment-pending');

    // High risk: approving without a justification is stopped before it is sent.
    await card.getByTestId('approve').click();
    expect(await card.getByTestId('justification').evaluate((field) => field.matches(':invalid'))).toBe(true);
    await card.getByTestId('justification').fill('Needed for the catalogue migration; ends in 20 days.');
    await card.getByTestId('approve').click();
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(0);
    await page
      .getByRole('status')
      .filter({ hasText: /approved/ })
      .waitFor();
    await saveScreenshot(page, 'approvals-assignment-decided');
    expect(problems).toEqual([]);
    await context.close();

    await expect
      .poll(() => statusAt(admin.token, `${ASSIGN}/${assignmentId}`), { timeout: 60_000 })
      .toBe('COMPLETED');
    const done = assignmentSchema.parse(
      (await call('GET', `${ASSIGN}/${assignmentId}`, { token: admin.token })).body,
    );
    expect(done.approvalChain).toEqual([
      expect.objectContaining({
        decision: 'APPROVED',
        justification: 'Needed for the catalogue migration; ends in 20 days.',
      }),
    ]);
    expect(done.members.flatMap((member) => member.bundles.map((bundle) => bundle.outcome))).toContain(
      'granted',
    );
    expect(await canManageBundles(ann.token)).toBe(true);
  });
});
