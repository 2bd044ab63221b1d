import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LOCAL_NAMES } from '../../../local/environment';
import { BASE, csvOf, taskOf, upload, waitForStatus } from '../bulk-import/import-support';
import { apiUrl, call, errorCode, type Principal, principal, uniqueTenant } from '../support/api';

/*
 * Issue 7: every presigned URL Muster hands out addresses the caller's tenant prefix, and no id a
 * caller sends (an upload's file id, a task id) can be turned into another tenant's key.
 */

const presignedPostSchema = z.object({
  fileId: z.string(),
  uploadUrl: z.string(),
  fields: z.record(z.string(), z.string()),
});
const policySchema = z.object({ conditions: z.array(z.unknown()) });
const linksSchema = z.object({
  reportUrl: z.string(),
  reportXlsxUrl: z.string(),
  successExportUrl: z.string(),
  failedExportUrl: z.string(),
});

/** The object key a presigned GET addresses (path-style locally: /<bucket>/<key>). */
function keyOfDownload(url: string): string {
  const path = decodeURIComponent(new URL(url).pathname);
  const bucketPrefix = `/${LOCAL_NAMES.reportsBucket}/`;
  expect(path.startsWith(bucketPrefix), path).toBe(true);
  return path.slice(bucketPrefix.length);
}

async function presignUpload(admin: Principal, fileName = 'people.csv') {
  const created = await call('POST', `${BASE}/uploads`, {
    token: admin.token,
    body: { fileName, sizeBytes: 64 },
  });
  expect(created.status, created.text).toBe(201);
  return presignedPostSchema.parse(created.body);
}

