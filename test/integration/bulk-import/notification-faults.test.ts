import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BULK_IMPORT_THRESHOLDS } from '../../../lib/observability/bulk-import-alarms';
import { recipientFails } from '../../../local/ses/faults';
import { as, muster } from '../cli/cli-support';
import { call, errorCode, type Principal, principal, uniqueTenant } from '../support/api';
import { metricDataPoints } from '../support/telemetry';
import { BASE, csvOf, download, validatedTask, waitForStatus } from './import-support';

const FAIL_RATE = 0.3;

const sesReportSchema = z.object({
  armed: z.boolean(),
  attempts: z.record(z.string(), z.number()),
  rejected: z.record(z.string(), z.number()),
});
const eventBridgeReportSchema = z.object({
  armed: z.boolean(),
  entriesRejected: z.number(),
  rejections: z.number(),
});
const replaySchema = z.object({
  taskId: z.string(),
  sent: z.number(),
  failed: z.number(),
  remaining: z.number(),
});
const emailsSchema = z.array(z.object({ to: z.array(z.string()) }));
const busEventsSchema = z.array(
  z.object({
    tenantId: z.string().optional(),
    detail: z.object({ eventId: z.string(), data: z.looseObject({ userId: z.string().optional() }) }),
  }),
);
const auditPageSchema = z.object({
  items: z.array(z.object({ eventId: z.string(), targetId: z.string().optional() })),
  nextToken: z.string().optional(),
});

async function armFaults(engine: 'ses' | 'eventbridge', faults: Record<string, unknown>) {
  const response = await call('PUT', `/_local/faults/${engine}`, { body: faults });
  expect(response.status, response.text).toBe(200);
  return response.body;
}

afterEach(async () => {
  await armFaults('ses', {});
  await armFaults('eventbridge', {});
});

/** How many welcome emails each of `recipients` has received. */
async function emailsTo(recipients: readonly string[]): Promise<Record<string, number>> {
  const response = await call('GET', '/_local/emails');
  const received = emailsSchema.parse(response.body).flatMap((email) => email.to);
  return Object.fromEntries(
    recipients.map((recipient) => [recipient, received.filter((to) => to === recipient).length]),
  );
}

/** Imports `emails` (one row each) and waits for the run to end. */
async function importPeople(
  admin: Principal,
  emails: readonly string[],
  options: { sendWelcome: boolean; correlationId: string },
) {
  const taskId = await validatedTask(
    admin,
    csvOf(
      ['email', 'given_name'],
      emails.map((email, index) => [email, `Person${index}`]),
    ),
  );
  const committed = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome: options.sendWelcome },
    headers: { 'x-correlation-id': options.correlationId },
  });
  expect(committed.status, committed.text).toBe(202);
  const done = await waitForStatus(admin, taskId, ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'], 90_000);
  return { taskId, done };
}

