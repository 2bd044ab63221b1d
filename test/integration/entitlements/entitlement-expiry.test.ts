import { describe, expect, it } from 'vitest';
import { EntitlementRepository } from '../../../functions/entitlements/adapters/entitlement-repository';
import { call, documentClient, principal, TABLE_NAME } from '../support/api';
import {
  canManageBundles,
  emailsTo,
  startAssignment,
  tenantEvents,
  tenantWithBundles,
  waitForStatus,
} from './assign-support';

const entitlements = new EntitlementRepository(documentClient(), TABLE_NAME);
const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Runs the expiry sweep for one tenant as if the clock read `at` (the local stack's fake clock);
 * other files' tenants keep their time.
 */
async function sweepAt(tenantId: string, at: Date) {
  const response = await call('POST', '/_local/schedules/EntitlementExpirySweep/run', {
    body: { at: at.toISOString(), tenantId },
  });
  expect(response.status, response.text).toBe(200);
}

describe('entitlement expiry (EntitlementExpirySweep)', () => {
  it('reminds 7 days and 1 day before the end, once each, then revokes at the end', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('expiry');
    const ann = await principal(tenantId, email('ann'));
    // Whole seconds: the scheduled event's time, the sweep's clock, has no milliseconds.
    const end = new Date(Math.ceil((Date.now() + 10 * 24 * HOUR) / 1000) * 1000);
    const started = await startAssignment(admin.token, {
      members: [email('ann')],
      bundles: ['bundle-admin'],
      validUntil: end.toISOString(),
    });
    expect((await waitForStatus(admin.token, started.assignmentId, ['COMPLETED'])).status).toBe('COMPLETED');
    expect(await canManageBundles(ann.token)).toBe(true);
    const expiring = () => tenantEvents(tenantId, 'iam.permission.expiring');

    await sweepAt(tenantId, new Date());
    expect(await expiring()).toEqual([]);

    const sevenDaysBefore = new Date(end.getTime() - 168 * HOUR + MINUTE);
    await sweepAt(tenantId, sevenDaysBefore);
    await sweepAt(tenantId, sevenDaysBefore);
    expect((await expiring()).map((event) => event.detail.data.remindedBeforeHours)).toEqual([168]);
    expect((await expiring())[0]?.detail.data).toMatchObject({
      validUntil: end.toISOString(),
      grant: { bundleId: 'bundle-admin' },
      source: { type: 'batch_assign', assignmentId: started.assignmentId },
    });
    expect(await emailsTo(email('ann'))).toEqual(
      expect.arrayContaining([expect.objectContaining({ subject: expect.stringContaining('7 day(s)') })]),
    );
    expect(
      (await emailsTo(email('admin'))).filter((mail) => mail.subject.includes('Access ending')),
    ).toHaveLength(1);

    await sweepAt(tenantId, new Date(end.getTime() - 24 * HOUR + MINUTE));
    expect((await expiring()).map((event) => event.detail.data.remindedBeforeHours)).toEqual([168, 24]);
    expect(await canManageBundles(ann.token)).toBe(true);

    await sweepAt(tenantId, new Date(end.getTime() + MINUTE));
    await sweepAt(tenantId, new Date(end.getTime() + 2 * MINUTE));
    const revoked = await tenantEvents(tenantId, 'iam.permission.revoked');
    expect(revoked.map((event) => event.detail.data.reason)).toEqual(['expired']);
    expect(await entitlements.listForUser(tenantId, ann.userId)).toEqual([
      expect.objectContaining({ status: 'EXPIRED', remindersSent: [168, 24] }),
    ]);
    // Revoked at the fake clock's end: RBAC, on the real clock, stops counting it at once.
    expect(await canManageBundles(ann.token)).toBe(false);
  });

  it('sends only the nearest reminder when the sweep comes late', async () => {
    const { tenantId, admin, email } = await tenantWithBundles('expirylate');
    await principal(tenantId, email('ann'));
    const end = new Date(Math.ceil((Date.now() + 3 * 24 * HOUR) / 1000) * 1000);
    const started = await startAssignment(admin.token, {
      members: [email('ann')],
      bundles: ['viewer'],
      validUntil: end.toISOString(),
    });
    await waitForStatus(admin.token, started.assignmentId, ['COMPLETED']);
    await sweepAt(tenantId, new Date(end.getTime() - 2 * HOUR));
    const reminders = await tenantEvents(tenantId, 'iam.permission.expiring');
    expect(reminders.map((event) => event.detail.data.remindedBeforeHours)).toEqual([24]);
  });
});
