import { describe, expect, it } from 'vitest';
import { apiUrl, call, principal, uniqueTenant } from '../support/api';

/**
 * The console sends the file from the browser straight to the presigned POST, with an upload
 * progress listener, so the browser asks the bucket first (a CORS preflight) from the console's
 * origin: the API's own.
 */
describe('a browser upload to the presigned POST', () => {
  it('passes the CORS preflight from the console origin and gets the allow-origin header on the POST', async () => {
    const tenantId = uniqueTenant('web');
    const admin = await principal(tenantId, `admin@${tenantId}.test`, ['superuser']);
    const target = await call('POST', '/internal/iam/users/bulk-import/uploads', {
      token: admin.token,
      body: { fileName: 'users.csv' },
    });
    expect(target.status).toBe(201);
    const { uploadUrl, fields } = target.body as { uploadUrl: string; fields: Record<string, string> };
    const origin = new URL(apiUrl).origin;

    const preflight = await fetch(uploadUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['email\nann@example.test\n'], { type: 'text/csv' }), 'users.csv');
    const sent = await fetch(uploadUrl, { method: 'POST', body: form, headers: { origin } });
    expect(sent.ok).toBe(true);
    expect(sent.headers.get('access-control-allow-origin')).toBeTruthy();
  });
});
