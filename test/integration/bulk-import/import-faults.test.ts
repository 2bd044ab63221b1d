import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { importedUserId } from '../../../functions/bulk-import/use-cases/provision-batch';
import { call, engineClientConfig, queryAll, TABLE_NAME, uniqueTenant } from '../support/api';
import { metricDataPoints } from '../support/telemetry';
import {
  armChaos,
  BASE,
  firstRunExecutionArn,
  people,
  tenantUsers,
  validatedImport,
  waitForStatus,
} from './import-support';

const ENDED = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'];

const injectedSchema = z.object({
  tenantId: z.string(),
  writeThrottleRate: z.number(),
  injected: z.object({
    errors: z.object({ ProvisionedThroughputExceededException: z.number(), ThrottlingException: z.number() }),
    partialBatches: z.number(),
    unprocessedItems: z.number(),
    cancelledTransactions: z.number(),
    byOperation: z.record(z.string(), z.number()),
  }),
});
const eventsSchema = z.array(
  z.object({
    'detail-type': z.string(),
    detail: z.looseObject({ eventId: z.string(), tenantId: z.string() }),
  }),
);
const auditRecordSchema = z.looseObject({ eventId: z.string(), action: z.string() });
const emailsSchema = z.array(z.object({ to: z.array(z.string()) }));

const sfn = new SFNClient(engineClientConfig('sfn'));

async function throttleWrites(faults: Record<string, unknown>) {
  const response = await call('PUT', '/_local/faults/dynamodb', { body: faults });
  expect(response.status, response.text).toBe(200);
}
// Each test arms faults for a tenant of its own and disarms only that tenant's: the chaos file beside
// this one (retry-and-redrive) may be running its own at the same moment.
afterEach(() => throttleWrites({}));

/** The tenant's events of a type the local bus still lists (it keeps the latest 20,000 of all tenants). */
async function eventsOf(tenantId: string, detailType: string) {
  return eventsSchema
    .parse((await call('GET', `/_local/events?detailType=${detailType}`)).body)
    .filter((event) => event.detail.tenantId === tenantId);
}

/**
 * The ids of the tenant's `action` events the audit trail stored since `since`: every event that
 * reached its consumer, once each (the audit writer stores an event id once). Asked after
 * `GET /_local/events`, which waits for deliveries in flight.
 */
async function auditedEventIds(tenantId: string, action: string, since: number): Promise<string[]> {
  await call('GET', '/_local/events?detailType=none');
  const days = new Set<string>();
  for (let day = since - 86_400_000; day <= Date.now() + 86_400_000; day += 86_400_000) {
    days.add(new Date(day).toISOString().slice(0, 10));
  }
  const ids: string[] = [];
  for (const day of days) {
    const items = await queryAll({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'PK = :day',
      ExpressionAttributeValues: { ':day': `TENANT#${tenantId}#AUDIT#${day}` },
    });
    for (const item of items) {
      const record = auditRecordSchema.parse(item);
      if (record.action === action) ids.push(record.eventId);
    }
  }
  return ids;
}

/** The `iam.user.created` event id of each row's user (the id a replay publishes again). */
function createdEventIds(tenantId: string, taskId: string, rowCount: number): string[] {
  return Array.from(
    { length: rowCount },
    (_, index) => `evt_${importedUserId(tenantId, taskId, index + 2).slice(2)}`,
  ).sort();
}

function welcomesTo(tenantId: string, emails: unknown): number {
  return emailsSchema.parse(emails).filter((email) => email.to.some((to) => to.endsWith(`@${tenantId}.test`)))
    .length;
}

/** Exactly one user per row, the one that row creates: nothing created twice, nothing lost. */
async function expectEachRowOnce(tenantId: string, taskId: string, rows: string[][]) {
  const users = await tenantUsers(tenantId);
  const imported = users.filter((user) => user.email !== 'admin@acme.test');
  expect(imported).toHaveLength(rows.length);
  const byEmail = new Map(imported.map((user) => [user.email, user.userId]));
  for (const [index, [email]] of rows.entries()) {
    expect(byEmail.get(email ?? '')).toBe(importedUserId(tenantId, taskId, index + 2));
  }
}

/**
 * Imports `rowCount` rows with a fifth of the tenant's writes throttled from commit to the end;
 * answers the finished task, what the proxy injected and the DynamoDbRetries counted meanwhile.
 */
