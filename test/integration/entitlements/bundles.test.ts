import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, errorCode, principal, uniqueTenant } from '../support/api';

const BUNDLES = '/internal/iam/bundles';
const bundleSchema = z.object({
  bundleId: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  permissions: z.array(z.string()),
  risk: z.enum(['low', 'medium', 'high']),
  maxDurationDays: z.number().optional(),
  incompatibleWith: z.array(z.string()),
  version: z.number(),
});

const viewer = { bundleId: 'viewer', name: 'Viewer', roles: ['member'], risk: 'low' };
const approver = {
  bundleId: 'approver',
  name: 'Approver',
  roles: ['security_approver'],
  risk: 'high',
  maxDurationDays: 90,
};

async function admin(tenantId = uniqueTenant('bundles')) {
  // Holds what the approver bundle grants: nobody defines a bundle beyond their own permissions.
  return {
    tenantId,
    ...(await principal(tenantId, 'admin@acme.test', ['tenant_admin', 'security_approver'])),
  };
}

describe('permission bundles', () => {
  it('creates, reads, lists, replaces under If-Match and deletes a bundle, publishing each change', async () => {
    const { token, tenantId } = await admin();
    const created = await call('POST', BUNDLES, { token, body: viewer });
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(bundleSchema.parse(created.body)).toMatchObject({
      ...viewer,
      permissions: [],
      incompatibleWith: [],
      version: 1,
    });

    const listed = await call('GET', BUNDLES, { token });
    expect(
      z
        .object({ items: z.array(bundleSchema) })
        .parse(listed.body)
        .items.map((bundle) => bundle.bundleId),
    ).toEqual(['viewer']);

    const replaced = await call('PUT', `${BUNDLES}/viewer`, {
      token,
      headers: { 'if-match': '"1"' },
      body: { ...viewer, bundleId: undefined, name: 'Read-only viewer' },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(bundleSchema.parse(replaced.body)).toMatchObject({ name: 'Read-only viewer', version: 2 });

    const stale = await call('PUT', `${BUNDLES}/viewer`, {
      token,
      headers: { 'if-match': '"1"' },
      body: { name: 'Lost update', roles: ['member'], risk: 'low' },
    });
    expect(stale.status).toBe(412);
    expect(errorCode(stale)).toBe('VERSION_MISMATCH');

    const deleted = await call('DELETE', `${BUNDLES}/viewer`, { token, headers: { 'if-match': '"2"' } });
    expect(deleted.status, deleted.text).toBe(204);
    expect((await call('GET', `${BUNDLES}/viewer`, { token })).status).toBe(404);

    // Each change is an event on the bus (and so an audit record), in order.
    const events = z
      .array(
        z.object({
          'detail-type': z.string(),
          detail: z.object({ tenantId: z.string(), data: z.unknown() }),
        }),
      )
      .parse((await call('GET', '/_local/events')).body)
      .filter((event) => event['detail-type'] === 'iam.bundle.changed' && event.detail.tenantId === tenantId);
    expect(events.map((event) => event.detail.data)).toMatchObject([
      { bundleId: 'viewer', change: 'created', version: 1, targetId: 'bundle:viewer' },
      { bundleId: 'viewer', change: 'replaced', version: 2 },
      { bundleId: 'viewer', change: 'deleted', version: 2 },
    ]);
  });

  it('refuses a taken id, unknown roles and unknown incompatible bundles, with the field named', async () => {
    const { token } = await admin();
    expect((await call('POST', BUNDLES, { token, body: viewer })).status).toBe(201);
    const taken = await call('POST', BUNDLES, { token, body: viewer });
    expect(taken.status).toBe(409);
    expect(errorCode(taken)).toBe('BUNDLE_EXISTS');

    const invalid = await call('POST', BUNDLES, {
      token,
      body: { ...approver, roles: ['no_such_role'], incompatibleWith: ['ghost', 'approver'] },
    });
    expect(invalid.status).toBe(422);
    expect(errorCode(invalid)).toBe('INVALID_BUNDLE');
    expect(invalid.text).toContain('no_such_role');
    expect(invalid.text).toContain('ghost');
    expect(invalid.text).toContain('SELF_INCOMPATIBLE');

    const empty = await call('POST', BUNDLES, {
      token,
      body: { bundleId: 'nothing', name: 'Nothing', risk: 'low' },
    });
    expect(empty.status).toBe(422);
    const badIfMatch = await call('DELETE', `${BUNDLES}/viewer`, {
      token,
      headers: { 'if-match': 'yesterday' },
    });
    expect(badIfMatch.status).toBe(400);
    expect(errorCode(badIfMatch)).toBe('INVALID_IF_MATCH');
  });

  it('refuses a bundle granting more than its author holds', async () => {
    const tenantId = uniqueTenant('bundles');
    const plainAdmin = await principal(tenantId, 'plain@acme.test', ['tenant_admin']);
    const refused = await call('POST', BUNDLES, { token: plainAdmin.token, body: approver });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('BEYOND_OWN_PERMISSIONS');
    expect(refused.text).toContain('approvals.decide');
    const superuser = await call('POST', BUNDLES, {
      token: plainAdmin.token,
      body: { bundleId: 'everything', name: 'Everything', permissions: ['workspace.manage'], risk: 'high' },
    });
    expect(superuser.status).toBe(422);
  });

  it('refuses to delete a bundle another one names as incompatible, until the reference is gone', async () => {
    const { token } = await admin();
    expect((await call('POST', BUNDLES, { token, body: viewer })).status).toBe(201);
    const editor = {
      bundleId: 'editor',
      name: 'Editor',
      roles: ['operator'],
      risk: 'medium',
      incompatibleWith: ['viewer'],
    };
    expect((await call('POST', BUNDLES, { token, body: editor })).status).toBe(201);
    const refused = await call('DELETE', `${BUNDLES}/viewer`, { token });
    expect(refused.status).toBe(409);
    expect(errorCode(refused)).toBe('BUNDLE_REFERENCED');
    expect(refused.text).toContain('editor');
    const { bundleId: _id, ...editorDefinition } = editor;
    const unlinked = await call('PUT', `${BUNDLES}/editor`, {
      token,
      body: { ...editorDefinition, incompatibleWith: [] },
    });
    expect(unlinked.status, unlinked.text).toBe(200);
    expect((await call('DELETE', `${BUNDLES}/viewer`, { token })).status).toBe(204);
  });

  it('keeps bundles per tenant and lets only bundle managers change them', async () => {
    const first = await admin();
    expect((await call('POST', BUNDLES, { token: first.token, body: approver })).status).toBe(201);
    const other = await admin();
    expect((await call('GET', `${BUNDLES}/approver`, { token: other.token })).status).toBe(404);
    expect((await call('DELETE', `${BUNDLES}/approver`, { token: other.token })).status).toBe(404);

    const member = await principal(first.tenantId, 'member@acme.test', ['member']);
    expect((await call('POST', BUNDLES, { token: member.token, body: viewer })).status).toBe(403);
    expect((await call('GET', BUNDLES, { token: member.token })).status).toBe(403);
  });
});
