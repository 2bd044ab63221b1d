import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { csvOf, waitForStatus } from '../bulk-import/import-support';
import { principal, uniqueTenant } from '../support/api';
import { as, muster } from './cli-support';

const approvalOutput = z.object({
  approvalId: z.string(),
  subject: z.object({ type: z.string(), taskId: z.string().optional(), run: z.number().optional() }),
  status: z.string(),
  decision: z.object({ justification: z.string().optional() }).optional(),
});

/** The import's approval as the approver lists it through the CLI: it opens just after the run waits. */
async function pendingApprovalOf(approver: string[], taskId: string) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listed = await muster(['approvals', 'list', '--json', ...approver]);
    expect(listed.code, listed.stderr).toBe(0);
    const { items } = z.object({ items: z.array(approvalOutput) }).parse(JSON.parse(listed.stdout));
    const found = items.find((approval) => approval.subject.taskId === taskId);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no pending approval for ${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('muster approvals', () => {
  it('an import asking for a sensitive role waits; the approver approves it from the CLI and it completes', async () => {
    const tenantId = uniqueTenant('cli-approval');
    const adminEmail = `admin@${tenantId}.test`;
    const admin = as(tenantId, adminEmail, 'tenant_admin');
    const approver = as(tenantId, `approver@${tenantId}.test`, 'security_approver');
    const file = join(tmpdir(), `${tenantId}.csv`);
    await writeFile(
      file,
      csvOf(
        ['email', 'roles'],
        [
          [`boss@${tenantId}.test`, 'tenant_admin;operator'],
          [`plain@${tenantId}.test`, ''],
        ],
      ),
    );

    const imported = await muster([
      'import',
      file,
      '--commit',
      '--watch',
      '--no-welcome',
      '--json',
      ...admin,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const { task } = z
      .object({
        task: z.object({ taskId: z.string(), status: z.string(), counts: z.record(z.string(), z.number()) }),
      })
      .parse(JSON.parse(imported.stdout));
    expect(task.status).toBe('AWAITING_APPROVAL');
    expect(task.counts).toMatchObject({ succeeded: 2, pendingApproval: 1 });

    const approval = await pendingApprovalOf(approver, task.taskId);
    expect(approval).toMatchObject({ subject: { type: 'bulk_import', run: 1 }, status: 'PENDING' });
    const table = await muster(['approvals', 'list', ...approver]);
    expect(table.stdout).toMatch(
      new RegExp(`${approval.approvalId}\\s+bulk_import ${task.taskId} run 1\\s+high`),
    );

    // High risk: the API wants a justification, and the CLI passes its answer on.
    const bare = await muster(['approvals', 'approve', approval.approvalId, ...approver]);
    expect(bare.code).toBe(1);
    expect(bare.stderr).toMatch(/^muster: JUSTIFICATION_REQUIRED: .*\(HTTP 422, correlation id muster-cli-/);

    const approved = await muster([
      'approvals',
      'approve',
      approval.approvalId,
      '--justification',
      'Replaces the departing admin.',
      '--json',
      ...approver,
    ]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approvalOutput.parse(JSON.parse(approved.stdout))).toMatchObject({
      status: 'APPROVED',
      decision: { justification: 'Replaces the departing admin.' },
    });

    const done = await waitForStatus(await principal(tenantId, adminEmail, ['tenant_admin']), task.taskId, [
      'COMPLETED',
      'COMPLETED_WITH_ERRORS',
      'FAILED',
    ]);
    expect(done.counts).toMatchObject({ succeeded: 2, pendingApproval: 0, grantsApproved: 1 });
    const decided = await muster(['approvals', 'list', '--status', 'approved', ...approver]);
    expect(decided.stdout).toContain(approval.approvalId);
  });

  it('rejects with the justification', async () => {
    const tenantId = uniqueTenant('cli-reject');
    const admin = as(tenantId, `admin@${tenantId}.test`, 'tenant_admin');
    const approver = as(tenantId, `approver@${tenantId}.test`, 'security_approver');
    const file = join(tmpdir(), `${tenantId}.csv`);
    await writeFile(file, csvOf(['email', 'roles'], [[`boss@${tenantId}.test`, 'tenant_admin']]));
    const imported = await muster(['import', file, '--commit', '--watch', '--no-welcome', ...admin]);
    expect(imported.code, imported.stderr).toBe(0);
    const taskId = /task (t_[0-9a-z]{26})/.exec(imported.stdout)?.[1] ?? '';
    expect(imported.stdout).toContain(`task ${taskId} (${tenantId}.csv): AWAITING_APPROVAL, run 1`);

    const approval = await pendingApprovalOf(approver, taskId);
    const rejected = await muster([
      'approvals',
      'reject',
      approval.approvalId,
      '--justification',
      'Admins are appointed, not imported.',
      ...approver,
    ]);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout.trim()).toBe(`approval ${approval.approvalId}: REJECTED`);
  });
});