async function throttledImport(rowCount: number, sendWelcome: boolean) {
  const tenantId = uniqueTenant('throttled');
  const rows = people(tenantId, rowCount);
  const { admin, taskId } = await validatedImport(tenantId, rows);
  const startedAt = Date.now();
  await throttleWrites({ tenantId, writeThrottleRate: 0.2 });
  const committed = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome },
  });
  expect(committed.status, committed.text).toBe(202);
  const done = await waitForStatus(admin, taskId, ENDED, 300_000);
  const seconds = (Date.now() - startedAt) / 1000;
  // A retry is counted when its call ends: stop the faults, and let the event deliveries still in
  // flight finish before comparing counts. An audit write throttled again and again waits out the
  // SDK's growing backoff (up to tens of seconds on a busy machine), so wait for the whole trail.
  await throttleWrites({});
  await vi.waitFor(
    async () => expect(await auditedEventIds(tenantId, 'iam.user.created', startedAt)).toHaveLength(rowCount),
    { timeout: 120_000, interval: 2_000 },
  );
  const { injected } = injectedSchema.parse(
    (await call('GET', `/_local/faults/dynamodb?tenantId=${tenantId}`)).body,
  );
  // Each refused write is sent again by the SDK, each partial batch's rest by putAll: all counted.
  // (Other tests' retries in the same window may add to the sum, never take from it.)
  const retries = (await metricDataPoints({ name: 'DynamoDbRetries', limit: 20_000 })).filter(
    (point) => Date.parse(point.timestamp) >= startedAt,
  );
  const counted = retries.reduce((sum, point) => sum + point.sum, 0);
  const refused =
    injected.errors.ProvisionedThroughputExceededException +
    injected.errors.ThrottlingException +
    injected.cancelledTransactions;
  console.info(
    `throttled import of ${rowCount} rows: ${seconds.toFixed(1)} s, ${refused} writes refused ` +
      `(${JSON.stringify(injected.errors)}), ${injected.partialBatches} partial batches ` +
      `(${injected.unprocessedItems} items), by operation ${JSON.stringify(injected.byOperation)}; ` +
      `${counted} retries counted`,
  );
  return {
    tenantId,
    taskId,
    rows,
    startedAt,
    done,
    injected,
    refused,
    counted,
    operations: new Set(retries.map((point) => point.dimensions.operation)),
  };
}

describe('DynamoDB throttling a fifth of the writes', () => {
  it('imports 5,000 rows all the same: each once, each creation event stored once, the retries counted', async () => {
    const run = await throttledImport(5000, false);

    expect(run.done).toMatchObject({ status: 'COMPLETED', run: 1 });
    expect(run.done.counts).toMatchObject({ total: 5000, valid: 5000, succeeded: 5000, failed: 0 });
    await expectEachRowOnce(run.tenantId, run.taskId, run.rows);
    // The audit writer (its own writes throttled too) stored each user's creation event once.
    expect((await auditedEventIds(run.tenantId, 'iam.user.created', run.startedAt)).sort()).toEqual(
      createdEventIds(run.tenantId, run.taskId, 5000),
    );
    expect(run.injected.errors.ProvisionedThroughputExceededException).toBeGreaterThan(0);
    expect(run.injected.errors.ThrottlingException).toBeGreaterThan(0);
    expect(run.injected.byOperation.TransactWriteItems).toBeGreaterThan(0);
    // Transactions cancelled for a throttled item, which only retryTransactionConflicts re-runs.
    expect(run.injected.cancelledTransactions).toBeGreaterThan(0);
    expect(run.counted).toBeGreaterThanOrEqual(run.refused);
    expect(run.operations).toContain('TransactWriteItems');
  }, 420_000);

  it('sends each welcome email once when the activation tokens are written only in part (UnprocessedItems)', async () => {
    const run = await throttledImport(300, true);

    expect(run.done).toMatchObject({ status: 'COMPLETED', run: 1 });
    expect(run.done.counts).toMatchObject({ succeeded: 300, failed: 0, notified: 300 });
    await expectEachRowOnce(run.tenantId, run.taskId, run.rows);
    expect(welcomesTo(run.tenantId, (await call('GET', '/_local/emails')).body)).toBe(300);
    expect(run.injected.partialBatches).toBeGreaterThan(0);
    expect(run.counted).toBeGreaterThanOrEqual(run.refused + run.injected.partialBatches);
    expect(run.operations).toContain('BatchWriteItem');
  }, 180_000);
});

