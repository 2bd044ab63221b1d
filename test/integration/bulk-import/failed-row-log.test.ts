import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { principal, uniqueTenant } from '../support/api';
import { handlerLogs } from '../support/telemetry';
import { commitWithOneTakenRow } from './import-support';

describe('the log line of a row that failed provisioning', () => {
  it('names the correlation id, task, batch, row and error code, and masks the email', async () => {
    const tenantId = uniqueTenant('rowlog');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const taken = `taken.person@${tenantId}.test`;
    const correlationId = `rowlog-${randomUUID()}`;
    const taskId = await commitWithOneTakenRow(admin, tenantId, {
      correlationId,
      sendWelcome: false,
      takenEmail: taken,
    });

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
