import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { call, errorCode, type Principal, principal, uniqueTenant } from '../support/api';

const AUDIT = '/v1/admin/audit';

const entrySchema = z.object({
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  actor: z.object({ type: z.string(), userId: z.string().optional() }),
  targetId: z.string().optional(),
  correlationId: z.string(),
  change: z.object({ before: z.unknown(), after: z.unknown() }).optional(),
  data: z.record(z.string(), z.unknown()),
});
const pageSchema = z.object({ items: z.array(entrySchema), nextToken: z.string().optional() });

async function audit(caller: Principal, query: Record<string, string>) {
  const response = await call('GET', `${AUDIT}?${new URLSearchParams(query)}`, { token: caller.token });
  expect(response.status, response.text).toBe(200);
  return pageSchema.parse(response.body);
}

/** Drains the bus's deliveries, so the audit writer has stored everything published so far. */
async function settleBus(): Promise<void> {
  expect((await call('GET', '/_local/events')).status).toBe(200);
}

describe('GET /v1/admin/audit', () => {
  const tenantId = uniqueTenant('audit');
  let admin: Principal;
  let userId: string;
  const createdIn = `corr-${tenantId}-create`;
  const deactivatedIn = `corr-${tenantId}-deactivate`;

  beforeAll(async () => {
    admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    const created = await call('POST', '/v1/admin/users', {
      token: admin.token,
      body: { email: 'audited@acme.test', roles: ['operator'] },
      headers: { 'x-correlation-id': createdIn },
    });
    expect(created.status, created.text).toBe(201);
    userId = z.object({ userId: z.string() }).parse(created.body).userId;
    const deactivated = await call('POST', `/v1/admin/users/${userId}/deactivate`, {
      token: admin.token,
      headers: { 'x-correlation-id': deactivatedIn },
    });
    expect(deactivated.status, deactivated.text).toBe(200);
    await settleBus();
  });

  it("reads a user's trail: who did what to whom, when, in which request, newest first", async () => {
    const page = await audit(admin, { targetId: `user:${userId}` });
    expect(page.items.map((entry) => entry.type)).toEqual(['iam.user.deactivated', 'iam.user.created']);
    const [deactivation, creation] = page.items;
    expect(deactivation).toMatchObject({
      actor: { type: 'user', userId: admin.userId },
      targetId: `user:${userId}`,
      correlationId: deactivatedIn,
      change: { before: { status: 'ACTIVE' }, after: { status: 'DEACTIVATED' } },
    });
    expect(creation).toMatchObject({
      actor: { type: 'user', userId: admin.userId },
      correlationId: createdIn,
      data: { userId, roles: ['operator'] },
    });
    expect(page).not.toHaveProperty('nextToken');
    // The trail holds no personal data in clear.
    expect(JSON.stringify(page)).not.toContain('audited@');
  });

  it('filters by actor and by type prefix, and reads the tenant trail within a window', async () => {
    const byActor = await audit(admin, { actorId: admin.userId, type: 'iam.user.deactivated' });
    expect(byActor.items.map((entry) => entry.correlationId)).toEqual([deactivatedIn]);

    const recent = await audit(admin, { type: 'iam.user.' });
    expect(recent.items.map((entry) => entry.correlationId)).toEqual(
      expect.arrayContaining([createdIn, deactivatedIn]),
    );
    const before = await audit(admin, { to: new Date(Date.now() - 60 * 60 * 1000).toISOString() });
    expect(before.items).toEqual([]);
  });

  it('pages with nextToken without gaps or repeats', async () => {
    const first = await audit(admin, { targetId: `user:${userId}`, limit: '1' });
    expect(first.items.map((entry) => entry.type)).toEqual(['iam.user.deactivated']);
    expect(first.nextToken).toBeDefined();
    const second = await audit(admin, {
      targetId: `user:${userId}`,
      limit: '1',
      nextToken: first.nextToken ?? '',
    });
    expect(second.items.map((entry) => entry.type)).toEqual(['iam.user.created']);
  });

  it('answers bad input with a 400 or 422 envelope, never a 500', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ nextToken: 'forged' }, 400, 'INVALID_NEXT_TOKEN'],
      [{ from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 400, 'AUDIT_WINDOW_TOO_WIDE'],
      [
        { targetId: 'x', from: '2026-03-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
        400,
        'INVALID_AUDIT_WINDOW',
      ],
    ];
    for (const [query, status, code] of cases) {
      const response = await call('GET', `${AUDIT}?${new URLSearchParams(query)}`, { token: admin.token });
      expect(response.status, response.text).toBe(status);
      expect(errorCode(response)).toBe(code);
    }
    const malformed: Record<string, string>[] = [{ limit: '0' }, { from: 'yesterday' }];
    for (const query of malformed) {
      const response = await call('GET', `${AUDIT}?${new URLSearchParams(query)}`, { token: admin.token });
      expect([400, 422], response.text).toContain(response.status);
      errorCode(response);
    }
  });

  it('shows nothing of another tenant and refuses a caller without audit.read', async () => {
    const stranger = await principal(uniqueTenant('other'), 'admin@other.test', ['tenant_admin']);
    expect((await audit(stranger, { targetId: `user:${userId}` })).items).toEqual([]);

    const member = await principal(tenantId, 'member@acme.test', ['member']);
    const refused = await call('GET', AUDIT, { token: member.token });
    expect(refused.status, refused.text).toBe(403);
    expect(errorCode(refused)).toBe('PERMISSION_DENIED');
  });
});
