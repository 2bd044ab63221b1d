import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bundleSchema } from '../../../functions/entitlements/domain/bundle';
import { userResourceSchema } from '../../../functions/identity/domain/user';
import { meSchema } from '../../../functions/identity/use-cases/describe-me';
import { pageSchema } from '../../../functions/shared/http/page-token';
import { call, principal, uniqueTenant } from '../support/api';

const documentSchema = z.object({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({ schemas: z.record(z.string(), z.unknown()) }),
});

describe('GET /openapi.json', () => {
  it('scenario 18: OpenAPI + frontend type generation: generated contracts include batch schemas', async () => {
    const response = await call('GET', '/openapi.json');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const document = documentSchema.parse(response.body);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(Object.keys(document.paths['/v1/admin/users'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(document.paths['/api/v1/$batch']?.post).toMatchObject({
      operationId: 'Batch',
      requestBody: {
        content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchEnvelope' } } },
      },
      responses: {
        200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchResponse' } } } },
      },
    });
    expect(document.components.schemas).toHaveProperty('BatchEnvelope.properties.requests.items', {
      $ref: '#/components/schemas/BatchRequest',
    });
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['BatchEnvelope', 'BatchRequest', 'BatchResponse', 'ErrorEnvelope', 'User']),
    );

    // What a front end imports is generated from this same document.
    const types = readFileSync('clients/muster-api.d.ts', 'utf8');
    for (const name of ['BatchEnvelope', 'BatchRequest', 'BatchResponse', 'ErrorEnvelope', 'User']) {
      expect(types).toMatch(new RegExp(`^ {8}${name}: \\{`, 'm'));
    }
    expect(types).toContain('"/api/v1/$batch": {');
  });

  it('documents what the user routes answer: their responses fit the published schemas exactly', async () => {
    const tenant = uniqueTenant('oas');
    const admin = await principal(tenant, 'admin@oas.test', ['tenant_admin']);

    const me = await call('GET', '/v1/me', { token: admin.token });
    expect(me.status).toBe(200);
    expect(z.strictObject(meSchema.shape).safeParse(me.body).error).toBeUndefined();

    const users = await call('GET', '/v1/admin/users', { token: admin.token });
    expect(users.status).toBe(200);
    const page = pageSchema(z.strictObject(userResourceSchema.shape)).strict().safeParse(users.body);
    expect(page.error).toBeUndefined();
    expect(page.data?.items.map((user) => user.email)).toEqual(['admin@oas.test']);
  });

  it('documents what the bundle routes answer: create, read, list and replace fit the published Bundle exactly', async () => {
    const tenant = uniqueTenant('oas-bundles');
    const admin = await principal(tenant, 'admin@oas.test', ['tenant_admin']);
    const exactBundle = z.strictObject(bundleSchema.shape);
    const expectBundle = (body: unknown, what: string) =>
      expect(exactBundle.safeParse(body).error, `${what}: ${JSON.stringify(body)}`).toBeUndefined();

    const created = await call('POST', '/internal/iam/bundles', {
      token: admin.token,
      body: { bundleId: 'viewer', name: 'Viewer', roles: ['member'], risk: 'low', maxDurationDays: 30 },
    });
    expect(created.status, created.text).toBe(201);
    expectBundle(created.body, 'created');

    const read = await call('GET', '/internal/iam/bundles/viewer', { token: admin.token });
    expect(read.status, read.text).toBe(200);
    expectBundle(read.body, 'read');

    const replaced = await call('PUT', '/internal/iam/bundles/viewer', {
      token: admin.token,
      headers: { 'if-match': '"1"' },
      body: { name: 'Read-only viewer', roles: ['member'], risk: 'low' },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expectBundle(replaced.body, 'replaced');

    const listed = await call('GET', '/internal/iam/bundles', { token: admin.token });
    expect(listed.status, listed.text).toBe(200);
    const list = z.strictObject({ items: z.array(exactBundle) }).safeParse(listed.body);
    expect(list.error, listed.text).toBeUndefined();
    expect(list.data?.items.map((bundle) => [bundle.bundleId, bundle.version])).toEqual([['viewer', 2]]);
  });

  it('is public: no credentials needed, and a bad token is not even looked at', async () => {
    const response = await call('GET', '/openapi.json', { headers: { authorization: 'Bearer nonsense' } });
    expect(response.status).toBe(200);
  });
});
