import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DirectoryRepository } from '../../../functions/identity/adapters/directory-repository';
import { call, documentClient, errorCode, principal, TABLE_NAME, uniqueTenant } from '../support/api';
import { BASE, taskOf, upload, waitForStatus } from './import-support';

const directory = new DirectoryRepository(documentClient(), TABLE_NAME);

describe('an XLSX import', () => {
  it('keeps cells as the admin sees them (leading zeros, dates) and imports the rows', async () => {
    const tenantId = uniqueTenant('xlsx');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').addRow(['not the users sheet']);
    const sheet = workbook.addWorksheet('Users');
    sheet.addRow(['Email', 'First Name', 'Employee ID', 'Phone', 'Start Date', 'Locale']);
    for (let index = 0; index < 20; index++) {
      const row = sheet.addRow([
        `x${index}@${tenantId}.test`,
        `Name${index}`,
        123 + index,
        '+44 20 7946 0958',
        new Date(Date.UTC(2026, 0, 15)),
        'en-GB',
      ]);
      row.getCell(3).numFmt = '000000';
      row.getCell(5).numFmt = 'yyyy-mm-dd';
    }
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    const fileId = await upload(admin, 'people.xlsx', bytes);
    const taskId = await taskOf(admin, fileId);
    const validated = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED']);
    expect(validated.status).toBe('VALIDATED');
    expect(validated.counts).toMatchObject({ total: 20, valid: 20, invalid: 0 });

    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: true } });
    const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.counts).toMatchObject({ succeeded: 20, notified: 20 });
    const emails = z
      .array(z.object({ to: z.unknown(), subject: z.string() }))
      .parse((await call('GET', '/_local/emails')).body);
    expect(emails.filter((email) => JSON.stringify(email.to).includes(`@${tenantId}.test`))).toHaveLength(20);
    const events = z
      .array(z.object({ 'detail-type': z.string(), detail: z.object({ tenantId: z.string() }) }))
      .parse((await call('GET', '/_local/events')).body);
    expect(
      events.filter(
        (event) => event['detail-type'] === 'iam.user.bulk_imported' && event.detail.tenantId === tenantId,
      ),
    ).toHaveLength(1);
    const userId = await directory.findUserIdByEmail(tenantId, `x0@${tenantId}.test`);
    expect(await directory.getUser(tenantId, userId ?? '')).toMatchObject({
      givenName: 'Name0',
      employeeId: '000123',
      phone: '+442079460958',
      locale: 'en-GB',
    });
  });
});

describe('the upload size limit', () => {
  it('refuses a declared size over the limit before handing out an upload URL', async () => {
    const admin = await principal(uniqueTenant('size'), 'admin@acme.test', ['tenant_admin']);
    const response = await call('POST', `${BASE}/uploads`, {
      token: admin.token,
      body: { fileName: 'big.csv', sizeBytes: 50 * 1024 * 1024 + 1 },
    });
    expect(response.status).toBe(422);
    expect(errorCode(response)).toBe('FILE_TOO_LARGE');
  });

  it('signs the size limit into the upload policy, so S3 itself refuses a larger body', async () => {
    const admin = await principal(uniqueTenant('policy'), 'admin@acme.test', ['tenant_admin']);
    const response = await call('POST', `${BASE}/uploads`, {
      token: admin.token,
      body: { fileName: 'a.csv' },
    });
    const { fields } = z.object({ fields: z.object({ Policy: z.string() }) }).parse(response.body);
    const policy = z
      .object({ conditions: z.array(z.unknown()) })
      .parse(JSON.parse(Buffer.from(fields.Policy, 'base64').toString('utf8')));
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 50 * 1024 * 1024]);
  });
});
