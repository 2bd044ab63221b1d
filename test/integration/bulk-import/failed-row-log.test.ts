import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, principal, uniqueTenant } from '../support/api';
import { handlerLogs } from '../support/telemetry';
import { BASE, csvOf, taskOf, upload, waitForStatus } from './import-support';

describe('the log line of a row that failed provisioning', () => {
  it('names the correlation id, task, batch, row and error code, and masks the email', async () => {
    const tenantId = uniqueTenant('rowlog');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const taken = `taken.person@${tenantId}.test`;
    const fileId = await upload(
      admin,
      'people.csv',
      csvOf(
        ['email', 'given_name'],
        [
          [`fresh@${tenantId}.test`, 'Fresh'],
          [taken, 'Taken'],
        ],
      ),
    );
    const taskId = await taskOf(admin, fileId);
    expect((await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED'])).status).toBe('VALIDATED');
    // The second row's person gets an account some other way between validation and commit.
    await principal(tenantId, taken);

    const correlationId = `rowlog-${randomUUID()}`;
    const committed = await call('POST', `${BASE}/commit`, {
      token: admin.token,
      body: { taskId, sendWelcome: false },
      headers: { 'x-correlation-id': correlationId },
    });
    expect(committed.status, committed.text).toBe(202);
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done).toMatchObject({ status: 'COMPLETED_WITH_ERRORS', counts: { succeeded: 1, failed: 1 } });

    const records = await handlerLogs({ correlationId, level: 'WARN', message: 'Row not provisioned' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      level: 'WARN',
      correlation_id: correlationId,
      task_id: taskId,
      tenant_id: tenantId,
      run: 1,
      batch: 1,
      row: 3,
      error_code: 'ALREADY_EXISTS',
      email: `t***@${tenantId}.test`,
    });
    // No line of the whole run, at any level, carries either email in clear.
    const everything = JSON.stringify(await handlerLogs({ correlationId, limit: 1000 }));
    expect(everything).toContain(taskId);
    expect(everything).not.toContain(taken);
    expect(everything).not.toContain(`fresh@${tenantId}.test`);
  });
});