describe('presigned URLs address only the caller tenant prefix', () => {
  const tenantA = uniqueTenant('url-a');
  const tenantB = uniqueTenant('url-b');
  let adminA: Principal;
  let adminB: Principal;
  let fileIdA: string;
  let taskIdA: string;

  beforeAll(async () => {
    adminA = await principal(tenantA, `admin@${tenantA}.test`, ['tenant_admin']);
    adminB = await principal(tenantB, `admin@${tenantB}.test`, ['tenant_admin']);
    fileIdA = await upload(adminA, 'a.csv', csvOf(['email'], [[`one@${tenantA}.test`]]));
    taskIdA = await taskOf(adminA, fileIdA);
    await waitForStatus(adminA, taskIdA, ['VALIDATED']);
  }, 60_000);

  it('the upload POST policy pins the exact key under the caller prefix, made of ids Muster generated', async () => {
    const presigned = await presignUpload(adminB, '../../tenants/evil/uploads/x.csv');
    expect(presigned.fields.key).toBe(`tenants/${tenantB}/uploads/${presigned.fileId}`);
    const policy = policySchema.parse(
      JSON.parse(Buffer.from(presigned.fields.Policy ?? '', 'base64').toString('utf8')),
    );
    expect(policy.conditions).toContainEqual({ key: presigned.fields.key });
    expect(policy.conditions).toContainEqual({ bucket: LOCAL_NAMES.uploadsBucket });
    // No `starts-with` on the key: the form can only ever write that one object.
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');
  });

  it('a report, an export and the XLSX template link all address the caller prefix', async () => {
    const fileId = await upload(
      adminB,
      'b.csv',
      csvOf(['email'], [[`fresh@${tenantB}.test`], [`taken@${tenantB}.test`], ['not-an-email']]),
    );
    const taskId = await taskOf(adminB, fileId);
    await waitForStatus(adminB, taskId, ['VALIDATED']);
    await principal(tenantB, `taken@${tenantB}.test`);
    const committed = await call('POST', `${BASE}/commit`, {
      token: adminB.token,
      body: { taskId, sendWelcome: false },
    });
    expect(committed.status, committed.text).toBe(202);
    await waitForStatus(adminB, taskId, ['COMPLETED_WITH_ERRORS']);
    const task = await call('GET', `${BASE}/${taskId}`, { token: adminB.token });
    const links = Object.values(linksSchema.parse(task.body));
    const template = await fetch(`${apiUrl}${BASE}/template?format=xlsx`, {
      headers: { authorization: `Bearer ${adminB.token}` },
      redirect: 'manual',
    });
    expect(template.status).toBe(303);
    links.push(template.headers.get('location') ?? '');

    for (const link of links) {
      const key = keyOfDownload(link);
      expect(key.startsWith(`tenants/${tenantB}/`), key).toBe(true);
      expect(key.split('/'), key).not.toContain('..');
      expect((await fetch(link)).status, key).toBe(200);
    }
  }, 60_000);

  it('the policy is signed: a form whose key condition was rewritten to another tenant no longer matches its signature', async () => {
    const presigned = await presignUpload(adminB);
    const policy = Buffer.from(presigned.fields.Policy ?? '', 'base64').toString('utf8');
    const forged = policy.replace(presigned.fields.key ?? '', `tenants/${tenantA}/uploads/${fileIdA}`);
    expect(forged).not.toBe(policy);
    // S3 recomputes this HMAC over the Policy field with the signing key of X-Amz-Credential; the
    // local engine (s3rver) checks no POST policy, so this is asserted on the document itself.
    const credential = presigned.fields['X-Amz-Credential'] ?? '';
    const [, date = '', region = '', service = ''] = credential.split('/');
    const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
    const signingKey = hmac(hmac(hmac(hmac('AWS4S3RVER', date), region), service), 'aws4_request');
    const signature = (document: string) =>
      createHmac('sha256', signingKey).update(Buffer.from(document).toString('base64')).digest('hex');
    expect(signature(policy)).toBe(presigned.fields['X-Amz-Signature']);
    expect(signature(forged)).not.toBe(presigned.fields['X-Amz-Signature']);
  });

  const crafted = (a: { fileId: string; tenantId: string }) => [
    `../${a.tenantId}/uploads/${a.fileId}`,
    `tenants/${a.tenantId}/uploads/${a.fileId}`,
    `${a.fileId}/../../${a.tenantId}`,
    `%2e%2e%2f${a.tenantId}%2fuploads%2f${a.fileId}`,
    `..%2F..%2Ftenants%2F${a.tenantId}%2Fuploads%2F${a.fileId}`,
    `f_${'.'.repeat(26)}`,
  ];

  it('the validation request refuses crafted keys (422) and another tenant upload id (404), reading nothing of A', async () => {
    const outcomes: string[] = [];
    for (const fileId of [...crafted({ fileId: fileIdA, tenantId: tenantA }), fileIdA]) {
      const response = await call('POST', `${BASE}/validation`, { token: adminB.token, body: { fileId } });
      outcomes.push(`${response.status} ${errorCode(response)}`);
      expect(response.text).not.toContain(taskIdA);
    }
    expect(outcomes).toEqual([...Array(6).fill('422 VALIDATION_FAILED'), '404 UPLOAD_NOT_FOUND']);
    // A's own request still finds its task: the refusals were about the caller, not the file.
    expect(await taskOf(adminA, fileIdA)).toBe(taskIdA);
  });

  it('commit, task reads and retries refuse crafted or foreign task ids, and A stays VALIDATED', async () => {
    const taskIds = [...crafted({ fileId: taskIdA, tenantId: tenantA }), taskIdA];
    const outcomes: string[] = [];
    for (const taskId of taskIds) {
      const commit = await call('POST', `${BASE}/commit`, { token: adminB.token, body: { taskId } });
      outcomes.push(`commit ${commit.status} ${errorCode(commit)}`);
      for (const suffix of ['', '/errors', '/retry', '/redrive']) {
        const method = suffix === '/retry' || suffix === '/redrive' ? 'POST' : 'GET';
        const response = await call(method, `${BASE}/${encodeURIComponent(taskId)}${suffix}`, {
          token: adminB.token,
        });
        expect([404, 422], `${method} ${taskId}${suffix}: ${response.text}`).toContain(response.status);
        errorCode(response);
        expect(response.text).not.toContain(fileIdA);
      }
    }
    expect(outcomes).toEqual([...Array(6).fill('commit 422 VALIDATION_FAILED'), 'commit 404 TASK_NOT_FOUND']);
    expect((await call('GET', `${BASE}/${taskIdA}`, { token: adminA.token })).body).toMatchObject({
      status: 'VALIDATED',
    });
  });

  it('a raw traversal in the path never reaches another tenant task', async () => {
    for (const path of [
      `${BASE}/..%2F..%2Ftenants%2F${tenantA}%2Fimports%2F${taskIdA}`,
      `${BASE}/%2e%2e/${taskIdA}`,
      `${BASE}/${taskIdA}%00`,
    ]) {
      const response = await call('GET', path, { token: adminB.token });
      expect([400, 403, 404, 422], `${path}: ${response.text}`).toContain(response.status);
      errorCode(response);
    }
  });
});