describe('SES failing 30% of recipients during an import', () => {
  it('creates every account, retries and records the failures, raises the alarm condition, and a replay sends each missing email once', async () => {
    const tenantId = uniqueTenant('sesfault');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    // A 503 the SDK retries with its 100 ms transient backoff; a 429 (the default) takes its 500 ms
    // throttling backoff, the same path some ten times slower.
    const scope = { failRate: FAIL_RATE, recipientSuffix: `@${tenantId}.test`, error: 'ServiceUnavailable' };
    // Twenty people, exactly 30% of them chosen by the engine's hash: a fixed share whatever the tenant id.
    const candidates = Array.from({ length: 200 }, (_, n) => `person${n}@${tenantId}.test`);
    const failing = candidates.filter((email) => recipientFails(scope, email)).slice(0, 6);
    const delivered = candidates.filter((email) => !recipientFails(scope, email)).slice(0, 14);
    const everyone = [...failing, ...delivered];
    expect(failing).toHaveLength(6);

    await armFaults('ses', scope);
    const correlationId = `ses-faults-${randomUUID()}`;
    const { taskId, done } = await importPeople(admin, everyone, { sendWelcome: true, correlationId });

    // Every account exists; an email failure never fails its row.
    expect(done).toMatchObject({
      status: 'COMPLETED',
      counts: { valid: 20, succeeded: 20, failed: 0, notified: 14 },
    });
    const report = sesReportSchema.parse((await call('GET', '/_local/faults/ses')).body);
    for (const email of failing) {
      // The SES client (maxAttempts 5) retried each throttled send before it was recorded FAILED.
      expect(report.attempts[email], email).toBeGreaterThan(1);
      expect(report.rejected[email]).toBe(report.attempts[email]);
    }
    for (const email of delivered) expect(report.attempts[email], email).toBe(1);

    const exported = await download(z.object({ successExportUrl: z.string() }).parse(done).successExportUrl);
    const [header = '', ...lines] = exported.trim().split(/\r?\n/);
    const columns = header.split(',');
    const welcomeOf = new Map(
      lines.map((line) => {
        const cells = line.split(',');
        return [cells[columns.indexOf('email')], cells[columns.indexOf('welcome_email')]];
      }),
    );
    expect(Object.fromEntries(failing.map((email) => [email, welcomeOf.get(email)]))).toEqual(
      Object.fromEntries(failing.map((email) => [email, 'FAILED'])),
    );
    expect(delivered.every((email) => welcomeOf.get(email) === 'SENT')).toBe(true);

    // The notification-failure alarm averages these data points against its threshold.
    const ratios = (
      await metricDataPoints({ name: 'iam_bulk_import_notification_failure_ratio', correlationId })
    ).flatMap((point) => point.values);
    expect(ratios.length).toBeGreaterThan(0);
    const average = ratios.reduce((sum, value) => sum + value, 0) / ratios.length;
    expect(average).toBeGreaterThan(BULK_IMPORT_THRESHOLDS.notificationFailurePercent);

    const before = await emailsTo(everyone);
    expect(failing.every((email) => before[email] === 0)).toBe(true);
    expect(delivered.every((email) => before[email] === 1)).toBe(true);

    // A member may not replay; while SES still fails, a replay records the failures again and sends nothing.
    const member = await principal(tenantId, `member@acme.test`, ['member']);
    const refused = await call('POST', `${BASE}/${taskId}/welcome-emails`, { token: member.token });
    expect(refused.status, refused.text).toBe(403);
    expect(errorCode(refused)).toBe('PERMISSION_DENIED');
    const stillFailing = await call('POST', `${BASE}/${taskId}/welcome-emails`, { token: admin.token });
    expect(stillFailing.status, stillFailing.text).toBe(200);
    expect(replaySchema.parse(stillFailing.body)).toMatchObject({ sent: 0, failed: 6, remaining: 0 });

    // SES heals: two replays racing send each missing email once between them.
    await armFaults('ses', {});
    const racing = await Promise.all(
      [1, 2].map(() => call('POST', `${BASE}/${taskId}/welcome-emails`, { token: admin.token })),
    );
    const outcomes = racing.map((response) => {
      expect([200, 202], response.text).toContain(response.status);
      return replaySchema.parse(response.body);
    });
    expect(outcomes.reduce((sum, outcome) => sum + outcome.sent, 0)).toBe(6);
    // The CLI repeats until nothing remains; here the race left nothing for it.
    const cli = await muster([
      'replay-emails',
      taskId,
      '--watch',
      ...as(tenantId, 'admin@acme.test', 'tenant_admin'),
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('0 welcome email(s) sent, 0 failed again');

    const after = await emailsTo(everyone);
    expect(Object.values(after).every((count) => count === 1)).toBe(true);
    const second = await call('POST', `${BASE}/${taskId}/welcome-emails`, { token: admin.token });
    expect(replaySchema.parse(second.body)).toEqual({ taskId, sent: 0, failed: 0, remaining: 0 });
    expect(await emailsTo(everyone)).toEqual(after);
    const task = await call('GET', `${BASE}/${taskId}`, { token: admin.token });
    expect(task.body).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 20, notified: 20 } });
  }, 120_000);
});

describe('EventBridge PutEvents rejecting 30% of entries during an import', () => {
  it('re-sends the rejected entries: every iam.user.created arrives once on the bus and once in the audit trail', async () => {
    const tenantId = uniqueTenant('ebfault');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    await armFaults('eventbridge', { failRate: FAIL_RATE, tenantId, failuresPerEntry: 2 });
    const people = Array.from({ length: 250 }, (_, n) => `person${n}@${tenantId}.test`);
    const { done } = await importPeople(admin, people, {
      sendWelcome: false,
      correlationId: `eb-faults-${randomUUID()}`,
    });
    expect(done).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 250, failed: 0 } });

    // Listing the events first lets every delivery (the audit writer's among them) settle.
    const listed = await call('GET', '/_local/events?detailType=iam.user.created');
    const created = busEventsSchema.parse(listed.body).filter((event) => event.tenantId === tenantId);
    const eventIds = created.map((event) => event.detail.eventId);
    expect(eventIds).toHaveLength(250);
    expect(new Set(eventIds).size).toBe(250);
    expect(new Set(created.map((event) => event.detail.data.userId)).size).toBe(250);

    const report = eventBridgeReportSchema.parse((await call('GET', '/_local/faults/eventbridge')).body);
    // About 30% of the tenant's entries, each rejected twice before it was taken.
    expect(report.entriesRejected).toBeGreaterThan(0.2 * 250);
    expect(report.rejections).toBe(2 * report.entriesRejected);

    const audited: string[] = [];
    let nextToken: string | undefined;
    do {
      const query = new URLSearchParams({
        type: 'iam.user.created',
        limit: '100',
        ...(nextToken ? { nextToken } : {}),
      });
      const page = await call('GET', `/v1/admin/audit?${query}`, { token: admin.token });
      expect(page.status, page.text).toBe(200);
      const parsed = auditPageSchema.parse(page.body);
      audited.push(...parsed.items.map((item) => item.eventId));
      nextToken = parsed.nextToken;
    } while (nextToken);
    const importedEvents = audited.filter((eventId) => eventIds.includes(eventId));
    expect(importedEvents.toSorted()).toEqual(eventIds.toSorted());
  }, 120_000);
});
