import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { call, documentClient, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { BASE, csvOf, download, taskOf, upload, waitForStatus } from './import-support';

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);
const emailSchema = z.array(
  z.object({ to: z.array(z.string()).or(z.string()), subject: z.string(), text: z.string().optional() }),
);
const eventSchema = z.array(
  z.object({
    'detail-type': z.string(),
    detail: z.object({ tenantId: z.string(), data: z.record(z.string(), z.unknown()) }),
  }),
);

describe('a clean 500-row CSV import', () => {
  it('validates, commits, creates every account once with default roles, sends welcome emails and the event', async () => {
    const tenantId = uniqueTenant('import');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const template = await call('GET', `${BASE}/template?format=csv`, { token: admin.token });
    expect(template.status).toBe(200);
    expect(template.headers.get('content-type')).toContain('text/csv');
    expect(template.text.split(/\r?\n/)[0]).toContain('email');

    const rows = Array.from({ length: 500 }, (_, index) => [
      `person${index}@${tenantId}.test`,
      `Given${index}`,
      `Family${index}`,
      `E${String(index).padStart(5, '0')}`,
      index % 2 ? 'Sales' : 'Engineering',
    ]);
    const fileId = await upload(
      admin,
      'people.csv',
      csvOf(['email', 'given_name', 'family_name', 'employee_id', 'department'], rows),
    );
    const taskId = await taskOf(admin, fileId);
    expect(await taskOf(admin, fileId)).toBe(taskId);

    const validated = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(validated.status).toBe('VALIDATED');
    expect(validated.counts).toMatchObject({ total: 500, valid: 500, invalid: 0 });

    const committed = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: true },
    });
    expect(committed.status, committed.text).toBe(202);
    const again = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: true },
    });
    expect(again.status).toBe(202);

    const done = await waitForStatus(
      admin,
      taskId,
      ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'],
      120_000,
    );
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toEqual({
      total: 500,
      valid: 500,
      invalid: 0,
      succeeded: 500,
      failed: 0,
      pendingApproval: 0,
      notified: 500,
      grantsApproved: 0,
      grantsRejected: 0,
    });

    const userId = await directory.findUserIdByEmail(tenantId, `person7@${tenantId}.test`);
    const user = await directory.getUser(tenantId, userId ?? '');
    expect(user).toMatchObject({
      status: 'INVITED',
      givenName: 'Given7',
      employeeId: 'E00007',
      roles: ['member'],
    });

    const emails = emailSchema.parse((await call('GET', '/_local/emails')).body);
    const welcomes = emails.filter((email) => JSON.stringify(email.to).includes(`@${tenantId}.test`));
    expect(welcomes).toHaveLength(500);
    expect(new Set(welcomes.map((email) => JSON.stringify(email.to))).size).toBe(500);
    expect(
      emails.some(
        (email) => JSON.stringify(email.to).includes('admin@acme.test') && email.subject.includes(taskId),
      ),
    ).toBe(true);

    const events = eventSchema.parse((await call('GET', '/_local/events')).body);
    const imported = events.filter(
      (event) => event['detail-type'] === 'iam.user.bulk_imported' && event.detail.tenantId === tenantId,
    );
    expect(imported).toHaveLength(1);
    expect(imported[0]?.detail.data).toMatchObject({
      taskId,
      status: 'COMPLETED',
      counts: { succeeded: 500 },
    });
    expect(
      events.filter(
        (event) => event['detail-type'] === 'iam.user.created' && event.detail.tenantId === tenantId,
      ),
    ).toHaveLength(500);

    const succeeded = await download(done.successExportUrl ?? '');
    expect(succeeded.trim().split(/\r?\n/)).toHaveLength(501);
  });
});
