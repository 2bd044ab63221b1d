import { GetObjectCommand } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isoWeek } from '../../../functions/bulk-import/domain/import-summary';
import { LOCAL_NAMES } from '../../../local/environment';
import { call, type Principal, principal, s3Client, uniqueTenant } from '../support/api';
import { BASE, csvOf, validatedTask, waitForStatus } from './import-support';

const s3 = s3Client();
const FINISHED = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED'];
const DAY_MS = 24 * 60 * 60 * 1000;

async function committedImport(
  tenantId: string,
  admin: Principal,
  emails: string[],
  takenMeanwhile: string[] = [],
) {
  const taskId = await validatedTask(
    admin,
    csvOf(
      ['email'],
      emails.map((email) => [email]),
    ),
  );
  for (const email of takenMeanwhile) await principal(tenantId, email);
  const committed = await call('POST', `${BASE}/commit`, {
    token: admin.token,
    body: { taskId, sendWelcome: false },
  });
  expect(committed.status, committed.text).toBe(202);
  await waitForStatus(admin, taskId, FINISHED);
  return taskId;
}

/** Fires the schedule as if the clock read `at`, for one tenant or (none given) for all of them. */
async function runWeeklySummary(at: Date, tenantId?: string): Promise<string> {
  const response = await call('POST', '/_local/schedules/BulkImportWeeklySummary/run', {
    body: { at: at.toISOString(), ...(tenantId === undefined ? {} : { tenantId }) },
  });
  expect(response.status, response.text).toBe(200);
  const { key } = z.object({ result: z.object({ key: z.string() }) }).parse(response.body).result;
  const object = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.reportsBucket, Key: key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
}

function records(csv: string): Record<string, string>[] {
  return parse(csv, { bom: true, columns: true });
}

describe('BulkImportWeeklySummary', () => {
  it("reports a tenant's imports of the past week: rows, outcomes, error ratio, p95 duration, retries", async () => {
    const tenantId = uniqueTenant('weekly');
    const admin = await principal(tenantId, 'admin@acme.test', ['tenant_admin']);
    await committedImport(tenantId, admin, [`a@${tenantId}.test`, `b@${tenantId}.test`]);
    const taken = `e@${tenantId}.test`;
    const withFailure = await committedImport(
      tenantId,
      admin,
      [`c@${tenantId}.test`, `d@${tenantId}.test`, taken],
      [taken],
    );
    const retried = await call('POST', `${BASE}/${withFailure}/retry`, { token: admin.token });
    expect(retried.status, retried.text).toBe(202);
    expect(await waitForStatus(admin, withFailure, FINISHED)).toMatchObject({ run: 2 });

    // Whole seconds, as a schedule fires: the clock is the second after the last write.
    const at = new Date(Math.ceil((Date.now() + 1000) / 1000) * 1000);
    const csv = await runWeeklySummary(at, tenantId);
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFtenant,week,imports,rows,succeeded,failed,error_ratio,p95_duration_seconds,retries,pending_approvals',
    );
    const lines = records(csv);
    expect(lines).toEqual([
      {
        tenant: tenantId,
        week: isoWeek(new Date(at.getTime() - 7 * DAY_MS)),
        imports: '2',
        rows: '5',
        succeeded: '4',
        failed: '1',
        error_ratio: '0.2000',
        p95_duration_seconds: expect.stringMatching(/^\d+\.\d$/),
        retries: '1',
        pending_approvals: '0',
      },
    ]);

    // The run over every tenant writes the seed's path, with the same line for this tenant among the others'.
    const everyone = records(await runWeeklySummary(at));
    expect(everyone.filter((line) => line.tenant === tenantId)).toEqual(lines);

    // Eight days on, the same imports are out of the window.
    expect(records(await runWeeklySummary(new Date(at.getTime() + 8 * DAY_MS), tenantId))).toEqual([]);
  }, 120_000);
});