describe('a failed Finalize step', () => {
  it('past its retries: the execution fails at Finalize, the task is FAILED with the cause and true counts; a redrive completes it', async () => {
    const tenantId = uniqueTenant('finalize');
    const rows = people(tenantId, 30);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    const since = Date.now();
    await armChaos({ point: 'finalize', tenantId, times: 100 });
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: true } });
    const failed = await waitForStatus(admin, taskId, ENDED, 120_000);
    await armChaos({ tenantId });

    const execution = await sfn.send(
      new DescribeExecutionCommand({ executionArn: firstRunExecutionArn(taskId) }),
    );
    expect(execution).toMatchObject({ status: 'FAILED', error: 'InjectedFault' });
    // The task view says why, and its counts are the rows' outcomes: all created before Finalize failed.
    expect(failed.status).toBe('FAILED');
    expect(failed.failureReason).toMatch(/^InjectedFault: .*Chaos: finalize failed/);
    expect(failed.counts).toMatchObject({ total: 30, valid: 30, succeeded: 30, failed: 0, notified: 30 });
    await expectEachRowOnce(tenantId, taskId, rows);

    const redriven = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(redriven.status, redriven.text).toBe(202);
    const done = await waitForStatus(admin, taskId, ENDED);
    expect(done).toMatchObject({ status: 'COMPLETED', run: 1 });
    expect(done.failureReason).toBeUndefined();
    expect(done.counts).toMatchObject({ total: 30, valid: 30, succeeded: 30, failed: 0, notified: 30 });
    await expectEachRowOnce(tenantId, taskId, rows);
    expect((await auditedEventIds(tenantId, 'iam.user.created', since)).sort()).toEqual(
      createdEventIds(tenantId, taskId, 30),
    );
    expect(welcomesTo(tenantId, (await call('GET', '/_local/emails')).body)).toBe(30);
    const announced = (await eventsOf(tenantId, 'iam.user.bulk_imported')).map((event) => event.detail.data);
    expect(announced).toEqual([
      expect.objectContaining({ status: 'FAILED', counts: expect.objectContaining({ succeeded: 30 }) }),
      expect.objectContaining({ status: 'COMPLETED', counts: expect.objectContaining({ succeeded: 30 }) }),
    ]);
  }, 180_000);

  it('once: its retry ends the run COMPLETED, announced once', async () => {
    const tenantId = uniqueTenant('finalize-once');
    const rows = people(tenantId, 5);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    await armChaos({ point: 'finalize', tenantId, times: 1 });
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    const done = await waitForStatus(admin, taskId, ENDED);
    expect(done).toMatchObject({ status: 'COMPLETED', counts: { succeeded: 5, failed: 0 } });
    expect(done.failureReason).toBeUndefined();
    const announced = await eventsOf(tenantId, 'iam.user.bulk_imported');
    expect(announced.map((event) => event.detail.data)).toEqual([
      expect.objectContaining({ status: 'COMPLETED' }),
    ]);
    await expectEachRowOnce(tenantId, taskId, rows);
  });
});

describe('an execution stopped from outside', () => {
  it('ABORTED: the task is FAILED with the error and cause given, and a redrive completes it once each', async () => {
    const tenantId = uniqueTenant('aborted');
    const rows = people(tenantId, 40);
    const { admin, taskId } = await validatedImport(tenantId, rows);
    // The first batch crashes once, so the execution is still waiting to retry it when stopped.
    await armChaos({ point: 'provision-batch', tenantId, afterRow: 10, times: 1 });
    await call('POST', `${BASE}/commit`, { token: admin.token, body: { taskId, sendWelcome: false } });
    await sfn.send(
      new StopExecutionCommand({
        executionArn: firstRunExecutionArn(taskId),
        error: 'OperatorStopped',
        cause: 'Stopped during a maintenance window',
      }),
    );
    const stopped = await waitForStatus(admin, taskId, ENDED);
    await armChaos({ tenantId });
    expect(stopped.status).toBe('FAILED');
    expect(stopped.failureReason).toBe('OperatorStopped: Stopped during a maintenance window');

    const redriven = await call('POST', `${BASE}/${taskId}/redrive`, { token: admin.token });
    expect(redriven.status, redriven.text).toBe(202);
    const done = await waitForStatus(admin, taskId, ENDED);
    expect(done).toMatchObject({ status: 'COMPLETED', run: 1, counts: { succeeded: 40, failed: 0 } });
    expect(done.failureReason).toBeUndefined();
    await expectEachRowOnce(tenantId, taskId, rows);
  });
});
