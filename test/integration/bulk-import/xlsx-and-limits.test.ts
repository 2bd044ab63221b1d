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

  it('rejects a macro-enabled workbook with a clear error', async () => {
    const tenantId = uniqueTenant('xlsm');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Users').addRow(['email']);
    const fileId = await upload(
      admin,
      'people.xlsm',
      new Uint8Array(await workbook.xlsx.writeBuffer()),
    ).catch(() => undefined);
    // .xlsm is refused when the upload is requested, before any byte is sent.
    expect(fileId).toBeUndefined();
    const refused = await call('POST', `${BASE}/uploads`, {
      token: admin.token,
      body: { fileName: 'people.xlsm' },
    });
    expect(refused.status).toBe(422);
    expect(errorCode(refused)).toBe('UNSUPPORTED_FILE_TYPE');
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

  it('never parses a file that lands larger than the limit anyway, and the task says why', async () => {
    // s3rver does not enforce POST policy conditions (AWS does), so here the file lands and the
    // validator's own size check, the second line of defence, is what refuses it.
    const tenantId = uniqueTenant('oversize');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const line = `someone@${tenantId}.test\r\n`;
    const body = `email\r\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length) + 10)}`;
    const fileId = await upload(admin, 'big.csv', body, { declareSize: false });
    const taskId = await taskOf(admin, fileId);
    const task = await waitForStatus(admin, taskId, ['VALIDATED', 'VALIDATION_FAILED'], 60_000);
    expect(task.status).toBe('VALIDATION_FAILED');
    expect(task.failureReason).toMatch(/limit is 52428800 bytes/);
    expect(task.counts.total).toBe(0);
  }, 120_000);
});
